"""Scheduled jobs: plain functions of ``now`` that return their counts.

Each is safe to run twice and to run concurrently (every write is conditional or keyed
so a second run finds nothing left to do), and logs one summary line with its metrics.
`app.py` wires each to its own EventBridge schedule; the local runner and
``python -m local.jobs run <name>`` call the same functions (see `registry.JOBS`).
"""
