"""Route declaration: one decorator registers a Chalice route, its access rule, its
request/response models and its OpenAPI entry, so none of them can drift apart."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from chalice.app import Chalice, Response

from chalicelib.clock import Clock, SystemClock
from chalicelib.config import get_settings
from chalicelib.errors import DomainError
from chalicelib.observability import logger
from chalicelib.web.access import Access, Principal, authorize
from chalicelib.web.errors import WEB_ERRORS, ErrorSpec, spec_of, to_problem
from chalicelib.web.problems import ProblemError

if TYPE_CHECKING:  # pydantic loads with the first module that declares a schema
    from pydantic import BaseModel

B = TypeVar("B")
Q = TypeVar("Q")


@dataclass(frozen=True)
class Header:
    """A request header a route reads (documented as an OpenAPI header parameter)."""

    name: str
    description: str
    required: bool = True
    max_length: int | None = None


@dataclass(frozen=True)
class RouteSpec:
    """Everything the API knows about one route; the OpenAPI document reads these."""

    path: str
    method: str
    access: Access
    summary: str
    tag: str
    status: int
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    errors: tuple[ErrorSpec, ...]
    operation_id: str | None = None
    headers: tuple[Header, ...] = ()
    reply_headers: tuple[str, ...] = ()
    path_values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    raw_body: bool = False  # the handler gets the body's bytes unparsed (signed webhooks)

    def problems(self) -> tuple[ErrorSpec, ...]:
        """Every problem this route can answer: its declared errors and the web layer's
        (a refused body or query, a token refused, a body too large or not JSON)."""
        web = {spec.code: spec for spec in WEB_ERRORS}
        added = [web["validation_error"], web["unauthorized"]]
        if not self.access.public:
            added.append(web["forbidden"])
        if self.body is not None:
            added += [
                web["payload_too_large"],
                web["unsupported_media_type"],
                web["card_data_refused"],
            ]
        found: dict[tuple[int, str], ErrorSpec] = {}
        for spec in (*added, *self.errors):
            found.setdefault((spec.status, spec.code), spec)
        return tuple(found.values())

    def answers(self, status: int, code: str) -> bool:
        return any(s.status == status and s.code == code for s in self.problems())


class UndeclaredProblem(AssertionError):
    """A handler answered a problem its route does not declare (the contract would lie)."""


ROUTES: list[RouteSpec] = []

# Bodies are always parsed as JSON; clients that label them otherwise (curl's default
# form type, text/plain) still get JSON validation rather than a 415.
ACCEPTED_CONTENT_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/octet-stream",
]


@dataclass(frozen=True)
class ApiRequest(Generic[B, Q]):
    """What a handler receives: validated input, the caller and the request's clock."""

    body: B
    query: Q
    principal: Principal | None
    headers: Mapping[str, str]
    client_ip: str
    user_agent: str
    now: datetime

    @property
    def user(self) -> Principal:
        """The principal of a route that requires authentication."""
        if self.principal is None:  # pragma: no cover - guarded by Access
            raise ProblemError(401, "unauthorized", "This endpoint needs an access token.")
        return self.principal


@dataclass
class Reply:
    """A handler's answer when it needs a status or headers other than the route's."""

    body: Any
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[..., Any]


def _declared(spec: RouteSpec, problem: ProblemError) -> ProblemError:
    """``problem``, naming its field when the table knows which; a problem the route does
    not declare raises `UndeclaredProblem` where the contract is enforced (the local stage
    and tests) and is logged elsewhere."""
    if not spec.answers(problem.status, problem.code):
        message = (
            f"{spec.method} {spec.path} answered an undeclared {problem.status} {problem.code}"
        )
        if get_settings().contract_strict:
            raise UndeclaredProblem(message)
        logger.error(message)
    if "errors" not in problem.extra and spec.body is not None:
        fields = next((s.fields for s in spec.problems() if s.code == problem.code), ())
        named = next((f for f in fields if f in spec.body.model_fields), None)
        if named is not None:
            problem.extra["errors"] = [
                {"field": named, "code": problem.code, "message": problem.detail}
            ]
    return problem


def _jsonable(body: Any) -> Any:
    if hasattr(body, "model_dump"):  # a pydantic model
        return body.model_dump(mode="json")
    return body


