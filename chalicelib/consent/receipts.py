"""Signed artefacts of consent: a Kantara Consent Receipt for every ledger event, and the
one-click unsubscribe token (RFC 8058). Both are compact JWS (ES256) made with the API's
signing keys, so anyone can check them against `/v1/.well-known/jwks.json`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.accounts.keys import key_ring
from chalicelib.config import (
    CONSENT_RECEIPT_TYPE,
    UNSUBSCRIBE_AUDIENCE,
    UNSUBSCRIBE_TOKEN_TTL,
    get_settings,
)
from chalicelib.consent.errors import InvalidUnsubscribeToken
from chalicelib.consent.service import MARKETING, Event, Signer

KANTARA_VERSION = "KI-CR-v1.1.0"
CONTROLLER = "VetPet"
ALGORITHMS = ["ES256"]


def _sign(claims: dict[str, Any], typ: str) -> str:
    import jwt

    key = key_ring.signing_key()
    return jwt.encode(
        claims, key.private_key, algorithm="ES256", headers={"kid": key.kid, "typ": typ}
    )


def receipt_claims(event: Event, policy_url: str | None) -> dict[str, Any]:
    """The Kantara Consent Receipt fields that apply to one event, plus the event's place
    in the subject's hash chain."""
    return {
        "iss": get_settings().issuer,
        "iat": int(event.recorded_at.timestamp()),
        "version": KANTARA_VERSION,
        "jurisdiction": event.jurisdiction,
        "consentTimestamp": int(event.recorded_at.timestamp()),
        "collectionMethod": event.channel,
        "consentReceiptID": event.event_id,
        "language": event.language,
        "piiPrincipalId": event.subject,
        "piiControllers": [{"piiController": CONTROLLER, "onBehalf": False}],
        "policyUrl": policy_url,
        "services": [
            {
                "service": CONTROLLER,
                "purposes": [
                    {
                        "purpose": event.purpose,
                        "consentType": "EXPLICIT",
                        "primaryPurpose": False,
                        "termination": "on withdrawal, at any time, by one call",
                        "thirdPartyDisclosure": False,
                    }
                ],
            }
        ],
        "sensitive": False,
        "spiCat": [],
        "decision": event.decision,
        "policyVersion": event.policy_version,
        "policyHash": event.policy_hash,
        "sequence": event.sequence,
        "previousHash": event.previous_hash,
        "eventHash": event.event_hash,
    }


def receipt_signer(policy_url: str | None) -> Signer:
    """Signs each event's receipt; ``policy_url`` is the text of the version in effect."""

    def sign(event: Event) -> str:
        return _sign(receipt_claims(event, policy_url), CONSENT_RECEIPT_TYPE)

    return sign


def unsubscribe_token(user_id: str, now: datetime) -> str:
    issued = int(now.timestamp())
    claims = {
        "iss": get_settings().issuer,
        "aud": UNSUBSCRIBE_AUDIENCE,
        "sub": user_id,
        "purpose": MARKETING,
        "iat": issued,
        "exp": issued + int(UNSUBSCRIBE_TOKEN_TTL.total_seconds()),
    }
    return _sign(claims, "JWT")


def unsubscribe_subject(token: str) -> str:
    """The user an unsubscribe token was made for; `InvalidUnsubscribeToken` otherwise."""
    import jwt

    try:
        kid = str(jwt.get_unverified_header(token).get("kid", ""))
    except jwt.PyJWTError:
        raise InvalidUnsubscribeToken() from None
    key = key_ring.verification_key(kid)
    if key is None:
        raise InvalidUnsubscribeToken()
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.private_key.public_key(),
            algorithms=ALGORITHMS,
            audience=UNSUBSCRIBE_AUDIENCE,
            issuer=get_settings().issuer,
            options={"require": ["iss", "aud", "sub", "iat", "exp", "purpose"]},
        )
    except jwt.PyJWTError:
        raise InvalidUnsubscribeToken() from None
    if claims["purpose"] != MARKETING:
        raise InvalidUnsubscribeToken()
    return str(claims["sub"])
