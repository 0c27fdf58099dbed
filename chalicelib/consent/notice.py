"""Is a signed-in user behind on the policy (P19)? One cached read of the latest
significant version in effect, plus one read of the user's acknowledgement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.config import POLICY_CACHE_TTL
from chalicelib.consent.models import PolicyVersion
from chalicelib.consent.repository import DynamoConsentRepository, policies_in_effect
from chalicelib.consent.service import ConsentRepository

POLICY_UPDATE_HEADER = "VetPet-Policy-Update"


@dataclass(frozen=True)
class _Entry:
    version: PolicyVersion | None
    loaded_at: datetime


class SignificantPolicyCache:
    """The latest significant version in effect, kept in-process for a short while (a
    publication in this process clears it at once; others see it within the TTL)."""

    def __init__(self) -> None:
        self._entry: _Entry | None = None

    def clear(self) -> None:
        self._entry = None

    def get(self, now: datetime) -> PolicyVersion | None:
        entry = self._entry
        if entry is None or not entry.loaded_at <= now < entry.loaded_at + POLICY_CACHE_TTL:
            latest = next((p for p in policies_in_effect(now) if p.significant), None)
            entry = self._entry = _Entry(latest, now)
        return entry.version


significant_policy = SignificantPolicyCache()


def pending_policy(
    user_id: str, now: datetime, repository: ConsentRepository | None = None
) -> PolicyVersion | None:
    """The significant version the user has not acknowledged yet, if any."""
    latest = significant_policy.get(now)
    if latest is None:
        return None
    if (repository or DynamoConsentRepository()).acknowledged(user_id, latest.version):
        return None
    return latest


def policy_notice_headers(user_id: str, now: datetime) -> dict[str, str]:
    """The header every authenticated response carries while a significant version
    waits for the user's acknowledgement."""
    pending = pending_policy(user_id, now)
    return {POLICY_UPDATE_HEADER: pending.version} if pending else {}
