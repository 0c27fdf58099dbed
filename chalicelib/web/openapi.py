"""OpenAPI 3.1, generated from the same route registrations and pydantic models the
handlers validate with, and from the one error table: every operation lists the statuses
it can answer with the `code`s each status can carry, the headers it reads and sends, and
a readable `operationId`."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from chalicelib import __version__
from chalicelib.web.errors import ErrorSpec
from chalicelib.web.routing import ROUTES, RouteSpec

_PATH_PARAM = re.compile(r"{(\w+)}")
_REF = "#/components/schemas/{model}"
PROBLEM = "application/problem+json"
SERVERS = [
    {"url": "https://api.vetpet.example", "description": "production"},
    {"url": "https://api.dev.vetpet.example", "description": "development"},
    {"url": "http://127.0.0.1:8000", "description": "local stage (`make run`)"},
]

# --- operation ids ---------------------------------------------------------------------

# A POST whose last path word is one of these is an action on what precedes it.
_ACTIONS = frozenset(
    {"cancel", "reschedule", "start", "complete", "no", "login", "logout", "refresh"}
    | {"register", "send", "verify", "resend", "confirm", "accept", "forgot", "reset"}
)
_NOT_PLURAL = frozenset({"sms", "jwks", "status"})
_SKIPPED = frozenset({"v1", "auth", ".well-known"})


def _camel(words: list[str]) -> str:
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and word not in _NOT_PLURAL else word


def derive_operation_id(method: str, path: str) -> str:
    """`createBooking`, `listConsultantSlots`, `cancelBooking`, `getMyPet`…: a verb from
    the method (or the action the path ends in) and the resource words of the path."""
    parts = [p for p in path.split("/") if p and p not in _SKIPPED]
    item = parts[-1].startswith("{")
    nouns = [p.removesuffix(".json") for p in parts if not p.startswith("{")]
    words = [
        ["my" if i < len(nouns) - 1 else "me"] if n == "me" else n.split("-")
        for i, n in enumerate(nouns)
    ]
    last = words[-1]
    plural = not item and last[-1].endswith("s") and last[-1] not in _NOT_PLURAL
    if method == "POST" and not item and last[0] in _ACTIONS:
        verb, words = last, words[:-1]
    elif method == "GET":
        verb = ["list"] if plural else ["get"]
    elif method == "POST":
        verb = ["create"] if plural else ["submit"]
    else:
        verb = {"PUT": ["update"] if item else ["set"], "PATCH": ["update"], "DELETE": ["delete"]}[
            method
        ]
    keep_last_plural = verb == ["list"]
    flat: list[str] = []
    for i, group in enumerate(words):
        is_last = i == len(words) - 1
        flat += [*group[:-1], group[-1] if is_last and keep_last_plural else _singular(group[-1])]
    return _camel(verb + flat)


# --- schemas -----------------------------------------------------------------------------


def _models() -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    seen: dict[tuple[str, str], tuple[type[BaseModel], JsonSchemaMode]] = {}
    for spec in ROUTES:
        for model, mode in (
            (spec.body, "validation"),
            (spec.query, "validation"),
            (spec.response, "serialization"),
        ):
            if model is None:
                continue
            known = seen.get((model.__name__, mode))
            if known is not None and known[0] is not model:  # one name, one schema
                raise ValueError(f"two schemas are named {model.__name__}: rename one")
            seen[(model.__name__, mode)] = (model, mode)  # type: ignore[assignment]
    return list(seen.values())


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


ERROR_ITEM: dict[str, Any] = {
    "type": "object",
    "description": "One field-level problem: the field (dotted path), a code, a message.",
    "required": ["field", "code", "message"],
    "properties": {
        "field": {"type": "string", "examples": ["email"]},
        "code": {"type": "string", "examples": ["missing"]},
        "message": {"type": "string"},
    },
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `code` is stable and machine-readable.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "array", "items": _ref("FieldError")},
    },
}

HEADERS: dict[str, Any] = {
    "Request-Id": {
        "description": "The request's id; the API's log lines about it carry the same id.",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "WWW-Authenticate": {
        "description": "The scheme to authenticate with (`Bearer`).",
        "schema": {"type": "string"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when the answer replays an earlier request with the same "
        "`Idempotency-Key` (nothing new was done).",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Allow": {"description": "The methods the path accepts.", "schema": {"type": "string"}},
}


def _header_refs(names: list[str]) -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


# --- examples ----------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _example_of(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A value the schema accepts, from its `examples`, default, enum or type."""
    schema = _resolve(schema, defs)
    if "examples" in schema:
        return schema["examples"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _example_of(options[0], defs)
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {
            name: _example_of(prop, defs)
            for name, prop in props.items()
            if name in schema.get("required", []) or "examples" in _resolve(prop, defs)
        }
    if kind == "array":
        return [_example_of(schema.get("items", {}), defs)] if schema.get("minItems") else []
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "number":
        return schema.get("minimum", 1.0)
    if kind == "boolean":
        return True
    formats = {"date-time": "2026-12-01T09:00:00Z", "date": "1990-05-17"}
    if schema.get("format") in formats:
        return formats[schema["format"]]
    return "x" * max(1, schema.get("minLength", 1))


# --- operations --------------------------------------------------------------------------


def _non_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query value is never null: an optional parameter is simply left out."""
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(options) != 1:
        return schema
    kept = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
    return {**options[0], **kept}


def _parameters(
    spec: RouteSpec, defs: dict[str, Any], names: dict[tuple[int, str], str]
) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "enum": list(spec.path_values[name])}
            if name in spec.path_values
            else {"type": "string", "minLength": 1, "maxLength": 64},
        }
        for name in _PATH_PARAM.findall(spec.path)
    ]
    for header in spec.headers:
        schema: dict[str, Any] = {"type": "string", "minLength": 1}
        if header.max_length is not None:
            schema["maxLength"] = header.max_length
        params.append(
            {
                "name": header.name,
                "in": "header",
                "required": header.required,
                "description": header.description,
                "schema": schema,
            }
        )
    if spec.query is not None:
        query = _resolve(_ref(names[(id(spec.query), "validation")]), defs)
        for name, field in query.get("properties", {}).items():
            prop = _non_null(field)
            param: dict[str, Any] = {
                "name": name,
                "in": "query",
                "required": name in query.get("required", []),
                "schema": prop,
            }
            if prop.get("description"):
                param["description"] = prop["description"]
            if _resolve(prop, defs).get("type") == "array":
                param.update(style="form", explode=True)
            params.append(param)
    return params


def _problem_response(status: int, specs: list[ErrorSpec]) -> dict[str, Any]:
    codes = sorted({s.code for s in specs})
    response: dict[str, Any] = {
        "description": "; ".join(f"`{s.code}`: {s.meaning}" for s in specs),
        "headers": _header_refs(["Request-Id"]),
        "content": {
            PROBLEM: {
                "schema": {
                    "allOf": [
                        _ref("Problem"),
                        {"type": "object", "properties": {"code": {"enum": codes}}},
                    ]
                }
            }
        },
    }
    if status == 429:
        response["headers"].update(_header_refs(["Retry-After"]))
    if status == 401:
        response["headers"].update(_header_refs(["WWW-Authenticate"]))
    return response


def _success(spec: RouteSpec, names: dict[tuple[int, str], str]) -> dict[str, Any]:
    ok: dict[str, Any] = {
        "description": spec.summary,
        "headers": _header_refs(["Request-Id", *spec.reply_headers]),
    }
    if spec.response is not None:
        name = names[(id(spec.response), "serialization")]
        ok["content"] = {"application/json": {"schema": _ref(name)}}
    elif spec.status != 204:
        ok["content"] = {"application/json": {"schema": {"type": "object"}}}
    return ok


def _operation(
    spec: RouteSpec, defs: dict[str, Any], names: dict[tuple[int, str], str]
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": spec.summary,
        "tags": [spec.tag],
        "operationId": spec.operation_id or derive_operation_id(spec.method, spec.path),
        "x-access": spec.access.describe(),
        "security": [] if spec.access.public else [{"bearerAuth": []}],
        "parameters": _parameters(spec, defs, names),
    }
    if spec.body is not None:
        name = names[(id(spec.body), "validation")]
        op["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": _ref(name),
                    "example": _example_of(_ref(name), defs),
                }
            },
        }
    if spec.raw_body:
        op["requestBody"] = {
            "required": True,
            "description": "The sender's signed body, read as raw bytes.",
            "content": {
                "application/json": {
                    "example": {"id": "evt_1", "type": "checkout.session.completed"}
                },
                "application/x-www-form-urlencoded": {"example": "data=eyJ...&signature=..."},
            },
        }
    by_status: dict[int, list[ErrorSpec]] = defaultdict(list)
    for problem in spec.problems():
        by_status[problem.status].append(problem)
    op["responses"] = {
        str(spec.status): _success(spec, names),
        **{
            str(status): _problem_response(status, by_status[status])
            for status in sorted(by_status)
        },
    }
    return op


def build_document() -> dict[str, Any]:
    models = _models()
    refs, defs = models_json_schema(models, ref_template=_REF)
    schemas = {**defs.get("$defs", {}), "Problem": PROBLEM_SCHEMA, "FieldError": ERROR_ITEM}
    for name, schema in schemas.items():
        if "-" in name:  # a model whose request and answer schemas differ: two titles
            schema["title"] = name.replace("-", "")
    names: dict[tuple[int, str], str] = {
        (id(model), mode): str(refs[(model, mode)]["$ref"]).rsplit("/", 1)[-1]
        for model, mode in models
    }
    paths: dict[str, dict[str, Any]] = {}
    for spec in ROUTES:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, schemas, names)
    operation_ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    duplicates = {i for i in operation_ids if operation_ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate operationIds: {sorted(duplicates)}")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "VetPet API",
            "version": __version__,
            "description": "Online veterinary consultations. Conventions (errors, lists, "
            "idempotency, CORS, request ids) are described in docs/api.md.",
            "license": {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"},
        },
        "servers": SERVERS,
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "headers": HEADERS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
