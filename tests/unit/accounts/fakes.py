"""An in-memory `UserStore`, held to the same contract suite as the DynamoDB adapter."""

from __future__ import annotations

import threading

from chalicelib.accounts.models import User
from chalicelib.accounts.repository import EmailTakenError, normalise_email
from chalicelib.consent.service import Opening
from tests.unit.consent.fakes import InMemoryConsentRepository


class InMemoryUserStore:
    """Users and address claims in dicts; a new account's opening events go to
    ``consents`` (an in-memory ledger) under the same lock."""

    def __init__(self) -> None:
        self.consents = InMemoryConsentRepository()
        self._users: dict[str, User] = {}
        self._claims: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    def find_by_email(self, email: str) -> User | None:
        user_id = self._claims.get(normalise_email(email))
        return self._users.get(user_id) if user_id else None

    def create(self, user: User, opening: Opening | None = None) -> None:
        user.email = normalise_email(user.email)
        with self._lock:
            if user.email in self._claims or user.user_id in self._users:
                raise EmailTakenError(user.email)
            if opening is not None:  # ChainConflict before anything is stored
                self.consents.append(opening.events, opening.changes, opening.at)
            self._claims[user.email] = user.user_id
            self._users[user.user_id] = user

    def change_email(self, user: User, new_email: str) -> None:
        new_email = normalise_email(new_email)
        with self._lock:
            if new_email in self._claims:
                raise EmailTakenError(new_email)
            del self._claims[user.email]
            self._claims[new_email] = user.user_id
            user.email = new_email
            user.email_verified = True
