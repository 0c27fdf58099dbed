"""Accounts routes: registration, sign-in, second factors, sessions, profile, invites."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from chalicelib.accounts import mfa, profile, registration, service, social_signin
from chalicelib.accounts.events import Origin
from chalicelib.accounts.keys import key_ring
from chalicelib.accounts.schemas import (
    AcceptInviteIn,
    ChallengeIn,
    ChangePasswordIn,
    CodeIn,
    EmailIn,
    InviteConsultantIn,
    InviteOut,
    JwksOut,
    LoginIn,
    LoginOut,
    LogoutIn,
    MfaMethodsOut,
    MfaRequiredOut,
    MfaVerifyIn,
    ProfileOut,
    ProfilePatchIn,
    ReauthIn,
    RefreshIn,
    RegisterIn,
    ResetPasswordIn,
    SmsEnrolIn,
    SocialSignInIn,
    StatusOut,
    TokensOut,
    TotpEnrolOut,
    VerifyEmailIn,
)
from chalicelib.web.access import AUTHENTICATED, PUBLIC, roles
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="accounts")


def _origin(request: ApiRequest[Any, Any]) -> Origin:
    return Origin(ip=request.client_ip, user_agent=request.user_agent)


# --- registration and recovery ----------------------------------------------------------


@api.route(
    "/v1/auth/register",
    "POST",
    access=PUBLIC,
    body=RegisterIn,
    response=StatusOut,
    status=202,
    summary="Register an owner account (18+); a verification code is e-mailed.",
    errors=("underage", "weak_password"),
)
def register(request: ApiRequest[RegisterIn, None]) -> StatusOut:
    registration.register(request.body, request.now, _origin(request))
    return StatusOut(status="verification_sent")


@api.route(
    "/v1/auth/verify-email",
    "POST",
    access=PUBLIC,
    body=VerifyEmailIn,
    response=StatusOut,
    summary="Verify the e-mail address with the 6-digit code.",
    errors=("invalid_code",),
)
def verify_email(request: ApiRequest[VerifyEmailIn, None]) -> StatusOut:
    registration.verify_email(
        str(request.body.email), request.body.code, request.now, _origin(request)
    )
    return StatusOut(status="verified")


@api.route(
    "/v1/auth/verify-email/resend",
    "POST",
    operation_id="resendVerificationEmail",
    access=PUBLIC,
    body=EmailIn,
    response=StatusOut,
    status=202,
    summary="Send a new verification code (same answer for any address).",
)
def resend_verification(request: ApiRequest[EmailIn, None]) -> StatusOut:
    registration.resend_verification(str(request.body.email), request.now, _origin(request))
    return StatusOut(status="verification_sent")


@api.route(
    "/v1/auth/password/forgot",
    "POST",
    access=PUBLIC,
    body=EmailIn,
    response=StatusOut,
    status=202,
    summary="E-mail a password reset code (same answer for any address).",
)
def forgot_password(request: ApiRequest[EmailIn, None]) -> StatusOut:
    registration.forgot_password(str(request.body.email), request.now, _origin(request))
    return StatusOut(status="reset_code_sent")


@api.route(
    "/v1/auth/password/reset",
    "POST",
    access=PUBLIC,
    body=ResetPasswordIn,
    response=StatusOut,
    summary="Set a new password with the e-mailed code; every session is revoked.",
    errors=("invalid_code", "weak_password"),
)
def reset_password(request: ApiRequest[ResetPasswordIn, None]) -> StatusOut:
    body = request.body
    registration.reset_password(
        str(body.email), body.code, body.new_password, request.now, _origin(request)
    )
    return StatusOut(status="password_reset")


@api.route(
    "/v1/auth/invite/accept",
    "POST",
    access=PUBLIC,
    body=AcceptInviteIn,
    response=StatusOut,
    summary="A consultant sets the password with the invite code.",
    errors=("invalid_code", "weak_password"),
)
def accept_invite(request: ApiRequest[AcceptInviteIn, None]) -> StatusOut:
    body = request.body
    registration.accept_invite(
        str(body.email), body.code, body.password, request.now, _origin(request)
    )
    return StatusOut(status="password_set")


# --- sign-in and sessions ----------------------------------------------------------------


@api.route(
    "/v1/auth/login",
    "POST",
    access=PUBLIC,
    body=LoginIn,
    response=LoginOut,
    summary="Sign in with e-mail and password; a second factor may be required.",
    errors=("invalid_credentials", "email_unverified", "too_many_attempts"),
)
def login(request: ApiRequest[LoginIn, None]) -> TokensOut | MfaRequiredOut:
    return service.login(
        str(request.body.email), request.body.password, request.now, _origin(request)
    )


@api.route(
    "/v1/auth/social/{provider}",
    "POST",
    operation_id="signInWithProvider",
    path_values={"provider": ("google", "apple", "facebook")},
    access=PUBLIC,
    body=SocialSignInIn,
    response=LoginOut,
    summary="Sign in with a Google, Apple or Facebook ID token (creates or links the account).",
    errors=("invalid_id_token", "profile_incomplete", "underage", "email_unverified", "not_found"),
)
def social_sign_in(
    request: ApiRequest[SocialSignInIn, None], provider: str
) -> TokensOut | MfaRequiredOut:
    return social_signin.sign_in(provider, request.body, request.now, _origin(request))


@api.route(
    "/v1/auth/mfa/sms/send",
    "POST",
    access=PUBLIC,
    body=ChallengeIn,
    response=StatusOut,
    status=202,
    summary="Send an SMS code for this sign-in challenge.",
    errors=("challenge_invalid", "sms_not_enrolled", "too_many_codes", "conflict"),
)
def send_mfa_sms(request: ApiRequest[ChallengeIn, None]) -> StatusOut:
    mfa.send_challenge_sms(request.body.challenge_id, request.now, _origin(request))
    return StatusOut(status="code_sent")


@api.route(
    "/v1/auth/mfa/verify",
    "POST",
    access=PUBLIC,
    body=MfaVerifyIn,
    response=TokensOut,
    summary="Complete a sign-in with an SMS or authenticator code.",
    errors=("invalid_code", "challenge_invalid"),
)
def verify_mfa(request: ApiRequest[MfaVerifyIn, None]) -> TokensOut:
    body = request.body
    return service.verify_second_factor(body.challenge_id, body.code, request.now, _origin(request))


@api.route(
    "/v1/auth/refresh",
    "POST",
    operation_id="refreshTokens",
    access=PUBLIC,
    body=RefreshIn,
    response=TokensOut,
    summary="Exchange a refresh token for new tokens (rotation; reuse revokes the family).",
    errors=("invalid_refresh_token", "refresh_token_reused"),
)
def refresh(request: ApiRequest[RefreshIn, None]) -> TokensOut:
    return service.refresh(request.body.refresh_token, request.now, _origin(request))


@api.route(
    "/v1/auth/logout",
    "POST",
    access=PUBLIC,
    body=LogoutIn,
    status=204,
    summary="Sign out: revoke the session family of the refresh token (or access token).",
)
def logout(request: ApiRequest[LogoutIn, None]) -> Response:
    service.logout(request.body.refresh_token, request.principal, _origin(request))
    return Response(body="", status_code=204)


@api.route(
    "/v1/.well-known/jwks.json",
    "GET",
    access=PUBLIC,
    response=JwksOut,
    summary="Public keys that verify access and room tokens.",
)
def jwks(request: ApiRequest[None, None]) -> dict[str, Any]:
    return key_ring.jwks()


# --- the signed-in user --------------------------------------------------------------------


@api.route("/v1/me", "GET", access=AUTHENTICATED, response=ProfileOut, summary="My profile.")
def get_me(request: ApiRequest[None, None]) -> ProfileOut:
    return profile.view(profile.current_user(request.user.user_id))


@api.route(
    "/v1/me",
    "PATCH",
    access=AUTHENTICATED,
    body=ProfilePatchIn,
    response=ProfileOut,
    summary="Correct my name, address, postcode, language or time zone.",
)
def patch_me(request: ApiRequest[ProfilePatchIn, None]) -> ProfileOut:
    return profile.patch(profile.current_user(request.user.user_id), request.body)


@api.route(
    "/v1/me/password",
    "POST",
    operation_id="changeMyPassword",
    access=AUTHENTICATED,
    body=ChangePasswordIn,
    response=StatusOut,
    summary="Change my password (needs the current one); every session is revoked.",
    errors=("reauthentication_required", "weak_password"),
)
def change_password(request: ApiRequest[ChangePasswordIn, None]) -> StatusOut:
    user = profile.current_user(request.user.user_id)
    body = request.body
    registration.change_password(user, body.current_password, body.new_password, _origin(request))
    return StatusOut(status="password_changed")


@api.route(
    "/v1/me/mfa/sms",
    "POST",
    operation_id="startSmsEnrolment",
    access=AUTHENTICATED,
    body=SmsEnrolIn,
    response=StatusOut,
    status=202,
    summary="Start SMS second-factor enrolment: a code is sent to the phone.",
    errors=("reauthentication_required",),
)
def enrol_sms(request: ApiRequest[SmsEnrolIn, None]) -> StatusOut:
    user = profile.current_user(request.user.user_id)
    body = request.body
    mfa.start_sms_enrolment(user, body.phone, body.password, request.now, _origin(request))
    return StatusOut(status="code_sent")


@api.route(
    "/v1/me/mfa/sms/confirm",
    "POST",
    operation_id="confirmSmsEnrolment",
    access=AUTHENTICATED,
    body=CodeIn,
    response=MfaMethodsOut,
    summary="Confirm SMS enrolment with the code received.",
    errors=("invalid_code",),
)
def confirm_sms(request: ApiRequest[CodeIn, None]) -> MfaMethodsOut:
    user = profile.current_user(request.user.user_id)
    enrolled = mfa.confirm_sms_enrolment(user, request.body.code, request.now, _origin(request))
    return MfaMethodsOut(methods=enrolled)


@api.route(
    "/v1/me/mfa/totp",
    "POST",
    operation_id="startTotpEnrolment",
    access=AUTHENTICATED,
    body=ReauthIn,
    response=TotpEnrolOut,
    summary="Start authenticator-app enrolment: a secret and its otpauth:// URI.",
    errors=("reauthentication_required",),
)
def enrol_totp(request: ApiRequest[ReauthIn, None]) -> TotpEnrolOut:
    user = profile.current_user(request.user.user_id)
    secret, uri = mfa.start_totp_enrolment(user, request.body.password, _origin(request))
    return TotpEnrolOut(secret=secret, otpauth_uri=uri)


@api.route(
    "/v1/me/mfa/totp/confirm",
    "POST",
    operation_id="confirmTotpEnrolment",
    access=AUTHENTICATED,
    body=CodeIn,
    response=MfaMethodsOut,
    summary="Confirm authenticator-app enrolment with a current code.",
    errors=("invalid_code",),
)
def confirm_totp(request: ApiRequest[CodeIn, None]) -> MfaMethodsOut:
    user = profile.current_user(request.user.user_id)
    enrolled = mfa.confirm_totp_enrolment(user, request.body.code, request.now, _origin(request))
    return MfaMethodsOut(methods=enrolled)


# --- administration ----------------------------------------------------------------------


@api.route(
    "/v1/admin/consultants",
    "POST",
    operation_id="inviteConsultant",
    access=roles("admin"),
    body=InviteConsultantIn,
    response=InviteOut,
    status=201,
    summary="Invite a consultant (vet): an e-mail carries a code to set the password.",
    errors=("email_taken",),
)
def invite_consultant(request: ApiRequest[InviteConsultantIn, None]) -> InviteOut:
    user_id = registration.invite_consultant(
        request.body, request.now, _origin(request), request.user.user_id
    )
    return InviteOut(user_id=user_id)
