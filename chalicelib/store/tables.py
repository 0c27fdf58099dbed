"""The table registry: every PynamoDB model the app stores, in one list. The local
bootstrap, the tests, the data inventory check and the deployed stack all read it."""

from __future__ import annotations

from pynamodb.models import Model


def all_models() -> list[type[Model]]:
    from chalicelib.access_log.models import AccessLogEntry
    from chalicelib.accounts.models import (
        AuthCode,
        EmailClaim,
        LoginChallenge,
        LoginFailures,
        Session,
        SocialLink,
        SocialNonce,
        User,
    )
    from chalicelib.bookings.models import (
        Booking,
        BookingLedger,
        Question,
        QuestionMessage,
        Room,
    )
    from chalicelib.consent.models import (
        Campaign,
        Consent,
        CookieConsent,
        LedgerEvent,
        PolicyAcknowledgement,
        PolicyVersion,
        Restriction,
    )
    from chalicelib.consultants.models import ConsultantProfile, SlotClaim
    from chalicelib.disclosures.models import Disclosure
    from chalicelib.jobs.checkpoints import JobCheckpoint
    from chalicelib.media_nodes.models import MediaNode, RoomPlacement
    from chalicelib.minor_reports.models import MinorReport
    from chalicelib.notifications.chatlinks import ChatLink, ChatLinkToken
    from chalicelib.notifications.outbox import OutboxMessage
    from chalicelib.payments.models import PaymentEventItem, PaymentItem
    from chalicelib.pets.models import Pet
    from chalicelib.privacy.models import ErasureRequest, ExportRequest
    from chalicelib.privacy_requests.models import PrivacyRequest
    from chalicelib.recordings.models import RecordingConsent, RecordingGrant
    from chalicelib.recordings.stored import Recording, RecordingKey

    return [
        User,
        EmailClaim,
        AuthCode,
        LoginChallenge,
        Session,
        LoginFailures,
        SocialLink,
        SocialNonce,
        ConsultantProfile,
        SlotClaim,
        Pet,
        Booking,
        BookingLedger,
        Room,
        Question,
        QuestionMessage,
        OutboxMessage,
        PaymentItem,
        PaymentEventItem,
        PolicyVersion,
        Consent,
        LedgerEvent,
        PolicyAcknowledgement,
        Restriction,
        CookieConsent,
        Campaign,
        ChatLink,
        ChatLinkToken,
        JobCheckpoint,
        MediaNode,
        RoomPlacement,
        AccessLogEntry,
        Recording,
        RecordingKey,
        RecordingConsent,
        RecordingGrant,
        Disclosure,
        PrivacyRequest,
        MinorReport,
        ErasureRequest,
        ExportRequest,
    ]


def create_tables() -> list[str]:
    """Create every registered table (with its indexes and TTL) that does not exist yet."""
    created = []
    for model in all_models():
        if not model.exists():
            model.create_table(wait=True)
            created.append(model.Meta.table_name)
    return created
