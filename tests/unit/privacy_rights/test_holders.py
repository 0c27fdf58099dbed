"""The privacy-rights holders: a user's access log, disclosures, privacy requests and
minor reports are exported, and erasure leaves nothing that names the user (the
disclosure record stays, unlinked, and its chain still verifies)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.access_log.models import AccessLogEntry
from chalicelib.access_log.personal_data import AccessLogHolder
from chalicelib.disclosures import service as disclosures
from chalicelib.disclosures.models import Disclosure
from chalicelib.disclosures.personal_data import DisclosureHolder
from chalicelib.minor_reports.models import MinorReport
from chalicelib.minor_reports.personal_data import MinorReportHolder
from chalicelib.privacy.holders import PersonalData, Subject
from chalicelib.privacy_requests.models import PrivacyRequest
from chalicelib.privacy_requests.personal_data import PrivacyRequestHolder
from tests.unit.booking_world import KYIV_MONDAY_9, World

ANA = Subject("owner-a", "owner-a@example.com", "owner", "Ana Owner")
HOLDERS: list[PersonalData] = [
    AccessLogHolder(),
    DisclosureHolder(),
    PrivacyRequestHolder(),
    MinorReportHolder(),
]
DISCLOSURE = {
    "recipient": "Ambulance service",
    "legal_basis": "vital_interest",
    "reference": "Call 112-77",
    "data_categories": ["contact"],
}


def _give_ana_data(world: World) -> None:
    status, booking = world.book("owner_a", KYIV_MONDAY_9)
    assert status == 201
    assert world.call("GET", f"/v1/bookings/{booking['id']}", "vet_a")[0] == 200
    path = "/v1/admin/users/{}/disclosures"
    for user in ("owner-a", "owner-b"):
        assert world.call("POST", path.format(user), "admin", DISCLOSURE)[0] == 201
    body = {"kind": "erasure", "message": "Please delete everything."}
    assert world.call("POST", "/v1/privacy-requests", "owner_a", body)[0] == 201
    for account, reporter in (("owner-a@example.com", None), ("owner-b@example.com", ANA.email)):
        report = {"account_email": account, "reason": "Looks young", "reporter_email": reporter}
        assert world.call("POST", "/v1/minor-reports", None, report)[0] == 202


def _export() -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    for holder in HOLDERS:
        found.update(holder.export(ANA))
    return found


def test_export_holds_each_kind_of_the_users_data(world: World) -> None:
    _give_ana_data(world)
    exported = _export()
    assert [e["action"] for e in exported["access_log"]] == ["read", "disclosure"]
    assert [d["recipient"] for d in exported["disclosures"]] == ["Ambulance service"]
    assert exported["privacy_requests"][0]["messages"] == [
        {
            "at": "2026-05-31T12:00:00.000000+0000",
            "author": "user",
            "text": "Please delete everything.",
        }
    ]
    assert [r["reason"] for r in exported["minor_reports_about_me"]] == ["Looks young"]
    assert len(exported["minor_reports_i_filed"]) == 1
    assert "reporter_email" not in str(exported["minor_reports_about_me"])


def test_erasure_leaves_nothing_naming_the_user(world: World, now: datetime) -> None:
    _give_ana_data(world)
    for holder in HOLDERS:
        holder.erase(ANA, now)
        holder.erase(ANA, now)  # safe to repeat
    assert all(not items for items in _export().values())
    for model in (AccessLogEntry, Disclosure, PrivacyRequest, MinorReport):
        stored = str([item.attribute_values for item in model.scan()])
        assert ANA.user_id not in stored, model.__name__
        assert ANA.email not in stored, model.__name__
    assert len(list(Disclosure.scan())) == 2  # the record of each disclosure stays
    assert disclosures.trail_broken_at() is None
    reports = list(MinorReport.scan())
    assert {r.account_id for r in reports} == {None, "owner-b"}
    assert [r.account_id for r in reports if r.pending] == ["owner-b"]
