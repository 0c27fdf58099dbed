"""The personal-data inventory (P2, P9, P10): every stored attribute of every model,
with whether it is personal data, why it is kept, on what legal basis and for how long.
A test fails when a model gains an attribute that is not listed here, and when a model
with personal data (or keyed by a user) is covered by no holder of
`chalicelib/privacy/registry.py`, which export and erasure walk.

Export writes every attribute of the user's items except the ``withheld`` ones
(credentials: hashes, digests, second-factor secrets). Erasure removes every item of the
user, except what `KEPT_ANONYMISED` lists: kept without any link to the user, for the
legal basis and the retention it names."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Retention(StrEnum):
    ACCOUNT = "while the account exists, then erased"
    BOOKING = "BOOKING_RETENTION after a finished booking ends, then purged (privacy/retention.py)"
    QUESTION = "QUESTION_RETENTION after the thread's last message, then purged"
    SHORT_LIVED = "until it expires (minutes to days), then removed by TTL and sweep"
    OPERATIONAL = "not personal; kept while the item exists"
    RECORDING = "recording_retention after the consultation, then purged; erasure shreds the key"
    CONSENT_PROOF = (
        "append-only while the account exists: the proof of each consent decision; erased"
        " with the account (nothing is processed on a consent after that)"
    )
    DISCLOSURE = (
        "append-only, kept after erasure as the record the law requires, unlinked from the "
        "user (subject_id and salt removed)"
    )
    UNTIL_ERASED = "until the erasure completes (about a minute), then removed from the record"
    EXPORT = "EXPORT_RETENTION (7 days) after the export was written, then purged"


class Basis(StrEnum):
    """The legal basis of processing (GDPR Art. 6, and the Ukrainian law on personal data
    that follows it)."""

    CONTRACT = "contract (Art. 6(1)(b)): needed for the service the user signed up for"
    CONSENT = "consent (Art. 6(1)(a)), recorded in the consent ledger"
    ACCOUNTABILITY = "legal obligation (Art. 5(2), 7(1)): proof of consents and erasures"
    LEGITIMATE_INTEREST = "legitimate interest (Art. 6(1)(f)): security and abuse prevention"
    TAX = "legal obligation (Art. 6(1)(c), 17(3)(b)): tax and accounting records"
    DISCLOSURE_RECORD = (
        "legal obligation (Art. 6(1)(c), 17(3)(b),(e)): the record of a disclosure made "
        "under the law"
    )


# The basis of a personal item follows from why it is kept (see `Item.basis`).
_BASIS = {
    Retention.DISCLOSURE: Basis.DISCLOSURE_RECORD,
    Retention.CONSENT_PROOF: Basis.ACCOUNTABILITY,
    Retention.UNTIL_ERASED: Basis.ACCOUNTABILITY,
    Retention.SHORT_LIVED: Basis.LEGITIMATE_INTEREST,
    Retention.RECORDING: Basis.CONSENT,
}


@dataclass(frozen=True)
class Item:
    personal: bool
    purpose: str
    retention: Retention
    # Left out of the export: a credential (hash, digest or secret) proves nothing to the
    # user and would let whoever got hold of the export attack the account.
    withheld: bool = False

    @property
    def basis(self) -> Basis:
        return _BASIS.get(self.retention, Basis.CONTRACT)


@dataclass(frozen=True)
class Kept:
    """What erasure keeps of a model's items, anonymised (no attribute names the user)."""

    dropped: tuple[str, ...]  # removed or overwritten: every link to the user
    basis: Basis
    retention: str


def _key(purpose: str) -> Item:
    return Item(False, purpose, Retention.OPERATIONAL)


def _personal(purpose: str, retention: Retention = Retention.ACCOUNT) -> Item:
    return Item(True, purpose, retention)


def _secret(purpose: str, retention: Retention = Retention.ACCOUNT) -> Item:
    return Item(True, purpose, retention, withheld=True)


_PURGE = {
    "purge_bucket": _key("sparse hour bucket of the retention deadline (retention sweep)"),
    "purge_at": _key("the retention deadline"),
}

