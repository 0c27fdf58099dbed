"""Importing the app loads nothing the first request does not need: no capability's
handlers, schemas or models (they load with the first request to one of their routes),
no JWT/crypto, X-Ray, media or test library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = [
    "aws_encryption_sdk",
    "aiortc",
    "av",
    "cryptography",
    "jwt",
    "moto",
    "babel",
    "pyotp",
    "aws_xray_sdk",
    "stripe",
    "pydantic",
    "pynamodb",
    "chalicelib.accounts.api",
    "chalicelib.bookings.api",
    "chalicelib.consultants.api",
    "chalicelib.pets.api",
    "chalicelib.platform.api",
    "chalicelib.payments.api",
    "chalicelib.consent.api",
]
# The dev venv also holds the media container's packages; aiortc brings pyOpenSSL, which
# botocore imports when present. The Lambda package (requirements.txt) has none of them,
# so the check imports the app as the Lambda would find it.
LAMBDA_ABSENT = ["OpenSSL", "aiortc", "av"]


def test_lambda_requirements_leave_out_the_media_stack() -> None:
    pins = (ROOT / "requirements.txt").read_text().lower()
    assert not any(name.lower() in pins for name in ["aiortc", "av==", "pyopenssl", "moto"])


def test_importing_app_leaves_heavy_modules_unloaded() -> None:
    code = (
        "import json, sys\n"
        f"for name in {LAMBDA_ABSENT!r}: sys.modules[name] = None\n"
        "import app\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules and sys.modules[m]]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
