"""Request validation against pydantic models: every failure is a 400 `validation_error`
that names the field (P2: unknown fields are refused, never stored)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, ValidationError

from chalicelib.config import MAX_BODY_BYTES
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
