"""Media server settings, read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8090
DEFAULT_JWKS_URL = "http://127.0.0.1:8000/v1/.well-known/jwks.json"


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    jwks_url: str
    issuer: str
    rooms_table: str
    workers: int


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from ``env`` (defaults to ``os.environ``)."""
    source = os.environ if env is None else env
    issuer = source.get("VETPET_TOKEN_ISSUER", "")
    if not issuer:
        raise RuntimeError("VETPET_TOKEN_ISSUER must be set")
    return Settings(
        host=source.get("VETPET_MEDIA_HOST", DEFAULT_HOST),
        port=int(source.get("VETPET_MEDIA_PORT", str(DEFAULT_PORT))),
        jwks_url=source.get("VETPET_JWKS_URL", DEFAULT_JWKS_URL),
        issuer=issuer,
        rooms_table=source.get("VETPET_ROOMS_TABLE", ""),
        workers=int(source.get("VETPET_MEDIA_WORKERS", str(os.cpu_count() or 1))),
    )
