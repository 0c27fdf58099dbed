"""The Telegram Bot API stand-in on a free port, and the bot's secret in the test AWS."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator

import boto3
import pytest

from chalicelib.config import get_settings
from chalicelib.notifications import telegram
from local.telegram_standin import BotStandIn, serve

BOT = {
    "token": "test-bot-token",
    "webhook_secret": "s3cret-header-value",
    "bot_name": "VetPetTestBot",
}


@pytest.fixture
def bot(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[BotStandIn]:
    settings = get_settings()
    secrets = boto3.client("secretsmanager", region_name=settings.region)
    # The run shares one AWS whose tables are emptied between tests; the secret stays.
    with contextlib.suppress(secrets.exceptions.ResourceExistsException):
        secrets.create_secret(Name=settings.telegram_secret_id, SecretString=json.dumps(BOT))
    telegram.bot_secret.cache_clear()
    stand_in = BotStandIn(BOT["token"], BOT["bot_name"])
    server = serve(stand_in, 0)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(
        telegram, "get_settings", lambda: dataclasses.replace(settings, telegram_api_url=url)
    )
    yield stand_in
    server.shutdown()
    telegram.bot_secret.cache_clear()
