"""OpenAPI 3.1, generated from the same route registrations and pydantic models the
handlers validate with."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib import __version__
from chalicelib.web.routing import ROUTES, RouteSpec

_PATH_PARAM = re.compile(r"{(\w+)}")
_NON_WORD = re.compile(r"\W+")
_REF = "#/components/schemas/{model}"


def _models() -> list[type[BaseModel]]:
    seen: dict[str, type[BaseModel]] = {}
    for spec in ROUTES:
        for model in (spec.body, spec.query, spec.response):
            if model is not None:
                seen[model.__name__] = model
    return list(seen.values())


def _problem_ref(status: str, codes: tuple[str, ...]) -> dict[str, Any]:
    description = "Problem details" + (f"; codes: {', '.join(codes)}" if codes else "")
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": _REF.format(model="Problem")}}},
    }


def _operation(spec: RouteSpec) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": spec.summary,
        "tags": [spec.tag],
        "operationId": spec.method.lower() + "_" + _NON_WORD.sub("_", spec.path).strip("_"),
        "x-access": spec.access.describe(),
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _PATH_PARAM.findall(spec.path)
        ],
    }
    if not spec.access.public:
        op["security"] = [{"bearer": []}]
    if spec.query is not None:
        for name, field in spec.query.model_fields.items():
            op["parameters"].append(
                {
                    "name": field.alias or name,
                    "in": "query",
                    "required": field.is_required(),
                    "schema": {"type": "string"},
                    "description": field.description or "",
                }
            )
    if spec.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": _REF.format(model=spec.body.__name__)}}
            },
        }
    if spec.raw_body:
        op["requestBody"] = {
            "required": True,
            "description": "The sender's signed body, read as raw bytes.",
            "content": {"application/json": {}, "application/x-www-form-urlencoded": {}},
        }
    ok: dict[str, Any] = {"description": "Success"}
    if spec.response is not None:
        ok["content"] = {
            "application/json": {"schema": {"$ref": _REF.format(model=spec.response.__name__)}}
        }
    op["responses"] = {str(spec.status): ok, "4XX": _problem_ref("4XX", spec.errors)}
    return op


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `code` is stable and machine-readable.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def build_document() -> dict[str, Any]:
    _, defs = models_json_schema([(m, "validation") for m in _models()], ref_template=_REF)
    schemas = {**defs.get("$defs", {}), "Problem": PROBLEM_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for spec in ROUTES:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec)
    return {
        "openapi": "3.1.0",
        "info": {"title": "VetPet API", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
