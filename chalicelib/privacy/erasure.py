"""Erasure (P10, P12): the entry point that closes an account at once, and the job step
that completes it.

`request_erasure` marks the account (sign-in stops: `chalicelib.accounts.service` refuses
an account with an ``erasure_id``), records the request and revokes every session; the
``erasure`` job (`chalicelib/jobs/erasure.py`) then erases every item of the user through
the holders of `chalicelib/privacy/registry.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.accounts.errors import AccountGone
from chalicelib.accounts.models import User
from chalicelib.clock import to_rfc3339
from chalicelib.config import ERASURE_RECORD_RETENTION
from chalicelib.privacy.holders import Subject
from chalicelib.privacy.models import TODO, ErasureRequest, waiting
from chalicelib.privacy.records import subject_of
from chalicelib.store.expiry import PURGE, bucket_of

PENDING = "pending"
DONE = "done"


def request_erasure(user_id: str, *, reason: str, now: datetime) -> str:
    """Close the account of ``user_id`` at once and record its erasure; the erasure id.

    Repeating it returns the first request's id. Raises `AccountGone` for an unknown user.
    """
    from pynamodb.exceptions import TransactWriteError
    from pynamodb.transactions import TransactWrite

    from chalicelib.accounts import sessions
    from chalicelib.store.transact import transaction_connection

    try:
        user = User.get(user_id, consistent_read=True)
    except User.DoesNotExist:
        raise AccountGone() from None
    if user.erasure_id is not None:
        return user.erasure_id
    erasure_id = str(uuid.uuid4())
    request = ErasureRequest(
        erasure_id,
        user_id=user_id,
        email=user.email,
        language=user.language,
        reason=reason,
        status=PENDING,
        requested_at=now,
        todo=TODO,
    )
    try:
        with TransactWrite(connection=transaction_connection()) as tx:
            tx.save(request, condition=ErasureRequest.erasure_id.does_not_exist())
            tx.update(
                user,
                actions=[User.erasure_id.set(erasure_id)],
                condition=User.user_id.exists() & User.erasure_id.does_not_exist(),
            )
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        return _settled(user_id)  # a concurrent request won, or the account went
    sessions.revoke_all(user_id)
    return erasure_id


def _settled(user_id: str) -> str:
    try:
        erasure_id = User.get(user_id, consistent_read=True).erasure_id
    except User.DoesNotExist:
        raise AccountGone() from None
    if erasure_id is None:
        raise AccountGone()
    return erasure_id


def _subject(request: ErasureRequest) -> Subject:
    """Whose data: the account while it exists, else what the request remembers (a
    repeated run after the account itself was erased)."""
    try:
        return subject_of(User.get(str(request.user_id), consistent_read=True))
    except User.DoesNotExist:
        return Subject(str(request.user_id), str(request.email), role="owner")


def _send_receipt(request: ErasureRequest, now: datetime) -> None:
    """The deletion receipt, sent straight (no outbox record would outlive it)."""
    from chalicelib.accounts.messages import render
    from chalicelib.notifications.channels import SesEmailSender

    text = render(
        "erasure_receipt",
        request.language or "en",
        completed_at=to_rfc3339(now),
        erasure_id=request.erasure_id,
    )
    SesEmailSender().send_email(str(request.email), text.subject, text.body)


def complete(request: ErasureRequest, now: datetime) -> bool:
    """Erase every item of the request's user through every holder, send the deletion
    receipt, then keep the request only in its anonymised form. Safe to repeat: a run
    that fails part-way leaves the request pending for the next run."""
    from chalicelib.accounts import sessions
    from chalicelib.privacy.registry import holders

    if request.status != PENDING or request.user_id is None:
        return False
    subject = _subject(request)
    sessions.revoke_all(subject.user_id)  # a sign-in that raced the request ends too
    for holder in holders():
        holder.erase(subject, now)
    _send_receipt(request, now)
    purge_at = now + ERASURE_RECORD_RETENTION
    try:
        request.update(
            actions=[
                ErasureRequest.status.set(DONE),
                ErasureRequest.completed_at.set(now),
                ErasureRequest.user_id.remove(),
                ErasureRequest.email.remove(),
                ErasureRequest.language.remove(),
                ErasureRequest.todo.remove(),
                ErasureRequest.purge_bucket.set(bucket_of(PURGE, purge_at)),
                ErasureRequest.purge_at.set(purge_at),
            ],
            condition=ErasureRequest.status == PENDING,
        )
    except UpdateError:  # a concurrent run finished it first
        return False
    return True


def pending(now: datetime) -> Iterator[ErasureRequest]:
    return waiting(ErasureRequest, now, lambda key: (key.erasure_id,))


def complete_pending(now: datetime) -> dict[str, int]:
    """The ``erasure`` job: complete every pending erasure."""
    return {"erased": sum(1 for request in pending(now) if complete(request, now))}


def purge_erasure_record(key: Any, now: datetime) -> bool:
    """Retention: the anonymised proof of an erasure, ``ERASURE_RECORD_RETENTION`` on."""
    try:
        ErasureRequest(key.erasure_id).delete(condition=ErasureRequest.purge_at <= now)
    except DeleteError:
        return False
    return True
