"""Sign-in rules."""

from __future__ import annotations

from datetime import datetime

from chalicelib.accounts import repository
from chalicelib.accounts.passwords import verify_password
from chalicelib.accounts.tokens import issue_access_token
from chalicelib.observability import logger
from chalicelib.web.problems import ProblemError


def login(email: str, password: str, now: datetime) -> tuple[str, int]:
    """Tokens for valid credentials. A wrong e-mail and a wrong password give the same
    401 after the same argon2 work (no account enumeration)."""
    user = repository.find_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        logger.info(
            "auth event", extra={"event": "login_failed", "user_id": getattr(user, "user_id", None)}
        )
        raise ProblemError(401, "invalid_credentials", "The e-mail or password is wrong.")
    if not user.email_verified:
        raise ProblemError(403, "email_unverified", "Verify your e-mail address first.")
    logger.info("auth event", extra={"event": "login_succeeded", "user_id": user.user_id})
    return issue_access_token(user.user_id, user.role, now)
