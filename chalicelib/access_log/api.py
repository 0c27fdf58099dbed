"""The user's access log (P8): who, by role, accessed their data, and a check of the
log's hash chain."""

from __future__ import annotations

from chalicelib.access_log import service
from chalicelib.access_log.entries import Entry
from chalicelib.access_log.schemas import (
    AccessEntryOut,
    AccessLogOut,
    AccessLogQuery,
    AccessLogVerification,
)
from chalicelib.clock import to_rfc3339
from chalicelib.store.errors import InvalidCursor
from chalicelib.web.access import AUTHENTICATED
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="privacy")


def _entry_out(entry: Entry) -> AccessEntryOut:
    return AccessEntryOut(
        at=to_rfc3339(entry.at),
        actor_role=entry.actor_role,
        action=entry.action,
        resource=entry.resource,
        reason=entry.reason,
        recipient=entry.recipient,
    )


@api.route(
    "/v1/me/access-log",
    "GET",
    access=AUTHENTICATED,
    query=AccessLogQuery,
    response=AccessLogOut,
    summary="Every access to my data by someone else, newest first: consultants' reads, "
    "support actions and lawful disclosures (actors by role; a disclosure names its "
    "recipient).",
    errors=(InvalidCursor,),
)
def access_log(request: ApiRequest[None, AccessLogQuery]) -> AccessLogOut:
    entries, cursor = service.page(request.user.user_id, request.query.cursor, request.query.limit)
    return AccessLogOut(items=[_entry_out(e) for e in entries], next_cursor=cursor)


@api.route(
    "/v1/me/access-log/verify",
    "GET",
    access=AUTHENTICATED,
    response=AccessLogVerification,
    summary="Recompute my access log's hash chain from storage: `valid` is false when an "
    "entry was altered, removed or reordered.",
)
def verify(request: ApiRequest[None, None]) -> AccessLogVerification:
    result = service.verify(request.user.user_id)
    return AccessLogVerification(
        valid=result.valid, entries=result.entries, broken_at=result.broken_at
    )
