"""Reading and writing users."""

from __future__ import annotations

from chalicelib.accounts.models import EmailClaim, User


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    for entry in User.email_index.query(normalise_email(email), limit=1):
        return User.get(entry.user_id)
    return None


def get_user(user_id: str) -> User | None:
    try:
        return User.get(user_id)
    except User.DoesNotExist:
        return None


class EmailTakenError(Exception):
    """Another account holds the address (it won a concurrent creation)."""


def create_user(user: User) -> None:
    """Save a new user and claim its e-mail address in one transaction."""
    from pynamodb.exceptions import TransactWriteError
    from pynamodb.transactions import TransactWrite

    from chalicelib.store.transact import transaction_connection

    try:
        with TransactWrite(connection=transaction_connection()) as tx:
            tx.save(user, condition=User.user_id.does_not_exist())
            tx.save(
                EmailClaim(user.email, user_id=user.user_id),
                condition=EmailClaim.email.does_not_exist(),
            )
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise EmailTakenError(user.email) from None
        raise