INVENTORY: dict[str, dict[str, Item]] = {
    "User": {
        "user_id": _key("identifies the account"),
        "email": _personal("sign-in, account and service e-mail"),
        "email_verified": _key("sign-in is allowed only after verification"),
        "password_hash": _secret("credential (argon2id hash only)"),
        "role": _key("authorization"),
        "name": _personal("shown to the chosen consultant (P7) and in e-mails"),
        "birth_date": _personal("18+ check (P12)"),
        "country": _personal("shown to the chosen consultant (P7); applicable law"),
        "timezone": _personal("times shown in the user's zone; shown to the consultant (P7)"),
        "language": _personal("language of e-mails and the app"),
        "phone": _personal("contact data the user chose to give at registration"),
        "sms_phone": _personal("SMS second factor (P4), confirmed by a code"),
        "totp_secret": _secret("authenticator-app second factor (P4)"),
        "totp_pending_secret": _secret("authenticator-app enrolment until confirmed (P4)"),
        "totp_last_step": _key("refuses a replayed authenticator code"),
        "mfa_challenge_id": _key("the one live second-factor challenge of a sign-in"),
        "erasure_id": _key("the account's erasure request: it can no longer sign in"),
        "address": _personal("contact data the user chose to give"),
        "postcode": _personal("contact data the user chose to give"),
        "created_at": _key("account age, audit"),
        "version": _key("optimistic locking"),
    },
    "EmailClaim": {
        "email": _personal("one account per e-mail address"),
        "user_id": _key("the account holding the address"),
    },
    "AuthCode": {
        "user_id": _key("the user the code was sent to"),
        "purpose": _key("what the code is for"),
        "code_hash": _secret("keyed hash of a one-time code", Retention.SHORT_LIVED),
        "expires_at": _key("codes expire (24 h, 30 min, 10 min, 7 days)"),
        "wrong_tries": _key("a code dies after five wrong tries"),
        "pending": _personal(
            "phone being enrolled for SMS codes, or the new e-mail address being confirmed",
            Retention.SHORT_LIVED,
        ),
        "expires": _key("DynamoDB TTL"),
        **_PURGE,
    },
    "LoginChallenge": {
        "challenge_id": _key("identifies a sign-in waiting for its second factor"),
        "user_id": _key("the user signing in"),
        "methods": _key("second factors offered"),
        "expires_at": _key("challenges expire after 15 minutes"),
        "wrong_tries": _key("five wrong codes kill the challenge"),
        "sms_code_hash": _secret("keyed hash of the SMS code", Retention.SHORT_LIVED),
        "sms_expires_at": _key("SMS codes expire after 10 minutes"),
        "sms_sends": _key("limits SMS sent per sign-in"),
        "expires": _key("DynamoDB TTL"),
        **_PURGE,
        "version": _key("optimistic locking"),
    },
    "Session": {
        "family_id": _key("identifies a refresh-token family"),
        "user_id": _key("the signed-in user"),
        "current_digest": _secret("SHA-256 of the current refresh token", Retention.SHORT_LIVED),
        "issued_digests": _secret(
            "SHA-256 of every refresh token issued: tells reuse from forgery",
            Retention.SHORT_LIVED,
        ),
        "previous_digest": _secret(
            "SHA-256 of the token rotated last (10 s retry grace)", Retention.SHORT_LIVED
        ),
        "rotated_at": _key("start of the 10 s retry grace"),
        "grace_answer": _secret(
            "the last answer, encrypted under the previous token (10 s retry grace)",
            Retention.SHORT_LIVED,
        ),
        "expires_at": _key("refresh tokens expire after 30 days"),
        "revoked": _key("logout, reuse, password change"),
        "created_at": _key("sign-in time"),
        "expires": _key("DynamoDB TTL"),
        **_PURGE,
    },
    "LoginFailures": {
        "key": _secret(
            "back-off key: client IP or a digest of the e-mail (P14)", Retention.SHORT_LIVED
        ),
        "uses": _key("attempts or messages counted in the current window"),
        "window_ends": _key("when the counting window ends (15 minutes or one hour)"),
        "expires": _key("DynamoDB TTL"),
        **_PURGE,
    },
    "SocialLink": {
        "identity": _personal("provider and subject of a linked social account (P3)"),
        "user_id": _key("the linked account"),
        "created_at": _key("when the social account was linked"),
    },
    "SocialNonce": {
        "nonce_digest": _key("SHA-256 of a nonce issued for one social sign-in"),
        "expires_at": _key("a nonce expires after 10 minutes"),
        "expires": _key("DynamoDB TTL"),
        **_PURGE,
    },
    "ConsultantProfile": {
        "consultant_id": _key("identifies the consultant (their user id)"),
        "listed": _key("shown in the public directory"),
        "name": _personal("public directory profile of the consultant (P1)"),
        "photo_url": _personal("public directory profile of the consultant (P1)"),
        "specialties": _key("directory filter"),
        "languages": _key("directory filter"),
        "licences": _personal("public proof of the consultant's licence"),
        "price_amount": _key("price of a consultation"),
        "price_currency": _key("price of a consultation"),
        "slot_minutes": _key("length of a consultation"),
        "bio": _personal("public directory profile of the consultant (P1)"),
        "availability": _key("opening hours from which free slots are generated"),
        "version": _key("optimistic locking"),
        "updated_at": _key("audit"),
    },
    "SlotClaim": {
        "consultant_id": _key("the calendar the slot belongs to"),
        "start": _key("the slot; one claim per slot prevents double bookings"),
        "end": _key("the slot's end, for buffers"),
        "booking_id": _key("the booking holding the slot"),
        "hold_until": _key("an unpaid hold lapses at this instant"),
        "expires": _key("DynamoDB TTL tidy-up"),
        **_PURGE,
    },
    "BookingLedger": {
        "owner_id": _key("the owner whose booking quotas this counts"),
        "booking_ids": _key("the owner's bookings that may still count against the quotas"),
        "version": _key("concurrent bookings of one owner serialise on it"),
    },
    "Pet": {
        "owner_id": _key("the owner; every pet is found by Query on its owner"),
        "pet_id": _key("identifies the pet"),
        "name": _personal("user content: the consultation is about this pet"),
        "species": _personal("user content needed by the consultant"),
        "breed": _personal("user content needed by the consultant"),
        "birth_date": _personal("user content needed by the consultant"),
        "weight_kg": _personal("user content needed by the consultant"),
        "sex": _personal("user content needed by the consultant"),
        "neutered": _personal("user content needed by the consultant"),
        "notes": _personal("user content needed by the consultant"),
        "created_at": _key("audit"),
        "updated_at": _key("audit"),
    },
    "Booking": {
        "booking_id": _key("identifies the booking (derived from the Idempotency-Key)"),
        "owner_id": _key("the client; Query by owner (GSI) for export and erasure"),
        "consultant_id": _key("the chosen consultant"),
        "pet_id": _key("the pet the consultation is about"),
        "start": _key("the booked slot"),
        "end": _key("the booked slot"),
        "reason": _personal(
            "user content: why the owner books, shown to the consultant", Retention.BOOKING
        ),
        "status": _key("booking state machine"),
        "initial_status": _key("idempotent replay of the creation response"),
        "version": _key("optimistic locking"),
        "price_amount": _key("price agreed at booking"),
        "price_currency": _key("price agreed at booking"),
        "hold_expires_at": _key("an unpaid hold lapses at this instant"),
        "pending": _key("sparse index of unpaid holds for the sweep"),
        "request_hash": _key("tells an idempotent replay from a reused key"),
        "rescheduled_from": _key("links a rescheduled booking to its predecessor"),
        "rescheduled_to": _key("links a rescheduled booking to its successor"),
        "cancelled_by": _key("which side cancelled"),
        "created_at": _key("audit"),
        "updated_at": _key("audit"),
        "notices": _key("notices a committed change owes (template, sides), until recorded"),
        "notify": _key("sparse index of bookings with notices to record"),
        "notify_since": _key("when the oldest pending notice was committed"),
        "remind_bucket": _key("sparse hour bucket of the next reminder"),
        "remind_at": _key("instant of the next reminder"),
        **_PURGE,
    },
    "Room": {
        "room_id": _key("the consultation room (= booking id)"),
        "password_hash": _secret(
            "room password set by the owner (argon2id only, P18)", Retention.SHORT_LIVED
        ),
        "expires": _key("DynamoDB TTL tidy-up"),
    },
    "MediaNode": {
        "node_id": _key("identifies an SFU node (no personal data)"),
        "signalling_url": _key("where participants open the room's WebSocket"),
        "public_ip": _key("the node's public address (a server's, not a person's)"),
        "private_url": _key("where the other nodes relay the node's rooms (a server's)"),
        "capacity": _key("rooms the node can take"),
        "live_rooms": _key("rooms live on the node at its last heartbeat"),
        "placed": _key("rooms placed on the node since its last heartbeat"),
        "draining": _key("the node takes no new rooms"),
        "heartbeat_at": _key("liveness of the node"),
        "expires": _key("DynamoDB TTL tidy-up of a node that stopped"),
    },
    "RoomPlacement": {
        "room_id": _key("the consultation room (= booking id)"),
        "node_id": _key("the SFU node hosting the room"),
        "expires": _key("DynamoDB TTL tidy-up, a day after the slot"),
    },
    # recordings: the encrypted media is in S3 (object_key); these items say what it is
    "Recording": {
        "recording_id": _key("identifies the recording"),
        "booking_id": _key("the consultation recorded; Query by booking (GSI)"),
        "owner_id": _key("the client; Query by owner (GSI) for export and erasure"),
        "consultant_id": _key("the consultant of the consultation"),
        "object_key": _personal(
            "where the encrypted recording (voice and image of both sides) is stored",
            Retention.RECORDING,
        ),
        "started_at": _key("when recording started"),
        "duration_s": _key("length of the recording"),
        "size_bytes": _key("size of the recording, for playback (HTTP ranges)"),
        "status": _key("complete, or stopped when consent was withdrawn"),
        **_PURGE,
    },
    "RecordingKey": {
        "owner_id": _key("the owner whose recordings the key protects"),
        "wrapped_key": _personal(
            "the owner's recordings data key, KMS-wrapped; deleting it (erasure) shreds every copy"
        ),
        "key_arn": _key("the KMS key that wrapped it"),
        "created_at": _key("audit"),
    },
    "Question": {
        "question_id": _key("identifies the thread"),
        "owner_id": _key("the client; Query by owner (GSI) for export and erasure"),
        "consultant_id": _key("the chosen consultant"),
        "pet_id": _key("the pet the question is about"),
        "message_count": _key("numbers the thread's messages in order"),
        "created_at": _key("audit"),
        "updated_at": _key("ordering of threads"),
        **_PURGE,
    },
    "QuestionMessage": {
        "question_id": _key("the thread; reached from the owner through the question"),
        "sequence": _key("orders the messages of a thread"),
        "message_id": _key("identifies the message"),
        "author_role": _key("which side wrote the message"),
        "text": _personal("user content: the conversation with the consultant", Retention.QUESTION),
        "created_at": _key("audit"),
    },
    "OutboxMessage": {
        "message_id": _key("identifies the notification"),
        "recipient_id": _key("the recipient; Query by recipient (GSI) for export and erasure"),
        "channel": _key("delivery channel"),
        "address": _personal("where the notification was sent (P5)", Retention.SHORT_LIVED),
        "template": _key("which notification"),
        "language": _key("the recipient's language at sending"),
        "subject": _personal("delivery record of the notification (P5)", Retention.SHORT_LIVED),
        "body": _personal("delivery record of the notification (P5)", Retention.SHORT_LIVED),
        "status": _key("delivery status: queued, sent, failed, dead"),
        "attempts": _key("delivery attempts"),
        "due": _key("sparse index of messages awaiting a retry"),
        "next_attempt_at": _key("retry back-off"),
        "last_error": _key("delivery diagnostics (error type only)"),
        "provider_message_id": _key("the provider's delivery id"),
        "created_at": _key("audit"),
        "sent_at": _key("delivery record"),
        "expires": _key("DynamoDB TTL removes the record after the retention period"),
        "purpose": _key("consent purpose a non-essential message needs at send time (P6)"),
        "headers": _personal(
            "mail headers: the one-click unsubscribe link (P6)", Retention.SHORT_LIVED
        ),
        **_PURGE,
    },
    # consent (P6, P11, P13, P19)
    "PolicyVersion": {
        "version": _key("identifies the policy version"),
        "document": _key("partition of the by-effective-date index"),
        "significant": _key("a significant change must be acknowledged (P19)"),
        "effective_at": _key("when the version takes effect"),
        "summary": _key("the summary shown to users in uk, ru and en"),
        "text_url": _key("where the full text is published"),
        "published_at": _key("audit"),
    },
    "Consent": {
        "user_id": _key("the user; Query by user id for export and erasure"),
        "purpose": _key("the optional purpose (marketing, recording, cookie categories)"),
        "granted": _personal("the user's current decision for the purpose (P11)"),
        "updated_at": _key("when the decision was last changed"),
        "policy_version": _key("the policy in effect when the decision was made"),
        "audience": _key("sparse marketing index (set only while marketing is granted)"),
    },
    "RecordingConsent": {
        "booking_id": _key("the consultation the decisions are about"),
        "owner_id": _key("the booking's owner (erasure)"),
        "owner_granted": _personal(
            "the owner's current recording decision (P17; the ledger keeps each one)",
            Retention.SHORT_LIVED,
        ),
        "consultant_granted": _personal(
            "the consultant's current recording decision (P17)", Retention.SHORT_LIVED
        ),
        "updated_at": _key("time of the last decision"),
        **_PURGE,
    },
    "RecordingGrant": {
        "grant_id": _key("identifies a written-consent share of one recording (P17)"),
        "recording_id": _key("the shared recording"),
        "booking_id": _key("the recording's consultation"),
        "owner_id": _key("the owner who consented"),
        "recipient_email": _personal(
            "the third party the owner chose to share with (P17)", Retention.RECORDING
        ),
        "purpose": _personal("what the owner shares it for (P17)", Retention.RECORDING),
        "expires_at": _key("the share ends (at most 30 days)"),
        "revoked": _key("the owner revoked the share"),
        "revoked_at": _key("when the share was revoked"),
        "consent_hash": _key("SHA-256 of the written consent's text (the ledger keeps the text)"),
        "consent_event_id": _key("the consent-ledger event of the written consent"),
        "key_digest": _key("SHA-256 of the link's secret key (the key is never stored)"),
        "created_at": _key("when the owner shared it"),
    },
    "LedgerEvent": {
        "subject": _key("the user; every event is reached by Query on the user id"),
        "sequence": _key("place of the event in the user's chain"),
        "event_id": _key("the consent receipt id"),
        "purpose": _key("what the decision is about"),
        "decision": _personal(
            "granted, withdrawn, accepted, acknowledged, restricted, lifted",
            Retention.CONSENT_PROOF,
        ),
        "policy_version": _key("the policy version in effect"),
        "policy_hash": _key("SHA-256 of the policy text shown"),
        "language": _personal("language the text was shown in", Retention.CONSENT_PROOF),
        "channel": _key("web, mobile or api"),
        "jurisdiction": _personal(
            "the user's country: the applicable law", Retention.CONSENT_PROOF
        ),
        "recorded_at": _key("timestamp of the decision"),
        "previous_hash": _key("hash chain: the previous event's hash"),
        "event_hash": _key("hash chain: this event's hash"),
        "receipt": _personal("signed consent receipt (JWS) of the event", Retention.CONSENT_PROOF),
        "reference": _key("the booking or disclosure grant a decision is about"),
        "statement": _personal(
            "the text of a written consent (recording disclosure, P17)", Retention.CONSENT_PROOF
        ),
        "statement_hash": _key("SHA-256 of the written consent's text"),
    },
    "PolicyAcknowledgement": {
        "user_id": _key("the user; Query by user id for export and erasure"),
        "version": _key("the acknowledged policy version"),
        "acknowledged_at": _personal("when the user acknowledged it (P19)"),
    },
    "Restriction": {
        "user_id": _key("the user; GetItem by user id"),
        "restricted": _personal("the user restricted processing (P11)"),
        "updated_at": _key("when the restriction last changed"),
    },
    "CookieConsent": {
        "consent_id": _key("random id in the visitor's cookie; no personal data (P13)"),
        "performance": _key("performance cookies allowed"),
        "analytics": _key("analytics cookies allowed"),
        "social": _key("social cookies allowed"),
        "updated_at": _key("when the choice was made"),
        "expires": _key("DynamoDB TTL: the visitor is asked again after about 13 months"),
    },
    "Campaign": {
        "campaign_id": _key("identifies the campaign"),
        "subject": _key("marketing text written by the team (uk, ru, en)"),
        "body": _key("marketing text written by the team (uk, ru, en)"),
        "status": _key("queued, sending, sent"),
        "queued": _key("sparse index of campaigns waiting for the job"),
        "recipients": _key("how many users it went to"),
        "sent": _key("how many messages were delivered"),
        "created_by": _key("the admin who queued it"),
        "created_at": _key("audit"),
        "finished_at": _key("audit"),
    },
    "ChatLink": {
        "user_id": _key("the user whose notifications go to the chat"),
        "channel": _key("the messenger (telegram)"),
        "chat_id": _personal("the chat notifications go to (P5)"),
        "chat_key": _personal("finds the link from the chat (/stop, blocked bot)"),
        "linked_at": _key("audit"),
    },
    "ChatLinkToken": {
        "token_hash": _key("SHA-256 of a one-time chat-link token"),
        "user_id": _key("the user asking to link a chat"),
        "channel": _key("the messenger (telegram)"),
        "expires_at": _key("a link token expires after 15 minutes"),
        "expires": _key("DynamoDB TTL"),
        **_PURGE,
    },
    "JobCheckpoint": {
        "job": _key("the scheduled job"),
        "checkpoint": _key("the hour bucket a sweep reached"),
    },
    "PaymentItem": {
        "booking_id": _key("the booking paid for (one payment per booking)"),
        "owner_id": _key("the payer; export and erasure find payments through bookings"),
        "provider": _key("which processor hosts the payment (P15: no card data here)"),
        "checkout_ref": _key("the processor's checkout (Stripe session, LiqPay order)"),
        "checkout_url": _key("the processor's hosted payment page"),
        "amount": _key("price charged, fixed at booking"),
        "currency": _key("price charged, fixed at booking"),
        "expires_at": _key("the checkout lapses with the booking's hold"),
        "status": _key("payment state: pending, paid, mismatch, refund_pending, refunded"),
        "payment_ref": _key("the processor's payment id, needed for refunds"),
        "refunded_amount": _key("what was refunded by the refund rule"),
        "refund_due": _key("sparse index of refunds the provider has not confirmed yet"),
        "created_at": _key("audit"),
        "updated_at": _key("audit"),
        **_PURGE,
    },
    "AccessLogEntry": {
        "subject_id": _key("the user whose data was accessed; Query by user id (P8)"),
        "sequence": _key("place of the entry in the user's hash chain"),
        "at": _key("when the access happened"),
        "actor_role": _personal("who accessed the user's data, by role only (P8)"),
        "action": _personal("what was done with the user's data (P8)"),
        "resource": _personal("which of the user's items was accessed (P8)"),
        "reason": _personal("the stated reason of an admin action or disclosure (P8)"),
        "recipient": _personal("the recipient of a lawful disclosure (P8)"),
        "previous_hash": _key("hash chain: the previous entry's hash"),
        "entry_hash": _key("hash chain: this entry's hash"),
    },
    "Disclosure": {
        "trail": _key("the one partition of the disclosure trail"),
        "sequence": _key("place of the disclosure in the trail's hash chain"),
        "disclosure_id": _key("identifies the disclosure"),
        "at": _key("when the data was disclosed"),
        "admin_id": _key("the support member who disclosed (staff, not the subject)"),
        "recipient": _personal("who received the user's data (P8)", Retention.DISCLOSURE),
        "legal_basis": _key("vital_interest or legal_obligation"),
        "reference": _personal("the request or order answered (P8)", Retention.DISCLOSURE),
        "data_categories": _personal("which data was disclosed (P8)", Retention.DISCLOSURE),
        "subject_digest": _key("SHA-256 of the salt and the user id; anonymous without both"),
        "previous_hash": _key("hash chain: the previous entry's hash"),
        "entry_hash": _key("hash chain: this entry's hash"),
        "subject_id": _personal("links the entry to the user; removed at erasure (P10)"),
        "subject_salt": _personal("the salt of subject_digest; removed at erasure (P10)"),
    },
    "PrivacyRequest": {
        "request_id": _key("identifies the request"),
        "user_id": _key("the user who asked; Query by user id for export and erasure"),
        "kind": _personal("what the user asked for (P20)"),
        "status": _key("open, answered or closed"),
        "opened_at": _key("start of the one-month answer period"),
        "due_at": _key("when the answer is due (GDPR Art. 12(3))"),
        "extended_at": _key("when support extended the due date (once)"),
        "extension_reason": _personal("why support needs more time; told to the user"),
        "closed_at": _key("when the request was closed"),
        "waiting": _key("sparse index of requests waiting for an answer, by due date"),
        "messages": _personal("the thread between the user and support (P20)"),
    },
    "MinorReport": {
        "report_id": _key("identifies the report"),
        "account_id": _key("the reported account; removed when that account is erased"),
        "reason": _personal("why the reporter thinks the user is under 18 (P12)"),
        "reporter_email": _personal("optional: where support may ask the reporter (P12)"),
        "reported_at": _key("when the report came"),
        "status": _key("pending, confirmed or dismissed"),
        "decided_at": _key("when support decided"),
        "decision_reason": _personal("support's reason for the decision (P12)"),
        "erasure_id": _key("the erasure a confirmed report started"),
        "pending": _key("sparse index: the support queue"),
        "review_account": _key("sparse index: the account is under review while set"),
    },
    # privacy rights (P10)
    "ErasureRequest": {
        "erasure_id": _key("identifies the erasure; the deletion receipt names it"),
        "user_id": _personal("the account to erase", Retention.UNTIL_ERASED),
        "email": _personal("where the deletion receipt goes", Retention.UNTIL_ERASED),
        "language": _personal("language of the deletion receipt", Retention.UNTIL_ERASED),
        "reason": _key("why: the user asked, or a confirmed minor report"),
        "status": _key("pending or done"),
        "requested_at": _key("proof of when the erasure was asked for"),
        "completed_at": _key("proof of when the erasure was done"),
        "todo": _key("sparse index of erasures the job has still to do"),
        **_PURGE,
    },
    "ExportRequest": {
        "user_id": _key("the user whose data is exported; GET is by user and export id"),
        "export_id": _key("identifies the export"),
        "status": _key("pending or ready"),
        "object_key": _key("where the export document lies in the exports bucket"),
        "requested_at": _key("audit"),
        "ready_at": _key("audit"),
        "expires_at": _key("the export is deleted after EXPORT_RETENTION"),
        "todo": _key("sparse index of exports the job has still to write"),
        **_PURGE,
    },
    "PaymentEventItem": {
        "event_id": _key("a processed webhook event counts once"),
        "received_at": _key("audit"),
        "expires": _key("DynamoDB TTL after 7 days (replays come within 72 h)"),
    },
}

