"""Chat links and the chat-bot webhook (P5)."""

from __future__ import annotations

from chalicelib.errors import NotFound
from chalicelib.notifications import chatbot, chatlinks, telegram
from chalicelib.notifications.errors import WebhookSecretInvalid
from chalicelib.notifications.schemas import (
    ChatLinkCreate,
    ChatLinkList,
    ChatLinkOut,
    ChatLinkStart,
    TelegramUpdate,
    WebhookAnswer,
)
from chalicelib.web.access import AUTHENTICATED, PUBLIC
from chalicelib.web.routing import ApiBlueprint, ApiRequest, Reply

api = ApiBlueprint(__name__, tag="notifications")
SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name


@api.route(
    "/v1/me/chat-links",
    "POST",
    access=AUTHENTICATED,
    body=ChatLinkCreate,
    response=ChatLinkStart,
    status=201,
    summary="Start linking a chat: a one-time link that opens the bot (15 minutes).",
)
def create_link(request: ApiRequest[ChatLinkCreate, None]) -> ChatLinkStart:
    token = chatlinks.new_token(request.user.user_id, request.body.channel, request.now)
    return ChatLinkStart(link=telegram.start_link(token.token), expires_at=token.expires_at)


@api.route(
    "/v1/me/chat-links",
    "GET",
    access=AUTHENTICATED,
    response=ChatLinkList,
    summary="The chats my notifications also go to.",
)
def list_links(request: ApiRequest[None, None]) -> ChatLinkList:
    links = chatlinks.links_of(request.user.user_id)
    items = [ChatLinkOut(channel=link.channel, linked_at=link.linked_at) for link in links]  # type: ignore[arg-type]
    return ChatLinkList(items=items, next_cursor=None)


@api.route(
    "/v1/me/chat-links/{channel}",
    "DELETE",
    access=AUTHENTICATED,
    status=204,
    summary="Unlink a chat.",
    errors=(NotFound,),
)
def delete_link(request: ApiRequest[None, None], channel: str) -> None:
    if not chatlinks.unlink(request.user.user_id, channel):
        raise NotFound("chat link")


@api.route(
    "/v1/chatbot/telegram/webhook",
    "POST",
    access=PUBLIC,
    body=TelegramUpdate,
    response=WebhookAnswer,
    summary="Telegram's webhook (needs X-Telegram-Bot-Api-Secret-Token).",
    errors=(WebhookSecretInvalid,),
)
def telegram_webhook(request: ApiRequest[TelegramUpdate, None]) -> Reply:
    """Answers ``{}``, or the bot's reply as the one Bot API call a webhook may return."""
    if not telegram.webhook_secret_matches(request.headers.get(SECRET_HEADER)):
        raise WebhookSecretInvalid()
    message = request.body.message
    if message is None or message.text is None:
        return Reply(body={})
    incoming = chatbot.ChatMessage(
        chat_id=str(message.chat.id),
        chat_type=message.chat.type,
        text=message.text,
        language=message.sender.language_code if message.sender else None,
    )
    reply = chatbot.handle(chatlinks.TELEGRAM, incoming, request.now)
    answer = WebhookAnswer()
    if reply is not None:
        answer = WebhookAnswer(method="sendMessage", chat_id=message.chat.id, text=reply)
    return Reply(body=answer.model_dump(exclude_none=True))
