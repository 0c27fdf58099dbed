"""Per-stage deployment settings: one place for the names, domains and limits that differ
between `dev` and `prod`. The stack, the Lambda environment and the docs read them here."""

from __future__ import annotations

from dataclasses import dataclass

DEPLOYED_STAGES = ("dev", "prod")


@dataclass(frozen=True)
class StageConfig:
    name: str
    zone_name: str  # Route 53 public hosted zone; the stage's public names live under it
    log_retention_days: int = 30
    throttle_rate: int = 50  # requests per second, whole stage
    throttle_burst: int = 100
    waf_limit: int = 2000  # requests per 5 minutes per IP, whole API
    waf_auth_limit: int = 100  # requests per 5 minutes per IP on /v1/auth/*
    lambda_memory_mb: int = 1024  # argon2id needs the memory and the CPU share it brings
    media_instance_type: str = "c7g.large"
    media_min: int = 1
    media_max: int = 4
    media_udp_ports: str = "40000-40999"
    alarm_5xx_rate: float = 0.01  # share of requests answered 5xx

    @property
    def api_domain(self) -> str:
        """The REST API's custom domain; the token issuer derives from it."""
        return f"api.{self.zone_name}"

    @property
    def web_origin(self) -> str:
        """The web app; e-mail links point here."""
        return f"https://app.{self.zone_name}"

    @property
    def turn_domain(self) -> str:
        return f"turn.{self.zone_name}"

    @property
    def media_domain(self) -> str:
        return f"media.{self.zone_name}"

    @property
    def media_signalling_url(self) -> str:
        """The one public signalling URL every SFU node registers (the media NLB)."""
        return f"wss://{self.media_domain}"

    @property
    def email_sender(self) -> str:
        return f"no-reply@{self.zone_name}"

    @property
    def issuer(self) -> str:
        return f"https://{self.api_domain}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/v1/.well-known/jwks.json"

    @property
    def turn_urls(self) -> str:
        return (
            f"turn:{self.turn_domain}:3478?transport=udp,turns:{self.turn_domain}:443?transport=tcp"
        )


STAGES: dict[str, StageConfig] = {
    "dev": StageConfig(
        name="dev",
        zone_name="dev.vetpet.example",
        log_retention_days=14,
        throttle_rate=20,
        throttle_burst=40,
        media_instance_type="t4g.medium",
        media_max=2,
    ),
    "prod": StageConfig(name="prod", zone_name="vetpet.example"),
}


def stage_config(name: str) -> StageConfig:
    try:
        return STAGES[name]
    except KeyError:
        raise SystemExit(f"unknown stage {name!r}; deployed stages: {DEPLOYED_STAGES}") from None
