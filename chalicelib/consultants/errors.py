"""What the directory, availability and slot rules refuse."""

from __future__ import annotations

from chalicelib.errors import DomainError


class SlotTaken(DomainError):
    detail = "Another booking holds this slot."


class SlotUnavailable(DomainError):
    detail = "The start is not a free slot of the consultant (opening hours, minimum notice)."


class RangeTooLong(DomainError):
    detail = "Too many days of slots asked for in one request."


class InvalidField(DomainError):
    """A value the schema accepts but the rules do not (windows, exceptions, ranges)."""

    detail = "A field is not valid."

    def __init__(self, field: str, message: str) -> None:
        error = {"field": field, "code": "value_error", "message": message}
        super().__init__(f"Invalid field '{field}': {message}.", extra={"errors": [error]})
