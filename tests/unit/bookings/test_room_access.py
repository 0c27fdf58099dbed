import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.bookings.room_access import ice_servers, room_window_open, turn_credentials

START = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
END = START + timedelta(minutes=30)
EARLY = timedelta(minutes=10)


@pytest.mark.parametrize(
    ("now", "open_"),
    [
        (START - timedelta(minutes=10, seconds=1), False),
        (START - timedelta(minutes=10), True),
        (START, True),
        (END - timedelta(seconds=1), True),
        (END, False),
    ],
)
def test_room_window(now: datetime, open_: bool) -> None:
    assert room_window_open(now, START, END, EARLY) is open_


def test_turn_rest_credentials_follow_coturn_scheme() -> None:
    username, credential = turn_credentials("u-1", END, "s3cret")
    assert username == f"{int(END.timestamp())}:u-1"
    expected = hmac.new(b"s3cret", username.encode(), hashlib.sha1).digest()
    assert base64.b64decode(credential) == expected


def test_ice_servers_carry_credentials() -> None:
    servers = ice_servers(["stun:127.0.0.1:3478", "turn:127.0.0.1:3478"], "u-1", END, "k")
    assert len(servers) == 1
    assert servers[0].urls == ["stun:127.0.0.1:3478", "turn:127.0.0.1:3478"]
    assert servers[0].username.endswith(":u-1")
