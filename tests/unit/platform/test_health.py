from __future__ import annotations

import json

from chalice.test import Client

from chalicelib import __version__
from chalicelib.accounts.models import User


def test_health_reports_ok_and_version_when_the_store_answers(client: Client) -> None:
    response = client.http.get("/v1/health")
    assert response.status_code == 200
    assert json.loads(response.body) == {"status": "ok", "version": __version__}


def test_health_is_503_problem_when_the_store_is_gone(client: Client) -> None:
    User.delete_table()
    response = client.http.get("/v1/health")
    assert response.status_code == 503
    assert json.loads(response.body)["code"] == "store_unavailable"
