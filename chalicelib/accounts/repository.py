"""Reading and writing users."""

from __future__ import annotations

from chalicelib.accounts.models import User


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
