"""The JSON API: one NinjaAPI, problem details for every error, bearer tokens."""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from chukai import clock
from chukai.accounts.models import User
from chukai.accounts.services import user_for_token, user_touch_last_seen
from chukai.common.models import IdempotencyRecord
from chukai.errors import ChukaiError, Invalid, NotFound, Unauthorized


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            user_touch_last_seen(user=user)
        return user


log = logging.getLogger(__name__)
INT64 = 2**63
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL refuses it), unpaired surrogates (not UTF-8)
_INTEGER = re.compile(r"[+-]?\d+")


def _check_storable(value: Any, at: str, query: bool = False) -> None:
    """Refuse, as 422, input no database column can take: text with NUL or an unpaired
    surrogate, integers beyond 64 bits (SQLite cannot bind them, PostgreSQL's bigint overflows)."""
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            raise Invalid({at: "Text may not contain NUL characters or unpaired surrogates."})
        if query and _INTEGER.fullmatch(value) and not -INT64 <= int(value) < INT64:
            raise Invalid({at: "Number out of range."})
    elif isinstance(value, int) and not isinstance(value, bool):
        if not -INT64 <= value < INT64:
            raise Invalid({at: "Number out of range."})
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_storable(key, at or "body")
            _check_storable(item, f"{at}.{key}" if at else str(key), query)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_storable(item, f"{at}[{i}]", query)


class StorableParser(Parser):
    """JSON bodies, query strings and forms, refusing what the database could not store."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        _check_storable(data, "")  # ninja wraps this as a 400 "cannot parse"; _http_error unwraps it
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        _check_storable(result, "", query=True)
        return result


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `code` names the refusal, `fields` maps invalid inputs to messages.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "additionalProperties": True,
}


class ChukaiAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Ninja's document, with the problem answers every operation may give (4XX) documented."""
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        refusal = {
            "description": "Refused: a problem (see the API conventions for the status and code).",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault("4XX", refusal)
        return schema


api = ChukaiAPI(
    title="chukai API",
    version="1.0",
    description="Crowdsourcing escrow with remedies for a silent counterpart. Errors are RFC 9457 problems.",
    auth=BearerAuth(),
    urls_namespace="api",
    parser=StorableParser(),
)


def problem(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type="application/problem+json",
    )


@api.exception_handler(ChukaiError)
def _chukai_error(request: HttpRequest, exc: ChukaiError) -> HttpResponse:
    return problem(exc.status, exc.problem())


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        401, Unauthorized("Send Authorization: Bearer <token>; get a token at POST /api/auth/token.").problem()
    )


def _loc(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        fields.setdefault(_loc(err.get("loc", ())), []).append(str(err.get("msg", "invalid")))
    return problem(422, Invalid(fields).problem())  # type: ignore[arg-type]


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A value the database (or date arithmetic) cannot hold got past validation: still the input's fault."""
    log.warning("Input out of range for %s %s", request.method, request.path, exc_info=exc)
    return problem(422, Invalid({"body": "A value is out of range."}).problem())


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ChukaiError):  # raised while parsing the body
        return problem(exc.__cause__.status, exc.__cause__.problem())
    code = {404: "not_found", 401: "unauthorized", 403: "forbidden", 405: "method_not_allowed"}.get(
        exc.status_code, "invalid" if exc.status_code in (400, 422) else "error"
    )
    status = 422 if exc.status_code == 400 else exc.status_code
    body = {"type": f"/problems/{code}", "title": str(exc), "status": status, "detail": str(exc), "code": code}
    if code == "invalid":
        body["fields"] = {"body": [str(exc)]}
    return problem(status, body)


def caller(request: HttpRequest) -> User:
    """The authenticated user of an API call."""
    user: User = getattr(request, "auth")  # noqa: B009 - set by ninja's auth
    return user


def api_not_found(request: HttpRequest) -> HttpResponse:
    return problem(404, NotFound(f"No API endpoint {request.method} {request.path}.").problem())


def _problem_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a wrong method with a bare text 405: make it a problem (keeping Allow)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            detail = f"{request.method} is not allowed here; use {response['Allow']}."
            body = {
                "type": "/problems/method_not_allowed",
                "title": "Method not allowed",
                "status": 405,
                "detail": detail,
                "code": "method_not_allowed",
            }
            answer = problem(405, body)
            answer["Allow"] = response["Allow"]
            return answer
        return response

    return wrapper


def api_urls() -> tuple[list[Any], str, str]:
    """`api.urls` with every view answering a wrong method as a problem; mount at api/."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _problem_not_allowed(pattern.callback)
    return patterns, app_name, namespace


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def idempotency_key(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key and len(key) > 200:
        raise Invalid({"Idempotency-Key": "At most 200 characters."})
    return key or None


def idempotency_record(request: HttpRequest, *, user: User, key: str, status: int, body: Any) -> None:
    IdempotencyRecord.objects.create(
        user=user,
        key=key,
        method=request.method or "POST",
        path=request.path,
        status=status,
        body=body,
        created_at=clock.now(),
    )


def idempotency_replay(request: HttpRequest, first: IdempotencyRecord) -> HttpResponse:
    if first.path != request.path:
        raise Invalid({"Idempotency-Key": "This key was already used for another request."})
    return _json(first.status, first.body)


def created(request: HttpRequest, make: Any, status: int = 201) -> HttpResponse:
    """Answer a creating POST; with an Idempotency-Key, a repeat gets the first answer."""
    key = idempotency_key(request)
    user = getattr(request, "auth", None)
    if not key or not isinstance(user, User):
        return _json(status, jsonable(make()))
    first = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if first is None:
        try:
            with transaction.atomic():
                body = jsonable(make())
                idempotency_record(request, user=user, key=key, status=status, body=body)
            return _json(status, body)
        except IntegrityError:
            first = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if first is None:
                raise
    return idempotency_replay(request, first)


def _json(status: int, body: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False), status=status, content_type="application/json"
    )


def ok(body: Any) -> HttpResponse:
    return _json(200, jsonable(body))


def register_routers() -> None:
    from chukai.accounts.api import router as accounts
    from chukai.common.api import router as clock_router
    from chukai.contracts.api import router as contracts
    from chukai.marketplace.api import router as marketplace
    from chukai.messaging.api import router as messaging
    from chukai.payments.api import router as payments
    from chukai.payouts.api import router as payouts
    from chukai.remedies.api import router as remedies
    from chukai.reputation.api import router as reputation
    from chukai.support.api import router as support

    for router in (accounts, marketplace, contracts, messaging, remedies, support, reputation, payouts, clock_router):
        api.add_router("", router)
    api.add_router("", payments)


register_routers()
