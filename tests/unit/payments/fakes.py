"""An in-memory PaymentRepository, held to the same contract suite as the DynamoDB one."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from chalicelib.payments.domain import Payment, PaymentStatus


class MemoryPaymentRepository:
    def __init__(self) -> None:
        self._payments: dict[str, Payment] = {}
        self._events: set[str] = set()
        self._lock = threading.Lock()

    def get(self, booking_id: str) -> Payment | None:
        return self._payments.get(booking_id)

    def get_many(self, booking_ids: Iterable[str]) -> dict[str, Payment]:
        return {b: self._payments[b] for b in set(booking_ids) if b in self._payments}

    def add(self, payment: Payment) -> bool:
        with self._lock:
            if payment.booking_id in self._payments:
                return False
            self._payments[payment.booking_id] = payment
            return True

    def move(
        self,
        booking_id: str,
        allowed: Iterable[PaymentStatus],
        target: PaymentStatus,
        now: datetime,
        **fields: Any,
    ) -> bool:
        with self._lock:
            current = self._payments.get(booking_id)
            if current is None or current.status not in set(allowed):
                return False
            self._payments[booking_id] = dataclasses.replace(current, status=target, **fields)
            return True

    def refunds_pending(self) -> list[str]:
        due = PaymentStatus.REFUND_PENDING
        return [p.booking_id for p in self._payments.values() if p.status is due]

    def seen(self, event_id: str) -> bool:
        return event_id in self._events

    def record_event(self, event_id: str, now: datetime) -> bool:
        with self._lock:
            if event_id in self._events:
                return False
            self._events.add(event_id)
            return True
