"""Accounts routes: registration, sign-in, second factors, sessions, profile, invites."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.accounts import (
    email_change,
    mfa,
    nonces,
    profile,
    registration,
    service,
    social_signin,
)
from chalicelib.accounts.errors import (
    AccountErasing,
    AccountGone,
    ChallengeConflict,
    ChallengeInvalid,
    EmailTaken,
    EmailUnverified,
    FieldRequired,
    InvalidAccessToken,
    InvalidCode,
    InvalidCredentials,
    InvalidIdToken,
    InvalidRefreshToken,
    InvalidSecondFactorCode,
    ProfileIncomplete,
    ProviderEmailUnverified,
    ReauthenticationRequired,
    RefreshTokenReused,
    SmsNotEnrolled,
    SocialLinkRefused,
    TooManyAttempts,
    TooManyCodes,
    TooManyMessages,
    Underage,
    UnknownProvider,
    WeakPassword,
)
from chalicelib.accounts.events import Origin
from chalicelib.accounts.keys import key_ring
from chalicelib.accounts.models import User
from chalicelib.accounts.schemas import (
    AcceptInviteIn,
    ChallengeIn,
    ChangePasswordIn,
    ConfirmFactorIn,
    EmailChangeIn,
    EmailConfirmIn,
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
    NonceOut,
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
from chalicelib.clock import to_rfc3339
from chalicelib.consent import hooks as consent_hooks
from chalicelib.web.access import AUTHENTICATED, PUBLIC, roles
from chalicelib.web.routing import ApiBlueprint, ApiRequest

api = ApiBlueprint(__name__, tag="accounts")


def _origin(request: ApiRequest[Any, Any]) -> Origin:
    return Origin(ip=request.client_ip, user_agent=request.user_agent)


def _tokens(tokens: service.Tokens) -> TokensOut:
    return TokensOut(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
    )


def _sign_in(result: service.Tokens | service.MfaChallenge) -> TokensOut | MfaRequiredOut:
    if isinstance(result, service.MfaChallenge):
        return MfaRequiredOut(challenge_id=result.challenge_id, methods=result.methods)
    return _tokens(result)


def _profile(user: User) -> ProfileOut:
    return ProfileOut(
        user_id=user.user_id,
        email=user.email,
        email_verified=user.email_verified,
        role=user.role,
        name=user.name,
        birth_date=date.fromisoformat(user.birth_date) if user.birth_date else None,
        country=user.country,
        timezone=user.timezone,
        language=user.language,
        phone=user.phone,
        address=user.address,
        postcode=user.postcode,
        mfa_methods=mfa.methods(user),
        restricted=consent_hooks.restricted(user.user_id),
        created_at=to_rfc3339(user.created_at),
    )


def _me(request: ApiRequest[Any, Any]) -> User:
    return profile.current_user(request.user.user_id)


REAUTH_ERRORS = (ReauthenticationRequired, TooManyAttempts)


# --- registration and recovery ----------------------------------------------------------


@api.route(
    "/v1/auth/register",
    "POST",
    access=PUBLIC,
    body=RegisterIn,
    response=StatusOut,
    status=202,
    summary="Register an owner account (18+); a verification code is e-mailed.",
    errors=(Underage, WeakPassword, TooManyMessages),
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
    errors=(InvalidCode,),
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
    errors=(TooManyMessages,),
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
    errors=(TooManyMessages,),
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
    errors=(InvalidCode, WeakPassword),
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
    errors=(InvalidCode, WeakPassword),
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
    errors=(InvalidCredentials, EmailUnverified, TooManyAttempts, AccountErasing),
)
def login(request: ApiRequest[LoginIn, None]) -> TokensOut | MfaRequiredOut:
    body = request.body
    return _sign_in(
        service.login(
            str(body.email), body.password, request.now, _origin(request), body.cookie_consent_id
        )
    )


@api.route(
    "/v1/auth/social/nonce",
    "POST",
    access=PUBLIC,
    response=NonceOut,
    summary="A single-use nonce (10 minutes) to put in the provider's ID token request.",
)
def social_nonce(request: ApiRequest[None, None]) -> NonceOut:
    issued = nonces.issue(request.now)
    return NonceOut(nonce=issued.nonce, expires_at=to_rfc3339(issued.expires_at))


@api.route(
    "/v1/auth/social/{provider}",
    "POST",
    operation_id="signInWithProvider",
    path_values={"provider": ("google", "apple", "facebook")},
    access=PUBLIC,
    body=SocialSignInIn,
    response=LoginOut,
    summary="Sign in with a Google, Apple or Facebook ID token (creates or links an owner).",
    errors=(
        InvalidIdToken,
        AccountErasing,
        UnknownProvider,
        ProfileIncomplete,
        Underage,
        ProviderEmailUnverified,
        SocialLinkRefused,
        *REAUTH_ERRORS,
    ),
)
def social_sign_in(
    request: ApiRequest[SocialSignInIn, None], provider: str
) -> TokensOut | MfaRequiredOut:
    return _sign_in(social_signin.sign_in(provider, request.body, request.now, _origin(request)))


@api.route(
    "/v1/auth/mfa/sms/send",
    "POST",
    access=PUBLIC,
    body=ChallengeIn,
    response=StatusOut,
    status=202,
    summary="Send an SMS code for this sign-in challenge.",
    errors=(ChallengeInvalid, SmsNotEnrolled, TooManyCodes, ChallengeConflict, TooManyMessages),
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
    errors=(InvalidSecondFactorCode, ChallengeInvalid, TooManyAttempts, AccountErasing),
)
def verify_mfa(request: ApiRequest[MfaVerifyIn, None]) -> TokensOut:
    body = request.body
    return _tokens(
        service.verify_second_factor(body.challenge_id, body.code, request.now, _origin(request))
    )


@api.route(
    "/v1/auth/refresh",
    "POST",
    operation_id="refreshTokens",
    access=PUBLIC,
    body=RefreshIn,
    response=TokensOut,
    summary="Exchange a refresh token for new tokens (rotation; reuse revokes the family).",
    errors=(InvalidRefreshToken, RefreshTokenReused),
)
def refresh(request: ApiRequest[RefreshIn, None]) -> TokensOut:
    return _tokens(service.refresh(request.body.refresh_token, request.now, _origin(request)))


@api.route(
    "/v1/auth/logout",
    "POST",
    access=PUBLIC,
    body=LogoutIn,
    status=204,
    summary="Sign out: revoke the session family of the refresh token (or access token).",
    errors=(InvalidAccessToken,),
)
def logout(request: ApiRequest[LogoutIn, None]) -> None:
    caller = request.principal
    service.logout(
        request.body.refresh_token,
        caller.user_id if caller else None,
        caller.session_id if caller else None,
        _origin(request),
    )
    return


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


@api.route(
    "/v1/me",
    "GET",
    access=AUTHENTICATED,
    response=ProfileOut,
    summary="My profile.",
    errors=(AccountGone,),
)
def get_me(request: ApiRequest[None, None]) -> ProfileOut:
    return _profile(_me(request))


@api.route(
    "/v1/me",
    "PATCH",
    access=AUTHENTICATED,
    body=ProfilePatchIn,
    response=ProfileOut,
    summary="Correct my name, birth date, country, phone, address, postcode, language or zone.",
    errors=(AccountGone, FieldRequired, Underage),
)
def patch_me(request: ApiRequest[ProfilePatchIn, None]) -> ProfileOut:
    body = request.body
    values = {name: getattr(body, name) for name in body.model_fields_set}
    return _profile(profile.patch(_me(request), values, request.now))


@api.route(
    "/v1/me/email",
    "POST",
    access=AUTHENTICATED,
    body=EmailChangeIn,
    response=StatusOut,
    status=202,
    summary="Change my e-mail address: a code goes to the new one, the old stays until then.",
    errors=(*REAUTH_ERRORS, EmailTaken, TooManyMessages),
)
def change_email(request: ApiRequest[EmailChangeIn, None]) -> StatusOut:
    body = request.body
    email_change.start(_me(request), str(body.new_email), _proof(request, body.password))
    return StatusOut(status="code_sent")


@api.route(
    "/v1/me/email/confirm",
    "POST",
    access=AUTHENTICATED,
    body=EmailConfirmIn,
    response=ProfileOut,
    summary="Confirm the new e-mail address with the code sent to it.",
    errors=(InvalidCode, EmailTaken),
)
def confirm_email(request: ApiRequest[EmailConfirmIn, None]) -> ProfileOut:
    return _profile(email_change.confirm(_me(request), request.body.code, request.now))


@api.route(
    "/v1/me/password",
    "POST",
    operation_id="changeMyPassword",
    access=AUTHENTICATED,
    body=ChangePasswordIn,
    response=StatusOut,
    summary="Change my password (needs the current one); every session is revoked.",
    errors=(ReauthenticationRequired, WeakPassword),
)
def change_password(request: ApiRequest[ChangePasswordIn, None]) -> StatusOut:
    body = request.body
    registration.change_password(
        _me(request), body.current_password, body.new_password, _origin(request)
    )
    return StatusOut(status="password_changed")


# Every second-factor change needs the current password (a social-only account: a sign-in
# under 5 minutes old) and e-mails the user.


def _proof(request: ApiRequest[Any, Any], password: str | None) -> mfa.Reauth:
    return mfa.Reauth(password, request.user.session_id, request.now, _origin(request))


@api.route(
    "/v1/me/mfa/sms",
    "POST",
    operation_id="startSmsEnrolment",
    access=AUTHENTICATED,
    body=SmsEnrolIn,
    response=StatusOut,
    status=202,
    summary="Start SMS second-factor enrolment: a code is sent to the phone.",
    errors=(*REAUTH_ERRORS, TooManyMessages),
)
def enrol_sms(request: ApiRequest[SmsEnrolIn, None]) -> StatusOut:
    body = request.body
    mfa.start_sms_enrolment(_me(request), body.phone, _proof(request, body.password))
    return StatusOut(status="code_sent")


@api.route(
    "/v1/me/mfa/sms/confirm",
    "POST",
    operation_id="confirmSmsEnrolment",
    access=AUTHENTICATED,
    body=ConfirmFactorIn,
    response=MfaMethodsOut,
    summary="Confirm SMS enrolment with the code received.",
    errors=(*REAUTH_ERRORS, InvalidCode),
)
def confirm_sms(request: ApiRequest[ConfirmFactorIn, None]) -> MfaMethodsOut:
    body = request.body
    proof = _proof(request, body.password)
    return MfaMethodsOut(methods=mfa.confirm_sms_enrolment(_me(request), body.code, proof))


@api.route(
    "/v1/me/mfa/totp",
    "POST",
    operation_id="startTotpEnrolment",
    access=AUTHENTICATED,
    body=ReauthIn,
    response=TotpEnrolOut,
    summary="Start authenticator-app enrolment: a secret and its otpauth:// URI.",
    errors=REAUTH_ERRORS,
)
def enrol_totp(request: ApiRequest[ReauthIn, None]) -> TotpEnrolOut:
    proof = _proof(request, request.body.password)
    secret, uri = mfa.start_totp_enrolment(_me(request), proof)
    return TotpEnrolOut(secret=secret, otpauth_uri=uri)


@api.route(
    "/v1/me/mfa/totp/confirm",
    "POST",
    operation_id="confirmTotpEnrolment",
    access=AUTHENTICATED,
    body=ConfirmFactorIn,
    response=MfaMethodsOut,
    summary="Confirm authenticator-app enrolment with a current code.",
    errors=(*REAUTH_ERRORS, InvalidCode),
)
def confirm_totp(request: ApiRequest[ConfirmFactorIn, None]) -> MfaMethodsOut:
    body = request.body
    proof = _proof(request, body.password)
    return MfaMethodsOut(methods=mfa.confirm_totp_enrolment(_me(request), body.code, proof))


def _remove(request: ApiRequest[ReauthIn, None], method: mfa.Method) -> MfaMethodsOut:
    proof = _proof(request, request.body.password)
    return MfaMethodsOut(methods=mfa.remove(_me(request), method, proof))


@api.route(
    "/v1/me/mfa/sms",
    "DELETE",
    access=AUTHENTICATED,
    body=ReauthIn,
    response=MfaMethodsOut,
    summary="Remove the SMS second factor.",
    errors=REAUTH_ERRORS,
)
def remove_sms(request: ApiRequest[ReauthIn, None]) -> MfaMethodsOut:
    return _remove(request, "sms")


@api.route(
    "/v1/me/mfa/totp",
    "DELETE",
    access=AUTHENTICATED,
    body=ReauthIn,
    response=MfaMethodsOut,
    summary="Remove the authenticator-app second factor.",
    errors=REAUTH_ERRORS,
)
def remove_totp(request: ApiRequest[ReauthIn, None]) -> MfaMethodsOut:
    return _remove(request, "totp")


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
    errors=(EmailTaken,),
)
def invite_consultant(request: ApiRequest[InviteConsultantIn, None]) -> InviteOut:
    user_id = registration.invite_consultant(
        request.body, request.now, _origin(request), request.user.user_id
    )
    return InviteOut(user_id=user_id)
