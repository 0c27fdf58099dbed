"""Request validation against pydantic models: every failure is a 400 `validation_error`
that names the field (P2: unknown fields are refused, never stored)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    ValidationError,
)

from chalicelib.config import EARLIEST_YEAR, LATEST_YEAR, MAX_BODY_BYTES, PET_MAX_AGE_YEARS
from chalicelib.web.card_guard import refuse_card_data
from chalicelib.web.problems import ProblemError

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class Schema(BaseModel):
    """Base of every request and response model: unknown fields are an error."""

    # defer_build: validators are built on first use, not at import (lean cold start).
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class OneOf(RootModel[T], Generic[T]):
    """A response that is one of several schemas (`OneOf[A | B]`), built on first use too:
    a plain `RootModel[A | B]` builds its validator when the module is imported."""

    model_config = ConfigDict(defer_build=True)


def _email(value: str) -> str:
    # `test_environment` admits the reserved `.test` domain of the local demo accounts;
    # deliverability is proved by the verification e-mail, not by DNS.
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None


Email = Annotated[
    str, Field(max_length=254, json_schema_extra={"format": "email"}), AfterValidator(_email)
]
"""An e-mail address, syntax-checked and normalised."""


def _in_years(value: datetime | date) -> datetime | date:
    # The year is checked before any arithmetic: far dates overflow date arithmetic.
    if not EARLIEST_YEAR <= value.year < LATEST_YEAR:
        raise ValueError(f"must lie in the years {EARLIEST_YEAR} to {LATEST_YEAR - 1}")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_in_years)]
"""A point in time with its offset, in the years the service deals with."""

CalendarDay = Annotated[date, AfterValidator(_in_years)]
"""A calendar day in the years the service deals with."""


def _birth_date(value: date) -> date:
    today = datetime.now(UTC).date()
    if value > today + timedelta(days=1):
        raise ValueError("must not be in the future")
    if value.year < today.year - PET_MAX_AGE_YEARS:
        raise ValueError(f"must be at most {PET_MAX_AGE_YEARS} years ago")
    return value


BirthDate = Annotated[date, AfterValidator(_birth_date)]
"""A birth date: not in the future, not over a plausible lifetime ago."""


def _field_name(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _invalid(error: ValidationError) -> ProblemError:
    errors = [
        {"field": _field_name(e["loc"]), "message": e["msg"], "type": e["type"]}
        for e in error.errors(include_url=False, include_input=False)
    ]
    first = errors[0]
    if first["type"] == "json_invalid":
        detail = "The request body is not valid JSON."
        errors = [{"field": "body", "message": "malformed JSON", "type": "json_invalid"}]
    elif first["type"] == "extra_forbidden":
        detail = f"Unknown field '{first['field']}'."
    else:
        detail = f"Invalid field '{first['field']}': {first['message']}."
    return ProblemError(400, "validation_error", detail, extra={"errors": errors})


def _refuse_card_data(raw: bytes | None) -> None:
    with contextlib.suppress(ValueError):  # malformed JSON: pydantic names the error
        refuse_card_data(json.loads(raw or b"{}"))


def parse_body(model: type[M], raw: bytes | None) -> M:
    """Validate a JSON body; an empty body validates as `{}`. An unknown field is a 400
    (P2); otherwise a card number in any field is a 422 `card_data_refused` (P15)."""
    if raw is not None and len(raw) > MAX_BODY_BYTES:
        raise ProblemError(413, "payload_too_large", f"The body exceeds {MAX_BODY_BYTES} bytes.")
    try:
        parsed = model.model_validate_json(raw or b"{}")
    except ValidationError as error:
        if all(e["type"] != "extra_forbidden" for e in error.errors()):
            _refuse_card_data(raw)
        raise _invalid(error) from None
    _refuse_card_data(raw)
    return parsed


def parse_query(model: type[M], params: Mapping[str, Any] | None) -> M:
    try:
        return model.model_validate(dict(params or {}))
    except ValidationError as error:
        raise _invalid(error) from None


def reject_body(raw: bytes | None) -> None:
    """Routes that take no body accept none (or an empty JSON object)."""
    if raw and raw.strip() not in (b"", b"{}"):
        raise ProblemError(
            400,
            "validation_error",
            "This endpoint takes no request body.",
            extra={"errors": [{"field": "body", "message": "unexpected body", "type": "extra"}]},
        )
