"""Chat links (P5): which chat of a messenger a user's notifications also go to.

A user asks for a link; the app opens ``https://t.me/<bot>?start=<token>``; the bot's
webhook receives ``/start <token>`` from the chat and links it. The token is random
(192 bits), stored only as its SHA-256, single use (a conditional delete) and expires
after ``CHAT_LINK_TOKEN_TTL``. ``/stop``, the user's DELETE, or a chat that blocked the
bot unlink it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.accounts.models import UserIndex
from chalicelib.config import CHAT_LINK_TOKEN_TTL
from chalicelib.store.base import BaseModel, table_name
from chalicelib.store.expiry import PurgeDue, schedule_purge

TELEGRAM = "telegram"


class ByChat(GlobalSecondaryIndex["ChatLink"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-chat"
        projection = KeysOnlyProjection()

    chat_key = UnicodeAttribute(hash_key=True)


class ChatLink(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("chat-links")

    user_id = UnicodeAttribute(hash_key=True)
    channel = UnicodeAttribute(range_key=True)
    chat_id = UnicodeAttribute()
    chat_key = UnicodeAttribute()  # "<channel>#<chat id>"
    linked_at = UTCDateTimeAttribute()

    by_chat = ByChat()


class ChatLinkToken(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("chat-link-tokens")

    token_hash = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    expires = TTLAttribute()
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    purge_due = PurgeDue()
    user_index = UserIndex()


@dataclass(frozen=True)
class LinkToken:
    token: str
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _chat_key(channel: str, chat_id: str) -> str:
    return f"{channel}#{chat_id}"


def new_token(user_id: str, channel: str, now: datetime) -> LinkToken:
    """A one-time token that links the chat which sends it back to ``user_id``."""
    token = secrets.token_urlsafe(24)
    expires_at = (now + CHAT_LINK_TOKEN_TTL).replace(microsecond=0)
    item = ChatLinkToken(
        _digest(token), user_id=user_id, channel=channel, expires_at=expires_at, expires=expires_at
    )
    schedule_purge(item, expires_at).save(condition=ChatLinkToken.token_hash.does_not_exist())
    return LinkToken(token, expires_at)


def redeem(channel: str, token: str, chat_id: str, now: datetime) -> str | None:
    """Link ``chat_id`` to the token's user; the user id, or None for an unknown, used or
    expired token (nothing is linked then)."""
    try:
        item = ChatLinkToken.get(_digest(token), consistent_read=True)
    except ChatLinkToken.DoesNotExist:
        return None
    if item.channel != channel or item.expires_at <= now:
        return None
    try:  # single use: of two chats presenting one token, one deletes it
        item.delete(condition=ChatLinkToken.token_hash.exists())
    except DeleteError:
        return None
    unlink_chat(channel, chat_id)  # a chat belongs to one account
    ChatLink(
        item.user_id,
        channel,
        chat_id=chat_id,
        chat_key=_chat_key(channel, chat_id),
        linked_at=now,
    ).save()
    return str(item.user_id)


def links_of(user_id: str) -> list[ChatLink]:
    return list(ChatLink.query(user_id))


def chats_of(user_id: str) -> list[tuple[str, str]]:
    """(channel, chat id) of every chat the user linked."""
    return [(link.channel, link.chat_id) for link in links_of(user_id)]


def unlink(user_id: str, channel: str) -> bool:
    """Remove the user's link; False when there was none."""
    try:
        ChatLink(user_id, channel).delete(condition=ChatLink.user_id.exists())
    except DeleteError:
        return False
    return True


def unlink_chat(channel: str, chat_id: str) -> int:
    """Remove every link to this chat (``/stop``, or the chat blocked the bot)."""
    removed = 0
    for key in ChatLink.by_chat.query(_chat_key(channel, chat_id)):
        try:
            ChatLink(key.user_id, key.channel).delete(condition=ChatLink.chat_id == chat_id)
        except DeleteError:  # re-linked to another chat meanwhile
            continue
        removed += 1
    return removed