KEPT_ANONYMISED: dict[str, Kept] = {
    # Amount, currency, dates, status and the processor's references stay: tax and
    # accounting law keeps payment records (Tax Code of Ukraine art. 44.3: 1095 days).
    "PaymentItem": Kept(
        dropped=("owner_id",),
        basis=Basis.TAX,
        retention="TAX_RECORD_RETENTION after the payment was made, then purged",
    ),
    # The proof that an erasure was asked for and done, with nothing of the user.
    "ErasureRequest": Kept(
        dropped=("user_id", "email", "language"),
        basis=Basis.ACCOUNTABILITY,
        retention="ERASURE_RECORD_RETENTION after the erasure, then purged",
    ),
    # Recipient, basis, reference, categories and the trail's hashes stay: the law asks
    # for the record of each disclosure, and the hash chain cannot lose an entry. The
    # salted digest names nobody once the salt and the user id are gone.
    "Disclosure": Kept(
        dropped=("subject_id", "subject_salt"),
        basis=Basis.DISCLOSURE_RECORD,
        retention="for the life of the disclosure trail (append-only); names nobody",
    ),
    # The decision stays (status, times, the erasure it started): the proof that a
    # confirmed report was acted on. A report the user filed loses their address.
    "MinorReport": Kept(
        dropped=(
            "account_id",
            "review_account",
            "pending",
            "reason",
            "decision_reason",
            "reporter_email",
        ),
        basis=Basis.ACCOUNTABILITY,
        retention="for as long as the service runs; names nobody",
    ),
}
