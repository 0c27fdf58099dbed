"""Domain errors of notifications and chat links."""

from __future__ import annotations

from chalicelib.errors import DomainError


class WebhookSecretInvalid(DomainError):
    """A chat-bot webhook call without the secret the bot was registered with."""

    detail = "The webhook secret is missing or wrong."
