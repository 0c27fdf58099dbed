"""Privacy-request use cases: a signed-in user opens a request and replies in its thread;
support reads, answers, closes or extends it once. Every support action (the queue too) is
an access to the user's data and goes in the user's access log; an answer and an
extension are also e-mailed to the user (that there is news, with a link to the request;
never the answer itself)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.access_log.entries import SUPPORT_ROLE
from chalicelib.access_log.service import record_access, record_listing
from chalicelib.bookings.notices import recipient
from chalicelib.config import get_settings
from chalicelib.errors import Conflict, NotFound
from chalicelib.notifications.outbox import send
from chalicelib.notifications.templates import render
from chalicelib.privacy_requests import rules
from chalicelib.privacy_requests.models import WAITING, PrivacyRequest, ThreadMessage

EXTENDED_TEMPLATE = "privacy_request_extended"
ANSWERED_TEMPLATE = "privacy_request_answered"
LIST_REQUESTS = "list_privacy_requests"  # the access-log action of support's queue


@dataclass(frozen=True)
class Message:
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class Thread:
    request_id: str
    user_id: str
    kind: str
    status: str
    opened_at: datetime
    due_at: datetime
    extended_at: datetime | None
    extension_reason: str | None
    closed_at: datetime | None
    messages: tuple[Message, ...]


def _thread(item: PrivacyRequest) -> Thread:
    return Thread(
        request_id=item.request_id,
        user_id=item.user_id,
        kind=item.kind,
        status=item.status,
        opened_at=item.opened_at,
        due_at=item.due_at,
        extended_at=item.extended_at,
        extension_reason=item.extension_reason,
        closed_at=item.closed_at,
        messages=tuple(Message(m.at, m.author, m.text) for m in item.messages or []),
    )


def _message(author: str, text: str, now: datetime) -> ThreadMessage:
    return ThreadMessage(at=now, author=author, text=text)  # type: ignore[no-untyped-call]


def _load(request_id: str) -> PrivacyRequest:
    try:
        return PrivacyRequest.get(request_id, consistent_read=True)
    except PrivacyRequest.DoesNotExist:
        raise NotFound("privacy request") from None


def _unchanged(item: PrivacyRequest) -> Any:
    """The state the rules were checked against: a concurrent change is a `Conflict`."""
    extended = (
        PrivacyRequest.extended_at.exists()
        if item.extended_at
        else PrivacyRequest.extended_at.does_not_exist()
    )
    return (PrivacyRequest.status == item.status) & extended


def _write(item: PrivacyRequest, actions: list[Action]) -> Thread:
    try:
        item.update(actions=actions, condition=_unchanged(item))
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict() from None
        raise
    return _thread(item)


def _update(item: PrivacyRequest, actions: list[Action], now: datetime, what: str) -> Thread:
    """Support's change: written, then logged in the user's access log."""
    thread = _write(item, actions)
    _logged(item, what, now)
    return thread


def _appended(author: str, text: str, now: datetime) -> Action:
    return PrivacyRequest.messages.set(
        PrivacyRequest.messages.append([_message(author, text, now)])
    )


def _logged(item: PrivacyRequest, action: str, now: datetime) -> None:
    record_access(
        item.user_id,
        actor_role=SUPPORT_ROLE,
        action=action,
        resource=f"privacy-request/{item.request_id}",
        now=now,
    )


def open_request(user_id: str, kind: str, text: str, now: datetime) -> Thread:
    item = PrivacyRequest(
        f"prq_{secrets.token_hex(12)}",
        user_id=user_id,
        kind=kind,
        status=rules.OPEN,
        opened_at=now,
        due_at=rules.due_at(now),
        waiting=WAITING,
        messages=[_message(rules.USER, text, now)],
    )
    item.save(condition=PrivacyRequest.request_id.does_not_exist())
    return _thread(item)


def _own(request_id: str, user_id: str) -> PrivacyRequest:
    item = _load(request_id)
    if item.user_id != user_id:
        raise NotFound("privacy request")
    return item


def for_user(request_id: str, user_id: str) -> Thread:
    """The user's own request; anyone else's is `NotFound`."""
    return _thread(_own(request_id, user_id))


def reply(request_id: str, user_id: str, text: str, now: datetime) -> Thread:
    """The user adds to their own request's thread (anyone else's is `NotFound`; a closed
    one `RequestClosed`). An answered request waits for support again, due as before."""
    item = _own(request_id, user_id)
    rules.check_open(item.status)
    rules.check_room(len(item.messages or []))
    actions = [_appended(rules.USER, text, now)]
    if item.status == rules.ANSWERED:
        actions += [PrivacyRequest.status.set(rules.OPEN), PrivacyRequest.waiting.set(WAITING)]
    return _write(item, actions)


def for_support(request_id: str, now: datetime) -> Thread:
    item = _load(request_id)
    _logged(item, "read", now)
    return _thread(item)


def answer(request_id: str, text: str, now: datetime) -> Thread:
    """Support's answer: the request no longer waits (nor counts as overdue)."""
    item = _load(request_id)
    rules.check_open(item.status)
    rules.check_room(len(item.messages or []))
    actions: list[Action] = [
        _appended(rules.SUPPORT, text, now),
        PrivacyRequest.status.set(rules.ANSWERED),
        PrivacyRequest.waiting.remove(),
    ]
    thread = _update(item, actions, now, "answer")
    _tell(thread, ANSWERED_TEMPLATE, now)
    return thread


