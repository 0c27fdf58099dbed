"""What the access log refuses."""

from __future__ import annotations

from chalicelib.errors import Conflict


class LogConflict(Conflict):
    """Another append took the entry's sequence number; the chain was not forked."""

    detail = "Another entry was appended to the access log at the same moment; retry."
