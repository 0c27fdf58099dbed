"""The configured providers: keys from Secrets Manager (per stage, read on first use),
base URLs from settings. The adapters themselves never see the stage."""

from __future__ import annotations

import json
import threading
from typing import Any

from chalicelib.config import get_settings
from chalicelib.payments.errors import ProviderUnavailable
from chalicelib.payments.providers.base import PaymentProvider

NAMES = ("stripe", "liqpay")
_lock = threading.Lock()
_built: dict[str, PaymentProvider] = {}


def _secret(secret_id: str) -> dict[str, Any]:
    import boto3

    client = boto3.client("secretsmanager", region_name=get_settings().region)
    document: dict[str, Any] = json.loads(
        client.get_secret_value(SecretId=secret_id)["SecretString"]
    )
    return document


def _build(name: str) -> PaymentProvider:
    settings = get_settings()
    done_url = f"{settings.web_url}/payments/done"
    if name == "stripe":
        from chalicelib.payments.providers.stripe import StripeProvider

        keys = _secret(settings.stripe_secret_id)
        return StripeProvider(
            keys["api_key"],
            keys["webhook_secrets"],
            api_base=settings.stripe_api_base,
            success_url=done_url,
        )
    if name == "liqpay":
        from chalicelib.payments.providers.liqpay import LiqPayProvider

        keys = _secret(settings.liqpay_secret_id)
        return LiqPayProvider(
            keys["public_key"],
            keys["private_key"],
            api_base=settings.liqpay_api_base,
            callback_url=f"{settings.issuer}/v1/payments/webhooks/liqpay",
            result_url=done_url,
        )
    raise ProviderUnavailable(f"Unknown payment provider '{name}'.")


def provider(name: str) -> PaymentProvider:
    """The adapter for ``name``, built once per process."""
    with _lock:
        if name not in _built:
            _built[name] = _build(name)
        return _built[name]


def reset() -> None:
    """Forget built adapters (keys rotated, or a test changed the settings)."""
    with _lock:
        _built.clear()
