"""What the accounts rules refuse. Only `chalicelib.web.errors` maps these to HTTP."""

from __future__ import annotations

from chalicelib.errors import DomainError


class InvalidCredentials(DomainError):
    detail = "The e-mail or password is wrong."


class AccountErasing(DomainError):
    """The account asked to be erased: it can no longer sign in."""

    detail = "This account is being erased; it can no longer sign in."


class EmailUnverified(DomainError):
    detail = "Verify your e-mail address first."


class ProviderEmailUnverified(DomainError):
    detail = "The provider did not confirm an e-mail address."


class Underage(DomainError):
    detail = "VetPet is only for people aged 18 or over."


class WeakPassword(DomainError):
    detail = "The password is too common or too easy to guess."


class InvalidCode(DomainError):
    """A wrong, expired or used one-time code (e-mail, reset, invite, enrolment)."""

    detail = "The code is wrong or has expired."


class InvalidSecondFactorCode(DomainError):
    """A wrong code at the second step of a sign-in."""

    detail = "The code is wrong or has expired."


class TooManyAttempts(DomainError):
    """Back-off: ``retry_after`` says how many seconds to wait."""

    detail = "Too many failed attempts; try again later."

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many failed attempts. Try again in {retry_after} seconds.",
            retry_after=retry_after,
        )


class TooManyMessages(DomainError):
    """Too many e-mails or SMS to one address, phone or account within the hour."""

    detail = "Too many messages were sent; try again later."

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many messages were sent. Try again in {retry_after} seconds.",
            retry_after=retry_after,
        )


class TooManyCodes(DomainError):
    detail = "No more codes for this sign-in; sign in again."


class ChallengeInvalid(DomainError):
    detail = "This sign-in has expired or failed; sign in again."


class SmsNotEnrolled(DomainError):
    detail = "No phone is enrolled for SMS codes."


class ChallengeConflict(DomainError):
    detail = "Another request changed this sign-in; try again."


class InvalidRefreshToken(DomainError):
    detail = "The refresh token is not valid."


class RefreshTokenReused(DomainError):
    """A rotated token came back: its family is now revoked."""

    detail = "The refresh token was already used; sign in again."

    def __init__(self, user_id: str) -> None:
        super().__init__()
        self.user_id = user_id


class ReauthenticationRequired(DomainError):
    detail = "Confirm this change with your current password."


class InvalidIdToken(DomainError):
    detail = "The ID token was refused."


class UnknownProvider(DomainError):
    detail = "Unknown sign-in provider."


class ProfileIncomplete(DomainError):
    detail = "A first social sign-in needs your birth date and country."


class EmailTaken(DomainError):
    detail = "An account with this e-mail already exists."


class AccountGone(DomainError):
    """The token's account no longer exists."""

    detail = "The account no longer exists."


class FieldRequired(DomainError):
    """A profile field that cannot be cleared was sent as null."""

    detail = "A required field cannot be empty."


class InvalidAccessToken(DomainError):
    """A missing, malformed, expired, revoked or otherwise invalid access token."""

    detail = "The access token is invalid."


class SocialLinkRefused(DomainError):
    """Vet and admin accounts are never linked to a social sign-in."""

    detail = "This account cannot be signed in to with a social provider."
