"""A user's consents, consent ledger, acknowledgements and restriction, for export and
erasure (`chalicelib/privacy/registry.py`).

The ledger is append-only for the API (its role is denied Update and Delete); only the
erasure job's role may delete it. It is the proof of each consent decision while the
account exists (accountability, GDPR Art. 7(1)); once the account is erased nothing is
processed on those consents, so the proof goes with it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.consent.models import (
    Campaign,
    Consent,
    LedgerEvent,
    PolicyAcknowledgement,
    Restriction,
)
from chalicelib.privacy.holders import Subject
from chalicelib.privacy.records import delete_all, one, records

# Stands in for an erased admin as the author of a marketing campaign.
ERASED = "erased"


class ConsentRecords:
    models = ("Consent", "LedgerEvent", "PolicyAcknowledgement", "Restriction", "Campaign")

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        user_id = subject.user_id
        return {
            "consents": records(Consent.query(user_id, consistent_read=True)),
            "consent_ledger": records(LedgerEvent.query(user_id, consistent_read=True)),
            "policy_acknowledgements": records(
                PolicyAcknowledgement.query(user_id, consistent_read=True)
            ),
            "restrictions": records(one(Restriction, user_id)),
        }

    def erase(self, subject: Subject, now: datetime) -> None:
        user_id = subject.user_id
        delete_all(Consent.query(user_id, consistent_read=True))
        delete_all(LedgerEvent.query(user_id, consistent_read=True))
        delete_all(PolicyAcknowledgement.query(user_id, consistent_read=True))
        delete_all(one(Restriction, user_id))
        if subject.role == "admin":  # campaigns are few and only admins write them
            for campaign in Campaign.scan(Campaign.created_by == user_id):
                campaign.update(actions=[Campaign.created_by.set(ERASED)])


consent = ConsentRecords()
