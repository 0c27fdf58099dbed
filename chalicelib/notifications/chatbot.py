"""The chat-bot's side of a conversation: what a user's message to the bot does.

``/start <token>`` links the chat (private chats only); ``/stop`` unlinks it. The answer
is the bot's reply in the chat, in the user's language when known (else the language
the messenger reports), or None when the bot says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.accounts.repository import get_user
from chalicelib.notifications import chatlinks
from chalicelib.notifications.templates import chat_reply


@dataclass(frozen=True)
class ChatMessage:
    chat_id: str
    chat_type: str
    text: str
    language: str | None


def handle(channel: str, message: ChatMessage, now: datetime) -> str | None:
    if message.chat_type != "private":
        return None
    command, _, argument = message.text.strip().partition(" ")
    if command == "/start" and argument.strip():
        user_id = chatlinks.redeem(channel, argument.strip(), message.chat_id, now)
        if user_id is None:
            return chat_reply("link_invalid", message.language)
        user = get_user(user_id)
        return chat_reply("linked", user.language if user else message.language)
    if command == "/stop":
        chatlinks.unlink_chat(channel, message.chat_id)
        return chat_reply("unlinked", message.language)
    return None
