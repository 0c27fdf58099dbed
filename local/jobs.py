"""Run one scheduled job by hand against the local stack (`make run` must be running):

    python -m local.jobs run reminders --now 2026-06-01T05:45:00Z
    make job NAME=reminders NOW=2026-06-01T05:45:00Z

Prints the job's counts as JSON. ``--now`` defaults to the current time."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from local.stage import Ports, apply


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run one job once")
    run_parser.add_argument("name")
    run_parser.add_argument("--now", help="RFC 3339 instant (default: the current time)")
    run_parser.add_argument("--aws-port", type=int, default=Ports().aws)
    args = parser.parse_args(argv)
    apply(Ports(aws=args.aws_port))
    from chalicelib.jobs.registry import JOBS, run

    if args.name not in JOBS:
        parser.error(f"unknown job {args.name!r}; one of: {', '.join(JOBS)}")
    now = datetime.fromisoformat(args.now).astimezone(UTC) if args.now else datetime.now(UTC)
    print(json.dumps(run(args.name, now)))


if __name__ == "__main__":
    main()
