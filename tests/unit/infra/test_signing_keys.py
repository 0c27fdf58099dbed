"""Rotating the signing keys keeps the previous key for verification, inactive."""

from __future__ import annotations

import json

from chalicelib.accounts.keys import _parse
from infra.signing_keys import rotated


def test_first_key_set_has_one_active_key() -> None:
    keys = _parse(rotated(None))
    assert [k.active for k in keys] == [True]


def test_rotation_adds_an_active_key_and_keeps_only_the_previous_one() -> None:
    first = rotated(None)
    second = rotated(first)
    third = rotated(second)
    old_kid = json.loads(first)["keys"][0]["kid"]
    keys = _parse(second)
    assert [k.active for k in keys] == [True, False]
    assert keys[1].kid == old_kid
    assert old_kid not in {k.kid for k in _parse(third)}
    assert len(_parse(third)) == 2
