"""The local stage's environment: `.chalice/config.json`'s `local` stage, plus the
addresses of the embedded AWS and the API chosen at start."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGE = "local"


@dataclass(frozen=True)
class Ports:
    api: int = 8000
    aws: int = 4566
    mailbox: int = 8025
    media: int = 8090
    turn: int = 3478
    oidc: int = 8026
    telegram: int = 8028
    payments: int = 8027


def stage_environment(ports: Ports) -> dict[str, str]:
    """Environment variables of the local stage, as Chalice would set them."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    env: dict[str, str] = dict(config.get("environment_variables", {}))
    env.update(config["stages"][STAGE].get("environment_variables", {}))
    env.update(
        {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{ports.aws}",
            "VETPET_ISSUER": f"http://127.0.0.1:{ports.api}",
            "VETPET_WEB_URL": f"http://127.0.0.1:{ports.api}",
            "VETPET_OIDC_LOCAL_ISSUER": f"http://127.0.0.1:{ports.oidc}",
            "VETPET_TELEGRAM_API_URL": f"http://127.0.0.1:{ports.telegram}",
            "VETPET_STRIPE_API_BASE": f"http://127.0.0.1:{ports.payments}",
            "VETPET_LIQPAY_API_BASE": f"http://127.0.0.1:{ports.payments}",
            # The stage's browser origins, plus the stack's own pages (call page, mailbox).
            "VETPET_CORS_ORIGINS": ",".join(
                [
                    *env.get("VETPET_CORS_ORIGINS", "").split(","),
                    f"http://127.0.0.1:{ports.media}",
                    f"http://127.0.0.1:{ports.mailbox}",
                ]
            ).strip(","),
            "VETPET_TURN_URLS": (
                f"stun:127.0.0.1:{ports.turn},"
                f"turn:127.0.0.1:{ports.turn}?transport=udp,turn:127.0.0.1:{ports.turn}?transport=tcp"
            ),
        }
    )
    return env


def apply(ports: Ports) -> dict[str, str]:
    """Put the local stage's environment into this process (before importing chalicelib)."""
    env = stage_environment(ports)
    os.environ.update(env)
    return env
