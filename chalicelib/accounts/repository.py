"""Reading and writing users: the `UserStore` port, its DynamoDB adapter, and the module
functions the rules call (they use the store configured in `users`).

The contract (held by `tests/unit/accounts/test_user_store_contract.py` for the adapter
and for the in-memory fake alike): e-mail addresses are normalised; one account per
address, enforced when the account is created and when its address changes (a second
claim raises `EmailTakenError` and stores nothing); an unknown id or address finds
nothing; after a change the account is found by its new address only.
"""

from __future__ import annotations

from typing import Protocol

from chalicelib.accounts.models import EmailClaim, User


def normalise_email(email: str) -> str:
    return email.strip().lower()


class EmailTakenError(Exception):
    """Another account holds the address (it won a concurrent creation)."""


class UserStore(Protocol):
    def get(self, user_id: str) -> User | None: ...

    def find_by_email(self, email: str) -> User | None: ...

    def create(self, user: User) -> None:
        """Save a new user and claim its address at once, or raise `EmailTakenError`."""
        ...

    def change_email(self, user: User, new_email: str) -> None:
        """Move the account to ``new_email`` (claim it, release the old one) at once, or
        raise `EmailTakenError` and change nothing."""
        ...


class DynamoUserStore:
    """Users in the users table; the address claim in the same transaction."""

    def get(self, user_id: str) -> User | None:
        try:
            return User.get(user_id)
        except User.DoesNotExist:
            return None

    def find_by_email(self, email: str) -> User | None:
        for entry in User.email_index.query(normalise_email(email), limit=1):
            return self.get(entry.user_id)
        return None

    def create(self, user: User) -> None:
        from pynamodb.exceptions import TransactWriteError
        from pynamodb.transactions import TransactWrite

        from chalicelib.store.transact import transaction_connection

        user.email = normalise_email(user.email)
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

    def change_email(self, user: User, new_email: str) -> None:
        from pynamodb.exceptions import TransactWriteError
        from pynamodb.transactions import TransactWrite

        from chalicelib.store.transact import transaction_connection

        new_email, old_email = normalise_email(new_email), user.email
        try:
            with TransactWrite(connection=transaction_connection()) as tx:
                tx.save(
                    EmailClaim(new_email, user_id=user.user_id),
                    condition=EmailClaim.email.does_not_exist(),
                )
                tx.delete(EmailClaim(old_email), condition=EmailClaim.user_id == user.user_id)
                tx.update(
                    user,
                    actions=[User.email.set(new_email), User.email_verified.set(True)],
                    condition=User.email == old_email,
                )
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                raise EmailTakenError(new_email) from None
            raise
        user.email = new_email


users: UserStore = DynamoUserStore()


def find_by_email(email: str) -> User | None:
    return users.find_by_email(email)


def get_user(user_id: str) -> User | None:
    return users.get(user_id)


def change_email(user: User, new_email: str) -> None:
    """Move the account to a proven new address (`EmailTakenError` if it is taken)."""
    users.change_email(user, new_email)


def create_user(user: User) -> None:
    """Save a new user and claim its e-mail address in one step (`EmailTakenError`)."""
    users.create(user)
