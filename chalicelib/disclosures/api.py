"""Lawful disclosure (P8): support-only, recorded in the disclosure trail and in the
user's access log."""

from __future__ import annotations

from chalicelib.clock import to_rfc3339
from chalicelib.disclosures import service
from chalicelib.disclosures.schemas import (
    DisclosureIn,
    DisclosureOut,
    DisclosureTrailVerification,
)
from chalicelib.disclosures.trail import Request
from chalicelib.errors import Conflict, NotFound
from chalicelib.web.access import roles
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="privacy")
ADMIN = roles("admin")


@api.route(
    "/v1/admin/users/{user_id}/disclosures",
    "POST",
    access=ADMIN,
    body=DisclosureIn,
    response=DisclosureOut,
    status=201,
    summary="Record a disclosure of a user's data without consent, to prevent a threat to "
    "life or health or where the law requires it; the user sees it in their access log.",
    errors=(NotFound, Conflict),
)
def disclose(request: ApiRequest[DisclosureIn, None], user_id: str) -> DisclosureOut:
    body = request.body
    entry = service.disclose(
        user_id,
        Request(body.recipient, body.legal_basis, body.reference, tuple(body.data_categories)),
        admin_id=request.user.user_id,
        now=request.now,
    )
    return DisclosureOut(
        id=entry.disclosure_id,
        at=to_rfc3339(entry.at),
        recipient=entry.recipient,
        legal_basis=entry.legal_basis,
        reference=entry.reference,
        data_categories=list(entry.data_categories),
        sequence=entry.sequence,
        hash=entry.entry_hash,
    )


@api.route(
    "/v1/admin/disclosures/verify",
    "GET",
    access=ADMIN,
    operation_id="verifyDisclosureTrail",
    response=DisclosureTrailVerification,
    summary="Recompute the disclosure trail's hash chain from storage: `valid` is false "
    "when an entry was altered, removed or reordered; `broken_at` names the first.",
)
def verify(request: ApiRequest[None, None]) -> DisclosureTrailVerification:
    result = service.verify_trail()
    return DisclosureTrailVerification(
        valid=result.valid, entries=result.entries, broken_at=result.broken_at
    )
