"""What the booking, room and question rules refuse (slot errors: `consultants.errors`)."""

from __future__ import annotations

from chalicelib.errors import DomainError


class InvalidTransition(DomainError):
    detail = "The booking's state does not allow this change."


class IdempotencyKeyRequired(DomainError):
    detail = "Send an 'Idempotency-Key' header of 1 to 128 characters."


class IdempotencyKeyReused(DomainError):
    detail = "This Idempotency-Key was used with a different request."


class RoomUnavailable(DomainError):
    detail = "The room opens only for a confirmed booking."


class RoomClosed(DomainError):
    detail = "The room is open from 10 minutes before the start until the end of the slot."


class QuotaExceeded(DomainError):
    detail = "This booking would exceed a booking quota."
