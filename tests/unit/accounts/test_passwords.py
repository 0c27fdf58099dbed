from __future__ import annotations

import pytest
from argon2 import extract_parameters
from argon2.low_level import Type

from chalicelib.accounts.passwords import hash_password, verify_password


def test_hash_is_argon2id_at_or_above_the_owasp_floor() -> None:
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    params = extract_parameters(stored)
    assert params.type is Type.ID
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2
    assert params.parallelism == 1


@pytest.mark.parametrize("password", ["x" * 64, "x" * 128, "пароль-кіт-🐈-ünïcödé", "a b c d e f"])
def test_long_and_unicode_passwords_round_trip_without_truncation(password: str) -> None:
    stored = hash_password(password)
    assert verify_password(stored, password)
    assert not verify_password(stored, password[:-1])


def test_no_hash_never_verifies() -> None:
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")
