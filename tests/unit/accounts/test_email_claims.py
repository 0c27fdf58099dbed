"""One account per e-mail address, even when two creations race."""

from __future__ import annotations

import pytest

from chalicelib.accounts import repository
from chalicelib.accounts.models import EmailClaim, User
from tests.unit.accounts.conftest import T0, Api, emails, make_user

pytestmark = pytest.mark.usefixtures("clock")


def new_user(user_id: str, email: str) -> User:
    return User(user_id, email=email, role="owner", name="N", created_at=T0)


def test_the_second_account_for_an_address_is_refused(aws: None) -> None:
    repository.create_user(new_user("u-1", "twin@example.com"))
    with pytest.raises(repository.EmailTakenError):
        repository.create_user(new_user("u-2", "twin@example.com"))
    assert EmailClaim.get("twin@example.com").user_id == "u-1"
    assert repository.get_user("u-2") is None


def test_a_registration_that_loses_the_race_answers_the_same_and_sends_nothing(
    api: Api,
) -> None:
    EmailClaim("race@example.com", user_id="u-winner").save()
    reply = api.register("race@example.com")
    assert (reply.status, reply.body) == (202, {"status": "verification_sent"})
    assert emails("race@example.com") == []


def test_inviting_a_claimed_address_is_409(api: Api) -> None:
    make_user("boss@example.com", role="admin")
    EmailClaim("claimed@example.com", user_id="u-winner").save()
    access = api.login("boss@example.com").body["access_token"]
    reply = api.post("/v1/admin/consultants", {"email": "claimed@example.com", "name": "X"}, access)
    assert (reply.status, reply.body["code"]) == (409, "email_taken")
