"""One summary line and one set of metrics per job run."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime

from chalicelib.observability import SERVICE, logger


def report(job: str, counts: Mapping[str, int], started: float) -> None:
    """Log ``counts`` of ``job`` as one line and publish them as CloudWatch metrics
    (embedded metric format; each run has its own metric set, so concurrent runs in one
    process do not mix)."""
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    elapsed_ms = round((time.perf_counter() - started) * 1000)
    logger.info("job finished", extra={"job": job, "counts": dict(counts), "ms": elapsed_ms})
    metrics = EphemeralMetrics(namespace="VetPet", service=SERVICE)
    metrics.add_dimension(name="job", value=job)
    for name, value in counts.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    metrics.add_metric(name="duration", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    metrics.flush_metrics()


def run_job(job: str, work: Callable[[datetime], dict[str, int]], now: datetime) -> dict[str, int]:
    started = time.perf_counter()
    counts = work(now)
    report(job, counts, started)
    return counts
