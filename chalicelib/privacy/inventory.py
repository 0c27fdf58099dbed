"""The personal-data inventory (P2, P9, P10): every stored attribute of every model,
with whether it is personal data, why it is kept and for how long. A test fails when a
model gains an attribute that is not listed here; export and erasure walk this list."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Retention(StrEnum):
    ACCOUNT = "while the account exists, then erased"
    SHORT_LIVED = "until it expires (minutes to days), then removed by TTL and sweep"
    OPERATIONAL = "not personal; kept while the item exists"


@dataclass(frozen=True)
class Item:
    personal: bool
    purpose: str
    retention: Retention


def _key(purpose: str) -> Item:
    return Item(False, purpose, Retention.OPERATIONAL)


def _personal(purpose: str, retention: Retention = Retention.ACCOUNT) -> Item:
    return Item(True, purpose, retention)


INVENTORY: dict[str, dict[str, Item]] = {
    "User": {
        "user_id": _key("identifies the account"),
        "email": _personal("sign-in, account and service e-mail"),
        "email_verified": _key("sign-in is allowed only after verification"),
        "password_hash": _personal("credential (argon2id hash only)"),
        "role": _key("authorization"),
        "name": _personal("shown to the chosen consultant (P7) and in e-mails"),
        "birth_date": _personal("18+ check (P12)"),
        "country": _personal("shown to the chosen consultant (P7); applicable law"),
        "timezone": _personal("times shown in the user's zone; shown to the consultant (P7)"),
        "language": _personal("language of e-mails and the app"),
        "phone": _personal("SMS second factor (P4)"),
        "address": _personal("contact data the user chose to give"),
        "postcode": _personal("contact data the user chose to give"),
        "created_at": _key("account age, audit"),
        "version": _key("optimistic locking"),
    },
}
