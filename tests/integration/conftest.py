"""Integration fixtures: the whole local stack (`python -m local.run`, as `make run`
starts it) on free ports, called over HTTP like a client would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local.launcher import Stack, launched


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with launched() as running:
        yield running
