"""Routes are registered when the app is imported; their modules load on first use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from chalice.test import Client

from chalicelib.route_table import ROUTES
from chalicelib.web.lazy import build_table

ROOT = Path(__file__).resolve().parents[3]


def test_route_table_matches_what_the_modules_declare() -> None:
    assert build_table() == ROUTES, "run `make routes` to regenerate chalicelib/route_table.py"


def test_every_declared_route_is_registered_on_the_app_with_a_preflight() -> None:
    from app import app

    registered = {(path, method) for path, entry in app.routes.items() for method in entry}
    declared = {route for routes in ROUTES.values() for route in routes}
    preflights = {(path, "OPTIONS") for path, _ in declared}
    assert registered == declared | preflights


def _modules_after(requests: list[str]) -> list[str]:
    code = (
        "import json, sys\n"
        "sys.modules['OpenSSL'] = None\n"
        "from chalice.test import Client\n"
        "import app\n"
        "with Client(app.app) as client:\n"
        f"    for path in {requests!r}: client.http.get(path)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('chalicelib.'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_a_request_loads_only_the_capability_that_serves_it() -> None:
    loaded = _modules_after(["/v1/consultants?limit=none"])  # refused before any storage call
    assert "chalicelib.consultants.api" in loaded
    for other in ("chalicelib.bookings.api", "chalicelib.accounts.api", "chalicelib.pets.api"):
        assert other not in loaded


def test_the_openapi_document_describes_every_capability(client: Client) -> None:
    document = json.loads(client.http.get("/v1/openapi.json").body)
    paths = document["paths"].items()
    described = {(path, method.upper()) for path, ops in paths for method in ops}
    assert described == {route for routes in ROUTES.values() for route in routes}
