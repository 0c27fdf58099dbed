"""The Lambda package: `chalice package` through the `chalice.cdk.Chalice` construct, with
every module compiled to bytecode for the runtime's Python before CDK stages the zips.

Lambda's `/var/task` and `/opt` are read-only, so a package without `.pyc` files compiles
every imported module again on each cold start. The zips are rewritten deterministically
(sorted entries, fixed timestamps, unchecked-hash `.pyc`), so an unchanged app keeps its
asset hash and a deploy without changes updates nothing."""

from __future__ import annotations

import compileall
import hashlib
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from py_compile import PycInvalidationMode

from aws_cdk import Acknowledgment, Validations
from chalice.cdk import Chalice
from constructs import Construct

# The runtime is the Python that packages the app (chalice picks it from the interpreter).
LAMBDA_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
# Logical ids `chalice package` gives the app's resources.
API_FUNCTION = "APIHandler"
# The scheduled functions of `app.py`, one per job of `chalicelib.jobs.registry.JOBS`.
HOLD_EXPIRY = "HoldExpiry"
NOTIFICATIONS = "Notifications"
REMINDERS = "Reminders"
RETENTION = "Retention"
CAMPAIGN_DISPATCH = "CampaignDispatch"
PAYMENT_HOUSEKEEPING = "PaymentHousekeeping"
ERASURE = "Erasure"
EXPORTS = "Exports"
PRIVACY_REQUESTS_OVERDUE = "PrivacyRequestsOverdue"
REST_API = "RestAPI"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_CACHE = Path(tempfile.gettempdir()) / "vetpet-compiled-packages"


def compile_zip(path: Path, code_root: str) -> None:
    """Rewrite the zip at `path` with a `__pycache__/*.pyc` beside every `.py` file.

    `code_root` is where Lambda unpacks it (`/var/task`, `/opt`): tracebacks name it."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cached = _CACHE / f"{digest}.zip"
    if not cached.exists():
        _CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as work:
            tree = Path(work) / "tree"
            with zipfile.ZipFile(path) as source:
                modes = {i.filename: i.external_attr for i in source.infolist()}
                source.extractall(tree)
            ok = compileall.compile_dir(
                tree,
                ddir=code_root,
                quiet=1,
                workers=1,
                invalidation_mode=PycInvalidationMode.UNCHECKED_HASH,
            )
            if not ok:
                raise RuntimeError(f"{path.name}: a module does not compile")
            partial = Path(work) / "out.zip"
            _write_zip(tree, partial, modes)
            shutil.move(partial, cached)
    shutil.copyfile(cached, path)


def _write_zip(tree: Path, target: Path, modes: dict[str, int]) -> None:
    files = sorted(p for p in tree.rglob("*") if p.is_file())
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for file in files:
            name = file.relative_to(tree).as_posix()
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.external_attr = modes.get(name, 0o644 << 16)
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, file.read_bytes())


class CompiledChalice(Chalice):
    """`chalice.cdk.Chalice` whose zips ship compiled bytecode.

    The construct packages the app and turns the zips into assets within its constructor;
    `_package_app` is the one step between the two, so the compile step hooks in there."""

    def _package_app(self) -> None:
        # The construct takes the chalice stage from its scope's path ("vetpet-prod/Api"),
        # which would also name the layer; the stage is the API Gateway stage.
        self.stage_name = (self.stage_config or {})["api_gateway_stage"]
        super()._package_app()
        package_dir = Path(self._sam_package_dir)
        compile_zip(package_dir / "deployment.zip", "/var/task")
        layer = package_dir / "layer-deployment.zip"
        if layer.exists():
            compile_zip(layer, "/opt")


def sam_stage_reference(construct: Construct) -> None:
    """`RestAPI.Stage` is SAM's name for the stage it generates (and a dependency on it);
    CDK's validation runs before the SAM transform and cannot know it."""
    Validations.of(construct).acknowledge(
        Acknowledgment(
            id="CloudFormation-Validate::F1020",
            reason="SAM resolves RestAPI.Stage to the stage it generates.",
        )
    )
