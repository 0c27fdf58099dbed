"""The Telegram Bot API adapter (P5): plain HTTPS to ``<base>/bot<token>/<method>``.

The bot's token, the webhook secret and the bot's username live in Secrets Manager
(``vetpet/<stage>/telegram``: ``{"token", "webhook_secret", "bot_name"}``), read on first
use and cached per process. The base URL is ``VETPET_TELEGRAM_API_URL`` (the local stage
points it at its stand-in).
"""

from __future__ import annotations

import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from chalicelib.config import TELEGRAM_TIMEOUT_SECONDS, get_settings
from chalicelib.notifications.channels import PermanentFailure

BLOCKED = "bot was blocked by the user"


@dataclass(frozen=True)
class BotSecret:
    token: str
    webhook_secret: str
    bot_name: str


@cache
def bot_secret() -> BotSecret:
    import boto3

    settings = get_settings()
    client = boto3.client("secretsmanager", region_name=settings.region)
    raw = json.loads(client.get_secret_value(SecretId=settings.telegram_secret_id)["SecretString"])
    return BotSecret(str(raw["token"]), str(raw["webhook_secret"]), str(raw["bot_name"]))


def webhook_secret_matches(presented: str | None) -> bool:
    """Constant-time check of the ``X-Telegram-Bot-Api-Secret-Token`` header."""
    expected = bot_secret().webhook_secret.encode()
    return hmac.compare_digest((presented or "").encode(), expected)


class BotApiError(Exception):
    """The Bot API answered ``{ok: false}`` (or not at all) for a retryable reason."""


def call(method: str, payload: dict[str, Any]) -> Any:
    """One Bot API call; returns ``result`` of ``{ok: true, result}``. A 4xx refusal other
    than 429 is a `PermanentFailure` (403 "bot was blocked by the user" also unlinks)."""
    url = f"{get_settings().telegram_api_url}/bot{bot_secret().token}/{method}"
    request = urllib.request.Request(  # noqa: S310 - an https URL from configuration
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TELEGRAM_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        answer = _error_answer(error)
    except (OSError, ValueError) as error:
        raise BotApiError(type(error).__name__) from error
    if answer.get("ok"):
        return answer.get("result")
    code = int(answer.get("error_code", 0))
    description = str(answer.get("description", ""))
    if 400 <= code < 500 and code != 429:
        raise PermanentFailure(f"telegram {code}", unlink=code == 403 and BLOCKED in description)
    raise BotApiError(f"telegram {code}")


def _error_answer(error: urllib.error.HTTPError) -> dict[str, Any]:
    try:
        answer = json.loads(error.read())
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        return answer
    return {"ok": False, "error_code": error.code, "description": ""}


class TelegramChannel:
    name = "telegram"

    def deliver(
        self, address: str, subject: str, body: str, headers: Mapping[str, str] | None = None
    ) -> str:
        result = call("sendMessage", {"chat_id": address, "text": body})
        return str(result["message_id"])


def set_webhook(url: str) -> None:
    """Point the bot at the webhook with the secret header (a deployment step)."""
    call("setWebhook", {"url": url, "secret_token": bot_secret().webhook_secret})


def start_link(token: str) -> str:
    """The deep link that opens the bot with ``/start <token>``."""
    return f"https://t.me/{bot_secret().bot_name}?start={token}"
