"""Password acceptance rules (ASVS 5.0 V6.2): length, no composition rules, no common passwords.

Strength is judged by zxcvbn (a maintained estimator with frequency lists of leaked
passwords), imported lazily to keep the Lambda cold path lean.
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_LENGTH = 8
MAX_LENGTH = 1024
# zxcvbn refuses inputs longer than this; the remainder only adds strength, so the prefix is scored.
_SCORED_PREFIX = 72


class WeakPasswordError(ValueError):
    """The password is refused; ``reason`` is safe to show (it never contains the password)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_password(password: str, context: Iterable[str] = (), min_score: int = 2) -> None:
    """Raise WeakPasswordError unless ``password`` is acceptable.

    ``context`` holds user-specific words (e-mail, name) that make a password guessable.
    Length counts Unicode code points; nothing is stripped or truncated.
    """
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"The password must have at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPasswordError(f"The password must have at most {MAX_LENGTH} characters.")
    from zxcvbn import zxcvbn

    words = [word for word in context if word]
    result = zxcvbn(password[:_SCORED_PREFIX], user_inputs=words)
    if int(result["score"]) < min_score:
        raise WeakPasswordError("The password is too common or too easy to guess.")
