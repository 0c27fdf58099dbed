"""The provider port: what the payments service asks of a processor. Adapters get
their keys and base URL from the caller and know nothing of the stage."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from chalicelib.payments.domain import Checkout, CheckoutOrder, Money, ProviderEvent, Refund


class PaymentProvider(Protocol):
    name: str

    def create_checkout(self, order: CheckoutOrder, idempotency_key: str) -> Checkout:
        """A hosted payment page for ``order``."""

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> ProviderEvent:
        """Verify ``body`` as received (raw bytes) and return its event; raises
        `InvalidSignature` when it does not verify."""

    def refund(self, payment_ref: str, amount: Money, idempotency_key: str) -> Refund:
        """Refund ``amount`` of a payment; the same key never refunds twice."""

    def fetch(self, checkout_ref: str) -> ProviderEvent:
        """The payment's current state, read from the provider."""
