"""Recordings refusals."""

from __future__ import annotations

from chalicelib.errors import DomainError


class InvalidGrantExpiry(DomainError):
    """A disclosure grant must end in the future and within 30 days."""

    detail = "expires_at must be in the future and at most 30 days away."


class RecordingKeyShredded(DomainError):
    """The owner's recordings key is gone (erased): no copy of the recording decrypts."""

    detail = "This recording can no longer be decrypted."


class RecordingUnreadable(DomainError):
    """The ciphertext does not decrypt under this booking's owner key and context (it was
    copied from elsewhere, altered, or is not a recording)."""

    detail = "This recording does not decrypt for its booking."
