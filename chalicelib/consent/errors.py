"""Consent rules that refuse a request."""

from __future__ import annotations

from chalicelib.errors import Conflict, DomainError


class UnknownPurpose(DomainError):
    detail = (
        "Unknown consent purpose; use marketing, recording, analytics_cookies, "
        "performance_cookies or social_cookies."
    )


class EssentialRequired(DomainError):
    detail = "Essential cookies are needed for the service to work and cannot be refused."


class PolicyVersionExists(DomainError):
    detail = "This policy version is already published."


class UnknownPolicyVersion(DomainError):
    detail = "No policy version with this name is in effect."


class NoPolicyInEffect(DomainError):
    detail = "No policy version is in effect yet."


class InvalidUnsubscribeToken(DomainError):
    detail = "The unsubscribe link is invalid or has expired."


class ChainConflict(Conflict):
    """Another append took the next place in the subject's ledger first."""

    detail = "A concurrent change reached the consent ledger first; retry."