class ApiBlueprint:
    """One capability's routes, declared with `route`; `chalicelib.web.lazy` registers them
    on the app and imports the declaring module on first use."""

    clock: Clock = SystemClock()

    def __init__(self, import_name: str, tag: str) -> None:
        self.import_name = import_name
        self.tag = tag
        self.declared: list[tuple[str, str]] = []
        self._views: dict[tuple[str, str], Callable[..., Response]] = {}
        self._app: Chalice | None = None

    def bind(self, app: Chalice) -> None:
        """The app whose current request the views read (see `chalicelib.web.lazy`)."""
        self._app = app

    def view_for(self, path: str, method: str) -> Callable[..., Response]:
        return self._views[(path, method)]

    def route(
        self,
        path: str,
        method: str,
        *,
        access: Access,
        summary: str,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        errors: tuple[type[DomainError], ...] = (),
        raw_body: bool = False,
        operation_id: str | None = None,
        headers: tuple[Header, ...] = (),
        reply_headers: tuple[str, ...] = (),
        path_values: Mapping[str, tuple[str, ...]] | None = None,
    ) -> Callable[[Handler], Handler]:
        """Declare a route. ``errors`` are the domain exceptions it can answer (the web
        layer's own problems are added by `RouteSpec.problems`);
        ``operation_id`` overrides the name derived from method and path; ``headers``
        are request headers it reads, ``reply_headers`` the ones its success answer adds;
        ``path_values`` lists the values a path parameter may take (others are a 404)."""
        specs = tuple(spec_of(e) for e in errors)
        spec = RouteSpec(
            path,
            method.upper(),
            access,
            summary,
            self.tag,
            status,
            body,
            query,
            response,
            specs,
            operation_id,
            headers,
            reply_headers,
            dict(path_values or {}),
            raw_body,
        )
        ROUTES.append(spec)

        def decorate(handler: Handler) -> Handler:
            @functools.wraps(handler)
            def view(**path_params: str) -> Response:
                caller: list[Principal] = []
                try:
                    response = self._dispatch(spec, handler, path_params, caller)
                except ProblemError as problem:
                    response = _declared(spec, problem).to_response()
                except DomainError as error:
                    response = _declared(spec, to_problem(error)).to_response()
                if caller:  # P19: a significant policy version not yet acknowledged
                    from chalicelib.consent.notice import policy_notice_headers

                    response.headers.update(
                        policy_notice_headers(caller[0].user_id, self.clock.now())
                    )
                return response

            self.declared.append((path, spec.method))
            self._views[(path, spec.method)] = view
            return handler

        return decorate

    def _dispatch(
        self,
        spec: RouteSpec,
        handler: Handler,
        path_params: dict[str, str],
        caller: list[Principal],
    ) -> Response:
        if self._app is None or self._app.current_request is None:  # pragma: no cover
            raise RuntimeError(f"{self.import_name} is not bound to a running app")
        request = self._app.current_request
        from chalicelib.web.validation import parse_body, parse_query, reject_body

        headers: Mapping[str, str] = request.headers
        principal = authorize(spec.access, headers)
        if principal is not None:
            logger.thread_safe_append_keys(user_id=principal.user_id)
            caller.append(principal)
        raw_body = request.raw_body
        raw = (raw_body.encode() if isinstance(raw_body, str) else raw_body) or None
        if spec.raw_body:
            body: Any = raw or b""
        elif spec.body is not None:
            body = parse_body(spec.body, raw)
        else:
            reject_body(raw)
            body = None
        query = parse_query(spec.query, request.query_params) if spec.query else None
        identity = request.context.get("identity", {})
        api_request: ApiRequest[Any, Any] = ApiRequest(
            body=body,
            query=query,
            principal=principal,
            headers=headers,
            client_ip=str(identity.get("sourceIp", "")),
            user_agent=str(headers.get("user-agent", "")),
            now=self.clock.now(),
        )
        result = handler(api_request, **path_params)
        if isinstance(result, Response):
            return result
        if result is None and spec.status == 204:
            return Response(body="", status_code=204)
        if isinstance(result, Reply):
            return Response(
                body=_jsonable(result.body),
                status_code=result.status or spec.status,
                headers={"Content-Type": "application/json", **result.headers},
            )
        return Response(
            body=_jsonable(result),
            status_code=spec.status,
            headers={"Content-Type": "application/json"},
        )
