"""Erasure (P10, P12): the entry point that closes an account at once, and the job step
that completes it.

`request_erasure` marks the account (sign-in stops: `chalicelib.accounts.service` refuses
an account with an ``erasure_id``), records the request and revokes every session; the
``erasure`` job (`chalicelib/jobs/erasure.py`) then erases every item of the user through
the holders of `chalicelib/privacy/registry.py`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from chalicelib.accounts.errors import AccountGone
from chalicelib.accounts.models import User
from chalicelib.privacy.models import TODO, ErasureRequest

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
