"""The port through which notifications learn of a restriction of processing (P11).

Until the consent capability stores the user's ``restricted`` flag, nobody is restricted;
the consent capability replaces the body of `is_restricted` with its own read.
"""

from __future__ import annotations


def is_restricted(user_id: str) -> bool:
    """Whether ``user_id`` asked to restrict processing (non-essential messages stop)."""
    return False
