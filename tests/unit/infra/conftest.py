"""The deployed stacks, synthesized once (both stages, with cdk-nag) and shared by every
test worker and by later runs until an input changes: synthesis costs far more than
the tests that read its output."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
# Everything synthesis reads: the stack's code, the app it packages, the pins, the media image.
INPUTS = (
    "infra/**/*.py",
    "infra/requirements.txt",
    "app.py",
    "chalicelib/**/*.py",
    ".chalice/config.json",
    "requirements*.txt",
    "media/Dockerfile",
    "media/requirements.txt",
    "cdk.json",
)


# Syntheses unused for this long are removed; younger ones may belong to another checkout
# (a worktree, a fresh clone) whose tests are reading them right now.
STALE_AFTER_SECONDS = 24 * 3600
_KEPT_ENV = {"PATH", "HOME", "LANG", "TMPDIR", "PIP_CACHE_DIR", "npm_config_cache"}


@dataclass(frozen=True)
class Assembly:
    outdir: Path

    def template(self, stage: str) -> dict[str, Any]:
        path = self.outdir / f"vetpet-{stage}.template.json"
        return json.loads(path.read_text())  # type: ignore[no-any-return]

    def resources(self, stage: str, kind: str) -> dict[str, dict[str, Any]]:
        return {k: r for k, r in self.template(stage)["Resources"].items() if r["Type"] == kind}


def _digest() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted({p for pattern in INPUTS for p in ROOT.glob(pattern)}):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def assembly() -> Assembly:
    cache = Path(tempfile.gettempdir()) / "vetpet-cdk"
    cache.mkdir(exist_ok=True)
    here = cache / _digest()
    with (cache / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker synthesizes, the others wait
        if not (here / "complete").exists():
            _remove_stale(cache)
            here.mkdir()
            # In its own process, as `make synth` runs it: building a stage's stack reads
            # that stage's settings, which must not leak into the tests' process.
            subprocess.run(
                [sys.executable, "-m", "infra.app", "--outdir", str(here / "cdk.out")],
                cwd=ROOT,
                env={k: v for k, v in os.environ.items() if k in _KEPT_ENV},
                check=True,
                capture_output=True,
            )
        (here / "complete").touch()  # marks it used, so it is not stale for a day
    return Assembly(here / "cdk.out")


def _remove_stale(cache: Path) -> None:
    """Under the lock: interrupted syntheses, and complete ones unused for a day."""
    now = time.time()
    for synthesis in cache.iterdir():
        done = synthesis / "complete"
        if not synthesis.is_dir():
            continue
        if not done.exists() or now - done.stat().st_mtime > STALE_AFTER_SECONDS:
            shutil.rmtree(synthesis)
