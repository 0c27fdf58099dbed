"""Media placement refusals."""

from __future__ import annotations

from chalicelib.errors import DomainError


class NoMediaNode(DomainError):
    """No live, non-draining SFU node has room for another call."""

    detail = "No media server can take this call right now; try again shortly."
