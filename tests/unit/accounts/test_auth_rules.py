"""Pure rules of accounts: age, password policy, one-time codes, back-off, refresh tokens, TOTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest

from chalicelib.accounts import age, codes, refresh, totp
from chalicelib.accounts.password_policy import WeakPasswordError, check_password

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class TestAge:
    def test_seventeen_years_364_days_is_refused(self) -> None:
        today = date(2026, 11, 25)
        birth = today.replace(year=today.year - 18) + timedelta(days=1)
        assert not age.is_adult(birth, NOW)

    def test_exactly_eighteen_is_accepted(self) -> None:
        assert age.is_adult(date(2008, 11, 25), NOW)

    def test_the_day_is_judged_at_utc_minus_12(self) -> None:
        # 11:30 UTC on the 25th is still the 24th at UTC-12; 12:00 UTC is the 25th there.
        assert not age.is_adult(date(2008, 11, 25), datetime(2026, 11, 25, 11, 30, tzinfo=UTC))
        assert age.is_adult(date(2008, 11, 25), datetime(2026, 11, 25, 12, 0, tzinfo=UTC))

    def test_leap_day_birthday_turns_on_first_of_march(self) -> None:
        assert age.nth_birthday(date(2008, 2, 29), 18) == date(2026, 3, 1)
        assert age.nth_birthday(date(2008, 2, 29), 16) == date(2024, 2, 29)


class TestPasswordPolicy:
    @pytest.mark.parametrize("password", ["password", "12345678", "qwerty123", "P@ssw0rd"])
    def test_common_passwords_are_refused(self, password: str) -> None:
        with pytest.raises(WeakPasswordError):
            check_password(password)

    def test_short_password_is_refused(self) -> None:
        with pytest.raises(WeakPasswordError, match="at least 8"):
            check_password("k7#Qz!p")

    def test_long_and_unicode_passwords_are_accepted(self) -> None:
        long = "Murchyk the cat naps on a warm windowsill while 13 pigeons plot their revenge!"
        check_password((long * 2)[:128])
        check_password("Пароль-для-кота-Мурчика 🐈")

    def test_context_words_count_against_the_password(self) -> None:
        check_password("murchyk.kotyk")
        with pytest.raises(WeakPasswordError):
            check_password("murchyk.kotyk", context=["murchyk.kotyk@example.com", "murchyk.kotyk"])

    def test_over_the_maximum_is_refused(self) -> None:
        with pytest.raises(WeakPasswordError, match="at most"):
            check_password("Zq9!x" * 300)


class TestCodes:
    KEY = b"k" * 32

    def test_codes_are_six_digits(self) -> None:
        samples = {codes.new_code() for _ in range(200)}
        assert all(len(c) == 6 and c.isdigit() for c in samples)
        assert len(samples) > 150

    def test_hash_is_bound_to_the_binding(self) -> None:
        assert codes.code_hash(self.KEY, "sms:a", "123456") != codes.code_hash(
            self.KEY, "sms:b", "123456"
        )

    def test_check_outcomes(self) -> None:
        good = codes.code_hash(self.KEY, "b", "123456")
        bad = codes.code_hash(self.KEY, "b", "654321")
        issued = codes.IssuedCode(hash=good, expires_at=NOW + timedelta(minutes=10))
        assert issued.check(good, NOW) is codes.CodeCheck.OK
        assert issued.check(bad, NOW) is codes.CodeCheck.WRONG
        assert issued.check(good, NOW + timedelta(minutes=10)) is codes.CodeCheck.EXPIRED
        worn = codes.IssuedCode(hash=good, expires_at=issued.expires_at, wrong_tries=5)
        assert worn.check(good, NOW) is codes.CodeCheck.EXHAUSTED


class TestRefreshTokens:
    def test_secret_has_256_bits_and_is_stored_as_digest(self) -> None:
        secret = refresh.new_secret()
        assert len(secret) >= 43
        assert refresh.digest(secret) != secret
        token = refresh.compose(refresh.new_family_id(), secret)
        assert refresh.parse(token) == (token.split(".")[0], secret)

    @pytest.mark.parametrize("token", ["", "nodot", ".x", "x.", "a." + "b" * 300])
    def test_malformed_tokens_do_not_parse(self, token: str) -> None:
        assert refresh.parse(token) is None

    def test_judge(self) -> None:
        old, current, forged = refresh.new_secret(), refresh.new_secret(), refresh.new_secret()
        live = refresh.FamilyState(
            refresh.digest(current),
            NOW + timedelta(days=30),
            False,
            frozenset({refresh.digest(old), refresh.digest(current)}),
            refresh.digest(old),
            NOW,
        )
        assert live.judge(current, NOW) is refresh.Presented.CURRENT
        assert live.judge(old, NOW + timedelta(seconds=10)) is refresh.Presented.GRACE
        assert live.judge(old, NOW + timedelta(seconds=11)) is refresh.Presented.REUSED
        assert live.judge(forged, NOW) is refresh.Presented.UNKNOWN
        assert live.judge(current, NOW + timedelta(days=30)) is refresh.Presented.UNKNOWN

    def test_the_grace_answer_opens_only_with_the_previous_secret(self) -> None:
        old = refresh.new_secret()
        sealed = refresh.seal_answer(old, {"refresh_token": "f.next"})
        assert "f.next" not in sealed
        assert refresh.open_answer(old, sealed) == {"refresh_token": "f.next"}
        assert refresh.open_answer(refresh.new_secret(), sealed) is None


class TestTotp:
    secret = totp.new_secret()

    def code_at(self, at: datetime) -> str:
        return pyotp.TOTP(self.secret).at(at)

    def test_current_and_adjacent_steps_are_accepted(self) -> None:
        step = int(NOW.timestamp()) // 30
        assert totp.accepted_step(self.secret, self.code_at(NOW), NOW, None) == step
        late = NOW + timedelta(seconds=30)
        assert totp.accepted_step(self.secret, self.code_at(NOW), late, None) == step

    def test_code_outside_the_window_is_refused(self) -> None:
        old = self.code_at(NOW - timedelta(seconds=90))
        assert totp.accepted_step(self.secret, old, NOW, None) is None
        future = self.code_at(NOW + timedelta(seconds=90))
        assert totp.accepted_step(self.secret, future, NOW, None) is None

    def test_a_used_step_is_never_accepted_again(self) -> None:
        code = self.code_at(NOW)
        step = totp.accepted_step(self.secret, code, NOW, None)
        assert totp.accepted_step(self.secret, code, NOW, step) is None

    @pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef"])
    def test_malformed_codes_are_refused(self, code: str) -> None:
        assert totp.accepted_step(self.secret, code, NOW, None) is None

    def test_provisioning_uri_names_issuer_and_account(self) -> None:
        uri = totp.provisioning_uri(self.secret, "owner@example.com", "VetPet")
        assert uri.startswith("otpauth://totp/VetPet:owner%40example.com?secret=")
        assert "issuer=VetPet" in uri
