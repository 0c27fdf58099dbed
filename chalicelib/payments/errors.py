"""Payment rules that refuse a request."""

from __future__ import annotations

from chalicelib.bookings.errors import InvalidTransition
from chalicelib.errors import DomainError


class NotPayable(InvalidTransition):
    """Only a booking awaiting payment can be paid (the bookings' `invalid_transition`)."""

    detail = "Only a booking awaiting payment can be paid."


class CheckoutOpen(DomainError):
    """A live checkout with another provider exists for this booking."""

    detail = "A checkout with another provider is open for this booking until it expires."


class CurrencyNotSupported(DomainError):
    """The provider does not take the booking's currency."""

    detail = "This provider does not take the booking's currency."


class InvalidSignature(DomainError):
    """A webhook whose signature (or timestamp) does not verify."""

    detail = "The webhook signature does not verify."


class ProviderUnavailable(DomainError):
    """The payment processor did not answer as expected."""

    detail = "The payment processor is unavailable; try again."