def close(request_id: str, text: str | None, now: datetime) -> Thread:
    """Close the request; a closing message is an answer, and the user is e-mailed so."""
    item = _load(request_id)
    rules.check_open(item.status)
    actions: list[Action] = [
        PrivacyRequest.status.set(rules.CLOSED),
        PrivacyRequest.closed_at.set(now),
        PrivacyRequest.waiting.remove(),
    ]
    if text:
        rules.check_room(len(item.messages or []))
        actions.append(_appended(rules.SUPPORT, text, now))
    thread = _update(item, actions, now, "close")
    if text:
        _tell(thread, ANSWERED_TEMPLATE, now)
    return thread


def extend(request_id: str, months: int, reason: str, now: datetime) -> Thread:
    """Move the due date once, by one or two months, and tell the user why by e-mail."""
    item = _load(request_id)
    rules.check_extendable(item.status, item.extended_at is not None)
    due = rules.extended_due(item.due_at, months)
    actions: list[Action] = [
        PrivacyRequest.due_at.set(due),
        PrivacyRequest.extended_at.set(now),
        PrivacyRequest.extension_reason.set(reason),
    ]
    thread = _update(item, actions, now, "extend")
    _tell(thread, EXTENDED_TEMPLATE, now)
    return thread


def request_link(request_id: str) -> str:
    """The request's page in the web app (apps register the same path as a deep link)."""
    return f"{get_settings().web_url}/privacy-requests/{request_id}"


def _tell(thread: Thread, template: str, now: datetime) -> None:
    """E-mail the user that ``thread`` has news (through the outbox): the due date, the
    reason of an extension and a link to the request, never support's answer itself."""
    to = recipient(thread.user_id)
    if to is None:
        return
    text = render(
        template,
        language=to.language,
        timezone=to.timezone,
        name=to.name,
        instants={"when": thread.due_at},
        values={
            "reason": thread.extension_reason or "",
            "link": request_link(thread.request_id),
        },
    )
    send(to, template, text, now=now)


def _waiting_keys(until: datetime | None) -> Iterator[str]:
    condition = PrivacyRequest.due_at < until if until is not None else None
    for key in PrivacyRequest.waiting_by_due.query(WAITING, range_key_condition=condition):
        yield key.request_id


def waiting(limit: int, now: datetime) -> list[Thread]:
    """Requests waiting for support, the soonest due first; support's view of them goes
    in each user's access log."""
    ids = []
    for request_id in _waiting_keys(None):
        ids.append(request_id)
        if len(ids) >= limit:
            break
    found = {i.request_id: i for i in PrivacyRequest.batch_get(ids)} if ids else {}
    threads = [_thread(found[i]) for i in ids if i in found]
    shown = ((t.user_id, f"privacy-request/{t.request_id}") for t in threads)
    record_listing(shown, actor_role=SUPPORT_ROLE, action=LIST_REQUESTS, now=now)
    return threads


def overdue_count(now: datetime) -> int:
    """Requests still waiting for support's answer after their due date."""
    return sum(1 for _ in _waiting_keys(now))


def of_user(user_id: str) -> list[PrivacyRequest]:
    ids = [key.request_id for key in PrivacyRequest.by_user.query(user_id)]
    return list(PrivacyRequest.batch_get(ids)) if ids else []
