"""The port through which notifications learn of a restriction of processing (P11): the
consent capability stores the user's restriction; this reads it there."""

from __future__ import annotations


def is_restricted(user_id: str) -> bool:
    """Whether ``user_id`` asked to restrict processing (non-essential messages stop)."""
    from chalicelib.consent.operations import restriction  # lazy: consent sends through here

    return restriction(user_id)
