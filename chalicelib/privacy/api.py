"""The user's privacy rights (P10): data export and account erasure."""

from __future__ import annotations

from chalicelib.accounts import mfa, profile
from chalicelib.accounts.errors import AccountGone, ReauthenticationRequired, TooManyAttempts
from chalicelib.accounts.events import Origin, auth_event
from chalicelib.clock import to_rfc3339
from chalicelib.errors import NotFound
from chalicelib.privacy import erasure, exports
from chalicelib.privacy.schemas import EraseMeIn, ErasureOut, ExportOut
from chalicelib.web.access import AUTHENTICATED
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="privacy")
USER_REQUEST = "user_request"


def _export_out(state: exports.ExportState) -> ExportOut:
    return ExportOut(
        id=state.export_id,
        status="ready" if state.status == exports.READY else "pending",
        download_url=state.download_url,
        expires_at=to_rfc3339(state.expires_at) if state.expires_at else None,
    )


@api.route(
    "/v1/me/exports",
    "POST",
    access=AUTHENTICATED,
    response=ExportOut,
    status=202,
    summary="Export all my data as one JSON document (ready within a minute).",
)
def request_export(request: ApiRequest[None, None]) -> ExportOut:
    return _export_out(exports.request_export(request.user.user_id, request.now))


@api.route(
    "/v1/me/exports/{export_id}",
    "GET",
    access=AUTHENTICATED,
    response=ExportOut,
    summary="An export's state; once ready, a download link valid for 15 minutes.",
    errors=(NotFound,),
)
def get_export(request: ApiRequest[None, None], export_id: str) -> ExportOut:
    return _export_out(exports.state(request.user.user_id, export_id, request.now))


@api.route(
    "/v1/me",
    "DELETE",
    access=AUTHENTICATED,
    body=EraseMeIn,
    response=ErasureOut,
    status=202,
    summary="Erase my account: sign-in stops at once, the data goes within a minute.",
    errors=(ReauthenticationRequired, TooManyAttempts, AccountGone),
)
def erase_me(request: ApiRequest[EraseMeIn, None]) -> ErasureOut:
    user = profile.current_user(request.user.user_id)
    origin = Origin(ip=request.client_ip, user_agent=request.user_agent)
    proof = mfa.Reauth(request.body.password, request.user.session_id, request.now, origin)
    mfa.require_reauthentication(user, proof)
    erasure_id = erasure.request_erasure(user.user_id, reason=USER_REQUEST, now=request.now)
    auth_event("erasure_requested", origin, user.user_id)
    return ErasureOut(erasure_id=erasure_id)
