"""`make test`'s tier runner: every tier's verdict counts, none can hang the run, and what a
tier leaves running is stopped with it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from scripts.tiers import _exit_code, _start, run

MAKEFILE = """\
passes:
\t@echo passing output
fails:
\t@echo failing output; exit 3
hangs:
\t@sleep 60
leaves-a-process:
\t@sleep 60 & echo $$! > leftover.pid
"""


@pytest.fixture(autouse=True)
def makefile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Makefile").write_text(MAKEFILE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_all_passing_is_zero_and_each_output_is_printed(capfd: pytest.CaptureFixture[str]) -> None:
    assert run(["passes"], timeout=30) == 0
    out = capfd.readouterr().out
    assert "passing output" in out
    assert "=== passes: passed" in out


def test_one_failing_tier_fails_the_run(capfd: pytest.CaptureFixture[str]) -> None:
    assert run(["passes", "fails"], timeout=30) == 1
    out = capfd.readouterr().out
    assert "failing output" in out
    assert "=== fails: FAILED (exit 2)" in out  # make's own exit for a failed recipe
    assert "=== failed: fails" in out


def test_a_tier_that_outlasts_its_limit_is_killed_and_failed(
    capfd: pytest.CaptureFixture[str],
) -> None:
    assert run(["hangs"], timeout=1) == 1
    assert "killed after 1 s" in capfd.readouterr().out


def test_what_a_tier_leaves_running_is_stopped(makefile: Path) -> None:
    assert run(["leaves-a-process"], timeout=30) == 0
    leftover = int((makefile / "leftover.pid").read_text())
    deadline = time.monotonic() + 10
    while _alive(leftover) and time.monotonic() < deadline:
        time.sleep(0.05)  # SIGKILL is delivered asynchronously
    assert not _alive(leftover)


def _alive(pid: int) -> bool:
    """Running, as opposed to gone or dead and not yet reaped by whoever adopted it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_status_lost_to_another_reaper_is_read_from_its_file(makefile: Path) -> None:
    tier = _start("fails", makefile)
    os.waitpid(tier.process.pid, 0)  # someone else reaps the tier: its wait status is lost
    assert _exit_code(tier) == 2
    tier.output.close()
