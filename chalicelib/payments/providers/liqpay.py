"""LiqPay (UAH): the checkout and callback protocol. A request or callback is
``data`` = base64(JSON) and ``signature`` = base64(sha1(private_key + data +
private_key)). The callback carries no timestamp, so after its signature verifies the
payment's status is read back from LiqPay (``action: status``) and only that is trusted."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import urllib.parse
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.payments.domain import (
    Checkout,
    CheckoutOrder,
    EventKind,
    Money,
    ProviderEvent,
    Refund,
)
from chalicelib.payments.errors import InvalidSignature, ProviderUnavailable

API_VERSION = 3
TIMEOUT_SECONDS = 10
PAID_STATUSES = {"success", "sandbox"}
FAILED_STATUSES = {"failure", "error", "expired"}
REFUNDED_STATUSES = {"reversed"}
MINOR_UNITS = Decimal(100)


def encode(params: Mapping[str, Any]) -> str:
    return base64.b64encode(json.dumps(params).encode()).decode()


def sign(private_key: str, data: str) -> str:
    digest = hashlib.sha1((private_key + data + private_key).encode()).digest()  # noqa: S324 - LiqPay's protocol
    return base64.b64encode(digest).decode()


def _major(amount: int) -> str:
    return str(Decimal(amount) / MINOR_UNITS)


def _minor(amount: Any) -> int:
    return int(Decimal(str(amount)) * MINOR_UNITS)


class LiqPayProvider:
    name = "liqpay"

    def __init__(
        self,
        public_key: str,
        private_key: str,
        *,
        api_base: str,
        callback_url: str,
        result_url: str,
    ) -> None:
        self._public_key = public_key
        self._private_key = private_key
        self._api_base = api_base.rstrip("/")
        self._callback_url = callback_url
        self._result_url = result_url

    def _signed(self, params: Mapping[str, Any]) -> dict[str, str]:
        data = encode({"version": API_VERSION, "public_key": self._public_key, **params})
        return {"data": data, "signature": sign(self._private_key, data)}

    def create_checkout(self, order: CheckoutOrder, idempotency_key: str) -> Checkout:
        form = self._signed(
            {
                "action": "pay",
                "amount": _major(order.amount.amount),
                "currency": order.amount.currency,
                "description": order.description,
                "order_id": order.booking_id,
                "server_url": self._callback_url,
                "result_url": self._result_url,
                "expired_date": order.expires_at.strftime("%Y-%m-%d %H:%M:%S"),
            }
        )
        url = f"{self._api_base}/api/3/checkout?{urllib.parse.urlencode(form)}"
        return Checkout(checkout_ref=order.booking_id, checkout_url=url)

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> ProviderEvent:
        try:
            form = urllib.parse.parse_qs(body.decode("ascii"), strict_parsing=True)
        except (UnicodeDecodeError, ValueError) as error:
            raise InvalidSignature() from error
        data, signature = form.get("data", [""])[0], form.get("signature", [""])[0]
        expected = sign(self._private_key, data)
        if not data or not hmac.compare_digest(expected.encode(), signature.encode()):
            raise InvalidSignature()
        try:
            order_id = str(json.loads(base64.b64decode(data, validate=True))["order_id"])
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidSignature() from error
        event_id = "liqpay:" + hashlib.sha256(data.encode()).hexdigest()
        return dataclasses.replace(self.fetch(order_id), event_id=event_id)

    def refund(self, payment_ref: str, amount: Money, idempotency_key: str) -> Refund:
        answer = self._request(
            {"action": "refund", "order_id": payment_ref, "amount": _major(amount.amount)}
        )
        if answer.get("result") != "ok":  # refunded by an earlier attempt whose answer was lost?
            if self.fetch(payment_ref).kind is not EventKind.REFUNDED:
                raise ProviderUnavailable()
            return Refund(refund_ref=payment_ref, succeeded=True)
        return Refund(refund_ref=payment_ref, succeeded=answer.get("status") in REFUNDED_STATUSES)

    def fetch(self, checkout_ref: str) -> ProviderEvent:
        answer = self._request({"action": "status", "order_id": checkout_ref})
        status = str(answer.get("status", ""))
        kind = (
            EventKind.PAID
            if status in PAID_STATUSES
            else EventKind.FAILED
            if status in FAILED_STATUSES
            else EventKind.REFUNDED
            if status in REFUNDED_STATUSES
            else EventKind.IGNORED
        )
        paid = None
        if "amount" in answer and "currency" in answer:
            paid = Money(_minor(answer["amount"]), str(answer["currency"]).upper())
        return ProviderEvent(
            event_id=f"fetch:{checkout_ref}",
            kind=kind,
            booking_id=checkout_ref,
            checkout_ref=checkout_ref,
            payment_ref=checkout_ref,
            paid=paid,
        )

    def _request(self, params: Mapping[str, Any]) -> dict[str, Any]:
        body = urllib.parse.urlencode(self._signed(params)).encode()
        request = urllib.request.Request(f"{self._api_base}/api/request", data=body)  # noqa: S310 - configured https base
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                answer: dict[str, Any] = json.loads(response.read())
        except (OSError, ValueError) as error:
            raise ProviderUnavailable() from error
        return answer
