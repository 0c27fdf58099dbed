"""Importing the app loads nothing the first request does not need (issue 2, item 9)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
]


def test_importing_app_leaves_heavy_modules_unloaded() -> None:
    code = (
        "import json, sys; import app; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
