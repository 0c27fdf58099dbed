"""P15: no request field may carry card data. Every string in a parsed request body is
searched for a Luhn-valid run of 13 to 19 digits (single spaces or dashes between
digits allowed) that stands on its own: a run inside a longer word or number (an id
such as ``pet_4d3…`` or a UUID's digit groups) is not a card number as anyone writes one.
One found is refused with 422 ``card_data_refused`` naming the field,
before the body is validated, used, stored or logged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from chalicelib.web.problems import ProblemError

# Not after a letter or digit, nor after a digit and a separator (the middle of a longer
# run); taken whole (possessive), and not followed by a letter or digit.
_DIGIT_RUN = re.compile(r"(?<![0-9A-Za-z])(?<![0-9][ -])\d(?:[ -]?\d)*+(?![0-9A-Za-z])")
MIN_DIGITS, MAX_DIGITS = 13, 19


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def holds_card_number(text: str) -> bool:
    for run in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"[ -]", "", run.group())
        if MIN_DIGITS <= len(digits) <= MAX_DIGITS and luhn_valid(digits):
            return True
    return False


def _strings(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield ".".join(path) or "body", value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, str(index)))


def refuse_card_data(body: Any) -> None:
    """Raise 422 ``card_data_refused`` if any string in ``body`` holds a card number."""
    fields = [name for name, text in _strings(body, ()) if holds_card_number(text)]
    if fields:
        message = "card numbers are never accepted; pay on the processor's page"
        raise ProblemError(
            422,
            "card_data_refused",
            f"Field '{fields[0]}' looks like a card number; VetPet never takes card data.",
            extra={
                "errors": [
                    {"field": name, "code": "card_data_refused", "message": message}
                    for name in fields
                ]
            },
        )
