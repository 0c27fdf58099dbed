"""Chat-link request and response bodies, and the Telegram webhook's update."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from chalicelib.web.validation import Schema

ChannelName = Literal["telegram"]


class ChatLinkCreate(Schema):
    channel: ChannelName


class ChatLinkStart(Schema):
    link: str
    expires_at: datetime


class ChatLinkOut(Schema):
    channel: ChannelName
    linked_at: datetime


class ChatLinkList(Schema):
    items: list[ChatLinkOut]
    next_cursor: str | None


class _TelegramPart(Schema):
    """Telegram objects carry many fields we neither read nor store: they are ignored
    (never an error, or Telegram would retry the update forever)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)


class TelegramChat(_TelegramPart):
    id: int
    type: str


class TelegramUser(_TelegramPart):
    language_code: str | None = None


class TelegramMessage(_TelegramPart):
    chat: TelegramChat
    text: str | None = None
    sender: TelegramUser | None = Field(default=None, alias="from")


class TelegramUpdate(_TelegramPart):
    update_id: int
    message: TelegramMessage | None = None


class WebhookAnswer(Schema):
    """Telegram lets a webhook answer with one Bot API call: the bot's reply."""

    method: Literal["sendMessage"] | None = None
    chat_id: int | None = None
    text: str | None = None
