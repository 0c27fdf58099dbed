"""What the privacy-request lifecycle refuses."""

from __future__ import annotations

from chalicelib.errors import DomainError


class RequestClosed(DomainError):
    detail = "The privacy request is closed."


class AlreadyExtended(DomainError):
    detail = "The due date of this privacy request was already extended once."


class ThreadFull(DomainError):
    detail = "The thread holds as many messages as it may; close the request."
