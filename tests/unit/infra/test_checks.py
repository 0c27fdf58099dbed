"""The synthesized templates pass cfn-lint, checkov and cdk-nag (AwsSolutions) with no
unexplained finding, name every resource the code uses, and ship compiled bytecode."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra.stages import DEPLOYED_STAGES

from .conftest import Assembly

ROOT = Path(__file__).resolve().parents[3]
TOOLS = ROOT / ".venv-infra" / "bin"  # checkov and the SAM translator (make .venv-infra/.installed)
CHECKOV = TOOLS / "checkov"
# What CloudFormation's SAM transform makes of a template (run in the tools' venv).
SAM_TRANSFORM = """
import json, sys
from samtranslator.translator.transform import transform

class NoManagedPolicies:  # the template names no managed policy by name
    def load(self):
        return {}

print(json.dumps(transform(json.load(open(sys.argv[1])), {}, NoManagedPolicies())))
"""


def _templates(assembly: Assembly) -> list[str]:
    return [str(assembly.outdir / f"vetpet-{s}.template.json") for s in DEPLOYED_STAGES]


def test_cfn_lint_finds_nothing(assembly: Assembly) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), *_templates(assembly)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_finds_nothing_unexplained(assembly: Assembly) -> None:
    assert CHECKOV.exists(), "build the checker's venv: make .venv-infra/.installed"
    files = [arg for template in _templates(assembly) for arg in ("-f", template)]
    result = subprocess.run(  # one run for both templates: checkov's start-up is slow
        [
            str(CHECKOV),
            *files,
            "--framework",
            "cloudformation",
            "--compact",
            "--quiet",
            "-o",
            "json",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    failed = [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert failed == [], failed
    assert report["summary"]["resource_count"] > 100
    assert report["summary"]["passed"] > 100


def test_every_checkov_suppression_in_the_templates_has_its_reason(assembly: Assembly) -> None:
    skips = [
        skip
        for stage in DEPLOYED_STAGES
        for resource in assembly.template(stage)["Resources"].values()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    assert all(len(skip["comment"]) > 20 for skip in skips)


@pytest.mark.parametrize(
    "finding", [("CKV_AWS_18", ""), ("AwsSolutions-S1", "   "), ("S3-logging", "a reason")]
)
def test_a_suppression_without_a_reason_or_a_known_checker_is_refused(
    finding: tuple[str, str],
) -> None:
    from aws_cdk import App, Stack

    from infra.nag import suppress

    with pytest.raises(ValueError, match="suppression"):
        suppress(Stack(App(), "Scratch"), finding)


def test_cdk_nag_finds_nothing_unsuppressed(assembly: Assembly) -> None:
    for stage in DEPLOYED_STAGES:
        with (assembly.outdir / f"AwsSolutions--vetpet-{stage}-NagReport.csv").open() as f:
            rows = list(csv.DictReader(f))
        assert len(rows) > 50
        open_findings = [
            (r["Rule ID"], r["Resource ID"]) for r in rows if r["Compliance"] == "Non-Compliant"
        ]
        assert open_findings == []
        assert all(
            r["Exception Reason"].strip() not in ("", "N/A")
            for r in rows
            if r["Compliance"] == "Suppressed"
        )


def test_prod_template_creates_every_resource_the_code_names_in_prod(
    assembly: Assembly,
) -> None:
    template = assembly.template("prod")
    env = dict(template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"])
    # A deploy-time reference, not a name; the code refuses to start without a value.
    env["VETPET_TURN_SECRET"] = "resolved-at-deploy"
    probe = (
        "import json\n"
        "from chalicelib.config import get_settings\n"
        "from chalicelib.store.tables import all_models\n"
        "s = get_settings()\n"
        "print(json.dumps({'tables': [m.Meta.table_name for m in all_models()],"
        " 'bucket': s.recordings_bucket, 'alias': s.recordings_key_alias,"
        " 'secrets': [s.signing_keys_secret_id, s.code_key_secret_id]}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    used = json.loads(result.stdout)
    resources = template["Resources"].values()

    def names(kind: str, field: str) -> set[str]:
        return {r["Properties"][field] for r in resources if r["Type"] == kind}

    assert all(t.startswith("vetpet-prod-") for t in used["tables"])
    assert set(used["tables"]) <= names("AWS::DynamoDB::Table", "TableName")
    assert used["bucket"] in names("AWS::S3::Bucket", "BucketName")
    assert used["alias"] in names("AWS::KMS::Alias", "AliasName")
    assert set(used["secrets"]) <= names("AWS::SecretsManager::Secret", "Name")


@pytest.fixture(scope="module")
def packages(assembly: Assembly) -> dict[str, set[str]]:
    """The file names in each Lambda zip the prod stack deploys."""
    manifest = json.loads((assembly.outdir / "vetpet-prod.assets.json").read_text())
    zips = {}
    for asset in manifest["files"].values():
        path = assembly.outdir / asset["source"]["path"]
        if path.suffix == ".zip":
            zips[path.name] = set(zipfile.ZipFile(path).namelist())
    return zips


def test_lambda_packages_ship_bytecode_for_the_runtime(packages: dict[str, set[str]]) -> None:
    tag = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
    app = next(names for names in packages.values() if "app.py" in names)
    assert f"__pycache__/app.{tag}.pyc" in app
    assert f"chalicelib/__pycache__/config.{tag}.pyc" in app
    sources = [n for n in app if n.endswith(".py")]
    compiled = [n for n in app if n.endswith(f".{tag}.pyc")]
    assert len(compiled) == len(sources)
    layer = next(names for names in packages.values() if any("site-packages" in n for n in names))
    assert any(n.endswith(f"pydantic/__pycache__/main.{tag}.pyc") for n in layer)
    assert any("aarch64" in n and n.endswith(".so") for n in layer)


@pytest.mark.parametrize("stage", DEPLOYED_STAGES)
def test_the_sam_transform_yields_one_stage_that_the_domain_and_waf_use(
    assembly: Assembly, stage: str
) -> None:
    result = subprocess.run(
        [
            str(TOOLS / "python"),
            "-c",
            SAM_TRANSFORM,
            str(assembly.outdir / f"vetpet-{stage}.template.json"),
        ],
        env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"},
        capture_output=True,
        text=True,
        check=True,
    )
    resources = json.loads(result.stdout)["Resources"]
    stages = [k for k, r in resources.items() if r["Type"] == "AWS::ApiGateway::Stage"]
    assert stages == [f"RestAPI{stage}Stage"]
    assert resources[stages[0]]["Properties"]["StageName"] == stage
    (mapping,) = (r for r in resources.values() if r["Type"] == "AWS::ApiGateway::BasePathMapping")
    assert mapping["Properties"]["Stage"] == {"Ref": stages[0]}
    (waf,) = (r for r in resources.values() if r["Type"] == "AWS::WAFv2::WebACLAssociation")
    assert {"Ref": stages[0]} in waf["Properties"]["ResourceArn"]["Fn::Sub"][1].values()
    (api,) = (r for r in resources.values() if r["Type"] == "AWS::ApiGateway::RestApi")
    body = api["Properties"]["Body"]
    assert body["x-amazon-apigateway-endpoint-configuration"] == {"disableExecuteApiEndpoint": True}
    assert "DEFAULT_4XX" in body["x-amazon-apigateway-gateway-responses"]
    assert not any(r["Type"] == "AWS::ApiGateway::GatewayResponse" for r in resources.values())
