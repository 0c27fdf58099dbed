"""What a disclosure refuses."""

from __future__ import annotations

from chalicelib.errors import Conflict


class TrailConflict(Conflict):
    """Another disclosure took the trail's sequence number; nothing was written."""

    detail = "Another disclosure was recorded at the same moment; retry."
