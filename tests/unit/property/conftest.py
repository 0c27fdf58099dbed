"""Hypothesis settings for the property tests: bounded example counts so the tier runs
in seconds, no per-example deadline (a loaded machine must not fail a correct test), and
in CI a fixed seed sequence so a run is reproducible."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", settings.get_profile("dev"), derandomize=True, database=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
