"""Marketing (P6): only users with marketing granted and no restriction get a campaign,
in their language, with a one-click unsubscribe link (RFC 8058) that works without
signing in; consent is checked again when each message is sent."""

from __future__ import annotations

import email
import re
from email.message import Message

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import RawMessage, ses_backends

from chalicelib.consent.models import Consent
from chalicelib.jobs.campaigns import run
from chalicelib.notifications import outbox
from chalicelib.notifications.outbox import SUPPRESSED, OutboxMessage, retry_due
from tests.unit.consent.conftest import T0, Api, make_user, token_for

CAMPAIGN = {
    "subject": {"uk": "Новини VetPet", "ru": "Новости VetPet", "en": "VetPet news"},
    "body": {"uk": "Знижка на щеплення.", "ru": "Скидка на прививки.", "en": "Vaccines on sale."},
}


def _mail(to: str) -> list[Message]:
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    return [
        email.message_from_string(m.raw_data)
        for m in sent
        if isinstance(m, RawMessage) and to in m.destinations
    ]


def _text(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


@pytest.fixture
def audience(api: Api) -> dict[str, str]:
    """Four users who all granted marketing; then one withdraws and one restricts."""
    tokens = {}
    for name, language in (("uk-fan", "uk"), ("en-fan", "en"), ("quitter", "en"), ("hermit", "ru")):
        tokens[name] = token_for(make_user(f"u-{name}", language=language))
        api.call("PUT", "/v1/me/consents/marketing", {"granted": True}, tokens[name])
    api.call("PUT", "/v1/me/consents/marketing", {"granted": False}, tokens["quitter"])
    api.call("PUT", "/v1/me/restriction", {"restricted": True}, tokens["hermit"])
    make_user("u-silent")  # never granted anything
    return tokens


def test_only_consenting_unrestricted_users_get_the_campaign(
    api: Api, admin: str, audience: dict[str, str]
) -> None:
    queued = api.call("POST", "/v1/admin/campaigns", CAMPAIGN, admin)
    assert queued.status == 202
    campaign_id = queued.body["id"]
    status = api.call("GET", f"/v1/admin/campaigns/{campaign_id}", token=admin).body
    assert status == {"id": campaign_id, "status": "queued", "recipients": 0, "sent": 0}

    assert run(T0) == {"campaigns": 1, "recipients": 2, "sent": 2}
    assert run(T0) == {"campaigns": 0, "recipients": 0, "sent": 0}  # sent once

    for silent in ("u-quitter", "u-hermit", "u-silent"):
        assert _mail(f"{silent}@vetpet.test") == []
    (uk,) = _mail("u-uk-fan@vetpet.test")
    (en,) = _mail("u-en-fan@vetpet.test")
    assert "Знижка на щеплення." in _text(uk)
    assert "Vaccines on sale." in _text(en)
    assert str(email.header.make_header(email.header.decode_header(uk["Subject"]))) == (
        "Новини VetPet"
    )
    assert en["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<http://\S+/v1/unsubscribe/[\w.\-]+>", en["List-Unsubscribe"])
    status = api.call("GET", f"/v1/admin/campaigns/{campaign_id}", token=admin).body
    assert (status["status"], status["recipients"], status["sent"]) == ("sent", 2, 2)


def test_campaigns_are_for_admins(api: Api, owner: str) -> None:
    assert api.call("POST", "/v1/admin/campaigns", CAMPAIGN, owner).status == 403
    missing = api.call("GET", "/v1/admin/campaigns/cmp_nope", token=owner)
    assert missing.status == 403


def test_the_unsubscribe_link_withdraws_without_signing_in(
    api: Api, admin: str, audience: dict[str, str]
) -> None:
    api.call("POST", "/v1/admin/campaigns", CAMPAIGN, admin)
    run(T0)
    (message,) = _mail("u-en-fan@vetpet.test")
    path = "/v1/" + message["List-Unsubscribe"].strip("<>").split("/v1/", 1)[1]
    reply = api.call(
        "POST",
        path,
        raw=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (reply.status, reply.body) == (200, {"status": "unsubscribed"})
    token = audience["en-fan"]
    granted = api.call("GET", "/v1/me/consents", token=token).body["items"][0]
    assert (granted["purpose"], granted["granted"]) == ("marketing", False)
    last = api.call("GET", "/v1/me/consents/ledger", token=token).body["items"][-1]
    assert (last["purpose"], last["decision"]) == ("marketing", "withdrawn")
    assert Consent.get("u-en-fan", "marketing").audience is None  # out of the sparse index

    api.call("POST", "/v1/admin/campaigns", CAMPAIGN, admin)
    run(T0)
    assert len(_mail("u-en-fan@vetpet.test")) == 1  # nothing new
    assert len(_mail("u-uk-fan@vetpet.test")) == 2


@pytest.mark.parametrize("token", ["not-a-token", "eyJhbGciOiJub25lIn0.e30."])
def test_a_forged_unsubscribe_link_is_refused(api: Api, token: str) -> None:
    reply = api.call("POST", f"/v1/unsubscribe/{token}", raw=b"List-Unsubscribe=One-Click")
    assert (reply.status, reply.body["code"]) == (400, "invalid_unsubscribe_token")


def test_an_access_token_is_no_unsubscribe_token(api: Api, owner: str) -> None:
    reply = api.call("POST", f"/v1/unsubscribe/{owner}", {})
    assert (reply.status, reply.body["code"]) == (400, "invalid_unsubscribe_token")


class _Down:
    name = "email"

    def deliver(self, *args: object, **kwargs: object) -> str:
        raise ConnectionError("provider down")


def test_consent_withdrawn_before_sending_stops_the_message(
    api: Api, admin: str, audience: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first attempt fails; the user withdraws; the retry does not send it."""
    api.call("POST", "/v1/admin/campaigns", CAMPAIGN, admin)
    with monkeypatch.context() as patched:
        patched.setitem(outbox.CHANNELS, "email", _Down())
        assert run(T0)["sent"] == 0
    api.call("PUT", "/v1/me/consents/marketing", {"granted": False}, audience["uk-fan"])
    api.call("PUT", "/v1/me/restriction", {"restricted": True}, audience["en-fan"])
    assert retry_due(T0.replace(hour=13)) == {"retried": 2, "dead_lettered": 0}
    assert _mail("u-uk-fan@vetpet.test") == []
    assert _mail("u-en-fan@vetpet.test") == []
    statuses = {m.recipient_id: m.status for m in OutboxMessage.scan()}
    assert statuses == {"u-uk-fan": SUPPRESSED, "u-en-fan": SUPPRESSED}


@pytest.mark.parametrize("raw", [b"\xb5\xff\x00", b"List-Unsubscribe=\xb5One-Click"])
def test_an_unsubscribe_body_that_is_not_utf8_is_a_validation_error(api: Api, raw: bytes) -> None:
    reply = api.call(
        "POST",
        "/v1/unsubscribe/not-a-token",
        raw=raw,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (reply.status, reply.body["code"]) == (400, "validation_error")
