"""Reading and writing users: the `UserStore` port, its DynamoDB adapter, and the module
functions the rules call (they use the store configured in `users`).

The contract (held by `tests/unit/accounts/test_user_store_contract.py` for the adapter
and for the in-memory fake alike): e-mail addresses are normalised; one account per
address, enforced when the account is created and when its address changes (a second
claim raises `EmailTakenError` and stores nothing); a new account's opening consent
events are stored with it or not at all (`ChainConflict` when its ledger already has
them); an unknown id or address finds nothing; after a change the account is found by
its new address only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from chalicelib.accounts.models import EmailClaim, User

if TYPE_CHECKING:
    from chalicelib.consent.service import Opening


def normalise_email(email: str) -> str:
    return email.strip().lower()


class EmailTakenError(Exception):
    """Another account holds the address (it won a concurrent creation)."""


class UserStore(Protocol):
    def get(self, user_id: str) -> User | None: ...

    def find_by_email(self, email: str) -> User | None: ...

    def create(self, user: User, opening: Opening | None = None) -> None:
        """Save a new user, claim its address and record its opening consent events at
        once, or raise `EmailTakenError` (`ChainConflict` when its ledger already has
        events) and store nothing."""
        ...

    def change_email(self, user: User, new_email: str) -> None:
        """Move the account to ``new_email`` (claim it, release the old one) at once, or
        raise `EmailTakenError` and change nothing."""
        ...


ACCOUNT, LEDGER = "account", "ledger"  # the labels of a creation's writes


class DynamoUserStore:
    """Users in the users table; the address claim and a new account's opening consent
    events in the same transaction."""

    def get(self, user_id: str) -> User | None:
        try:
            return User.get(user_id)
        except User.DoesNotExist:
            return None

    def find_by_email(self, email: str) -> User | None:
        for entry in User.email_index.query(normalise_email(email), limit=1):
            return self.get(entry.user_id)
        return None

    def create(self, user: User, opening: Opening | None = None) -> None:
        from chalicelib.consent.errors import ChainConflict
        from chalicelib.consent.repository import ledger_writes
        from chalicelib.store.transact import LabelledWrite, write_labelled

        user.email = normalise_email(user.email)
        consent = []
        if opening is not None:
            consent = ledger_writes(user.user_id, opening.events, opening.changes, opening.at)

        def build(tx: LabelledWrite) -> None:
            tx.save(ACCOUNT, user, condition=User.user_id.does_not_exist())
            claim = EmailClaim(user.email, user_id=user.user_id)
            tx.save(ACCOUNT, claim, condition=EmailClaim.email.does_not_exist())
            for item, condition in consent:
                tx.save(LEDGER, item, condition=condition)

        failed = write_labelled(build)
        if ACCOUNT in failed:
            raise EmailTakenError(user.email)
        if failed:
            raise ChainConflict()

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


def create_user(user: User, opening: Opening | None = None) -> None:
    """Save a new user, claim its e-mail address and record its opening consent events
    in one step (`EmailTakenError`)."""
    users.create(user, opening)
