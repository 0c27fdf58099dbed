"""The deployed stacks, synthesized once per test session (both stages, with cdk-nag)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class Assembly:
    outdir: Path

    def template(self, stage: str) -> dict[str, Any]:
        return json.loads((self.outdir / f"vetpet-{stage}.template.json").read_text())  # type: ignore[no-any-return]

    def resources(self, stage: str, kind: str) -> dict[str, dict[str, Any]]:
        return {k: r for k, r in self.template(stage)["Resources"].items() if r["Type"] == kind}


@pytest.fixture(scope="session")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Assembly:
    from infra.app import synth
    from infra.stages import DEPLOYED_STAGES

    outdir = tmp_path_factory.mktemp("cdk") / "cdk.out"
    return Assembly(synth(DEPLOYED_STAGES, str(outdir)))
