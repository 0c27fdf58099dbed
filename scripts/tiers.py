"""Run make targets side by side, each printed whole when it ends: `make test`'s tiers.

Each target runs as ``make <target>`` in a session of its own, so that whatever it leaves
running (a stack, a TURN server, a browser) is killed with its process group when it ends,
and a target that outlasts ``--timeout`` is killed and counted as failed. Every child is
waited for by its own pid, and also writes its exit code to a file: should the wait lose
the child's status, that file gives it, and no file counts as failed, never as passed.

    python scripts/tiers.py [--timeout SECONDS] TARGET [TARGET ...]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

POLL_SECONDS = 0.5
MAKE = shutil.which("make") or "/usr/bin/make"
# Runs one target and records its exit code: $1 make, $2 the target, $3 the status file.
RECIPE = '"$1" --no-print-directory "$2"; code=$?; echo "$code" > "$3"; exit "$code"'


@dataclass
class Tier:
    target: str
    process: subprocess.Popen[bytes]
    output: IO[bytes]
    status: Path
    started: float


def _start(target: str, workdir: Path) -> Tier:
    output = tempfile.TemporaryFile(prefix=f"tier-{target}-")  # noqa: SIM115 - closed in _report
    status = workdir / f"{target}.status"
    process = subprocess.Popen(  # noqa: S603 - our own make, our own targets
        ["/bin/sh", "-c", RECIPE, "tier", MAKE, target, str(status)],
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Tier(target, process, output, status, time.monotonic())


def _exit_code(tier: Tier) -> int | None:
    """The tier's exit code once it has ended, None while it runs."""
    try:
        pid, status = os.waitpid(tier.process.pid, os.WNOHANG)
    except ChildProcessError:  # the status was lost: the process is gone or still running
        try:
            os.kill(tier.process.pid, 0)
        except ProcessLookupError:
            return _recorded_code(tier)
        return None
    return os.waitstatus_to_exitcode(status) if pid else None


def _recorded_code(tier: Tier) -> int:
    try:
        return int(tier.status.read_text())
    except (OSError, ValueError):
        return 1


def _kill_group(tier: Tier) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(tier.process.pid, signal.SIGKILL)


def _report(tier: Tier, code: int, note: str = "") -> None:
    tier.output.seek(0)
    sys.stdout.flush()
    sys.stdout.buffer.write(tier.output.read())
    tier.output.close()
    seconds = time.monotonic() - tier.started
    verdict = "passed" if code == 0 else f"FAILED (exit {code}{note})"
    print(f"=== {tier.target}: {verdict} in {seconds:.0f} s", flush=True)


def run(targets: list[str], timeout: float) -> int:
    """Run every target at once; 0 when all of them passed."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # an inherited "ignore" would lose statuses
    workdir = Path(tempfile.mkdtemp(prefix="tiers-"))
    running = [_start(target, workdir) for target in targets]
    failed: list[str] = []
    while running:
        time.sleep(POLL_SECONDS)
        for tier in list(running):
            code = _exit_code(tier)
            note = ""
            if code is None and time.monotonic() - tier.started > timeout:
                _kill_group(tier)
                code, note = 1, f", killed after {timeout:.0f} s"
                tier.process.wait()
            if code is None:
                continue
            _kill_group(tier)  # what the tier left behind
            running.remove(tier)
            _report(tier, code, note)
            if code != 0:
                failed.append(tier.target)
    shutil.rmtree(workdir, ignore_errors=True)
    if failed:
        print(f"=== failed: {' '.join(failed)}", flush=True)
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=2400, help="seconds per target")
    parser.add_argument("targets", nargs="+")
    args = parser.parse_args()
    sys.exit(run(args.targets, args.timeout))


if __name__ == "__main__":
    main()
