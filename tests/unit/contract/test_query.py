"""Query parameters as the document states them: repeatable lists, bounded integers."""

from __future__ import annotations

import pytest
from chalice.app import MultiDict

from chalicelib.bookings.schemas import BookingListQuery
from chalicelib.bookings.states import BookingStatus
from chalicelib.web.problems import ProblemError
from chalicelib.web.validation import parse_query


def test_a_repeated_status_filters_by_every_value() -> None:
    query = parse_query(
        BookingListQuery,
        MultiDict({"status": ["confirmed", "cancelled"], "upcoming": ["true"]}),
    )
    assert query.status == [BookingStatus.CONFIRMED, BookingStatus.CANCELLED]
    assert query.upcoming is True


@pytest.mark.parametrize(
    "params",
    [{"status": ["sleeping"]}, {"upcoming": ["soon"]}, {"limit": ["0"]}, {"limit": ["101"]}],
)
def test_values_outside_the_document_are_validation_errors(params: dict[str, list[str]]) -> None:
    with pytest.raises(ProblemError) as refused:
        parse_query(BookingListQuery, MultiDict(params))
    assert refused.value.status == 400
    assert refused.value.extra["errors"][0]["field"].split(".")[0] == next(iter(params))
