"""The CDK app: one stack per deployed stage.

    cdk synth -c stage=prod                      # through the CDK CLI (cdk.json)
    python -m infra.app --stage prod             # the same without the CLI
    python -m infra.app                          # every deployed stage into cdk.out/

Stacks are environment-agnostic: synthesis needs no AWS account; `cdk deploy` takes the
account and region from the credentials it runs with."""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Sequence
from contextlib import chdir
from pathlib import Path

from aws_cdk import App, Aspects
from cdk_nag import AwsSolutionsChecks

from infra.stack import VetPetStack
from infra.stages import DEPLOYED_STAGES, stage_config

ROOT = Path(__file__).resolve().parent.parent
# `chalice package` names ARNs with a region; the stack itself stays region-agnostic.
PACKAGING_REGION = "us-east-1"
# Feature flags: S3 access logs are delivered under a bucket policy, not an ACL; the
# media instances start from a launch template (launch configurations are deprecated).
FLAGS: dict[str, object] = {
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    "@aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig": True,
}


def build(stages: Sequence[str], outdir: str, context: dict[str, object] | None = None) -> App:
    """An app with a stack per stage, checked by cdk-nag's AwsSolutions pack."""
    os.environ.setdefault("AWS_DEFAULT_REGION", PACKAGING_REGION)
    app = App(outdir=outdir, context={**FLAGS, **(context or {})})
    for name in stages:
        VetPetStack(app, stage_config(name))
    Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return app


def synth(stages: Sequence[str], outdir: str, context: dict[str, object] | None = None) -> Path:
    """Synthesize into `outdir`; chalice's scratch packages go to a folder removed after."""
    work = Path(outdir).resolve().parent / "chalice.out"
    with chdir(work.parent):
        build(stages, outdir, context).synth()
    shutil.rmtree(work, ignore_errors=True)
    return Path(outdir)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=DEPLOYED_STAGES, action="append")
    parser.add_argument("--outdir", default=os.environ.get("CDK_OUTDIR", str(ROOT / "cdk.out")))
    args = parser.parse_args(argv)
    probe = App()  # reads the CLI's context (`-c stage=prod`)
    from_context = probe.node.try_get_context("stage")
    stages = args.stage or ([from_context] if from_context else list(DEPLOYED_STAGES))
    synth(stages, args.outdir)


if __name__ == "__main__":
    main()
