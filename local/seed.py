"""Demo data for the local stage only. The shared demo password is documented in the
README as local-only and is never used by any other stage."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.accounts.models import User
from chalicelib.accounts.passwords import hash_password
from chalicelib.accounts.repository import find_by_email
from chalicelib.config import get_settings
from chalicelib.consent import operations as consent
from chalicelib.consent.errors import PolicyVersionExists
from local.demo_consultants import seed_consultants

DEMO_PASSWORD = "VetPet-local-demo-1"  # noqa: S105 - local stage demo only


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str
    country: str
    timezone: str
    language: str


FIRST_POLICY = "2026-01"
FIRST_POLICY_SUMMARY = {
    "uk": "Перша редакція політики конфіденційності VetPet.",
    "ru": "Первая редакция политики конфиденциальности VetPet.",
    "en": "The first version of the VetPet privacy policy.",
}

DEMO_USERS = (
    DemoUser("admin@vetpet.test", "Demo Admin", "admin", "UA", "Europe/Kyiv", "en"),
    DemoUser("vet1@vetpet.test", "Dr. Olena Kovalenko", "vet", "UA", "Europe/Kyiv", "uk"),
    DemoUser("vet2@vetpet.test", "Dr. Marek Nowak", "vet", "PL", "Europe/Warsaw", "en"),
    DemoUser("vet3@vetpet.test", "Dr. Emily Tremblay", "vet", "CA", "America/Toronto", "en"),
)


def seed() -> list[User]:
    """Create the demo users that do not exist yet; return all of them."""
    if not get_settings().is_local:
        raise RuntimeError("demo data is for the local stage only")
    password_hash = hash_password(DEMO_PASSWORD)
    users = []
    for demo in DEMO_USERS:
        user = find_by_email(demo.email)
        if user is None:
            user = User(
                str(uuid.uuid4()),
                email=demo.email,
                email_verified=True,
                password_hash=password_hash,
                role=demo.role,
                name=demo.name,
                country=demo.country,
                timezone=demo.timezone,
                language=demo.language,
                created_at=datetime.now(UTC),
            )
            user.save(User.user_id.does_not_exist())
        users.append(user)
    seed_consultants(users, datetime.now(UTC))
    seed_policy(datetime.now(UTC))
    return users


def seed_policy(now: datetime) -> None:
    """Publish the first policy version (in effect from now) unless it exists."""
    with contextlib.suppress(PolicyVersionExists):
        consent.publish_policy(
            FIRST_POLICY,
            significant=False,
            effective_at=now,
            summary=FIRST_POLICY_SUMMARY,
            text_url=f"{get_settings().web_url}/privacy/{FIRST_POLICY}",
            now=now,
        )
