"""The JSON API: one NinjaAPI, problem details for every error, bearer tokens."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt
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
        if not isinstance(data, dict):  # every body is an object: `null`, `[]` or `1` never means "nothing"
            raise Invalid({"body": "Send a JSON object (or no body where the body is optional)."})
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
                if isinstance(operation, dict) and "requestBody" in operation:
                    _body_is_an_object(operation["requestBody"])
                for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                    _storable_text(parameter.get("schema", {}))
        for component in schema["components"]["schemas"].values():
            _storable_text(component)
        return schema


_NO_NUL = "^[^\\u0000]*$"


def _storable_text(node: Any) -> None:
    """Document what StorableParser refuses everywhere: a text without its own pattern, format or
    choices gets the pattern "no NUL" (unpaired surrogates are not valid JSON text to begin with), an
    integer without its own range the 64-bit range."""
    if isinstance(node, list):
        for item in node:
            _storable_text(item)
    elif isinstance(node, dict):
        if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & node.keys():
            node["pattern"] = _NO_NUL
        if node.get("type") == "integer":  # what a database integer holds (64 bits)
            node.setdefault("minimum", -INT64)
            node.setdefault("maximum", INT64 - 1)
        for key, value in node.items():
            if key not in ("enum", "const", "default", "examples", "example"):
                _storable_text(value)


def _body_is_an_object(request_body: dict[str, Any]) -> None:
    """An optional body is an object or no body at all — a JSON `null` (or `[]`, `123`) is refused,
    so the document does not offer `null` (ninja writes an optional body as `anyOf [object, null]`)."""
    for media_type, media in request_body.get("content", {}).items():
        body = media.get("schema", {})
        if media_type == "multipart/form-data" and body.get("type") == "object":
            body.setdefault("additionalProperties", False)  # only the declared parts are read
            for part in body.get("properties", {}).values():
                if part.get("format") == "binary":
                    part.setdefault("minLength", 1)  # an empty file is no upload (Django drops it)
        options = body.get("anyOf")
        if isinstance(options, list) and any(o.get("type") == "null" for o in options):
            rest = [o for o in options if o.get("type") != "null"]
            body.pop("anyOf")
            body.update(rest[0] if len(rest) == 1 else {"anyOf": rest})


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


# Every object lookup the API refuses answers this one text, whatever the object and whether it
# does not exist or is someone else's: the answer never tells a stranger which ids exist.
NOT_FOUND_DETAIL = "Not found, or not yours to see."


@api.exception_handler(ChukaiError)
def _chukai_error(request: HttpRequest, exc: ChukaiError) -> HttpResponse:
    body = exc.problem()
    if isinstance(exc, NotFound) and not request.path.startswith("/api/_clock"):
        body["detail"] = NOT_FOUND_DETAIL
    return problem(exc.status, body)


class IdempotencyKeyReused(Invalid):
    code = "idempotency_key_reused"


def _too_large(limit: int, detail: str = "") -> HttpResponse:
    body = {
        "type": "/problems/too_large",
        "title": "Request body too large",
        "status": 413,
        "detail": detail or f"The request body is larger than the limit of {limit:,} bytes.",
        "code": "too_large",
        "limit_bytes": limit,
    }
    return problem(413, body)


@api.exception_handler(RequestDataTooBig)
def _body_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def _too_many_parts(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _too_large(settings.CHUKAI_API_MAX_BODY_BYTES, "Too many fields or files in one request.")


@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
def _bad_multipart(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(422, Invalid({"body": "The multipart body could not be read."}).problem())


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        401, Unauthorized("Send Authorization: Bearer <token>; get a token at POST /api/auth/token.").problem()
    )


def _loc(loc: Any) -> str:
    """A field's name as the services write it: `milestones[0].title`."""
    out = ""
    for p in loc:
        if p in ("body", "query", "path", "payload", "data"):
            continue
        out += f"[{p}]" if isinstance(p, int) else f".{p}" if out else str(p)
    return out or "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")  # our validators' own words
        fields.setdefault(_loc(err.get("loc", ())), []).append(message)
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


@csrf_exempt  # an unknown POST under /api/ answers this problem, not the HTML CSRF page
def api_not_found(request: HttpRequest) -> HttpResponse:
    return problem(404, NotFound(f"No API endpoint {request.method} {request.path}.").problem())


def _problem_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a wrong method with a bare text 405: make it a problem (keeping Allow)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit = settings.CHUKAI_API_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:  # refused before a byte is read (uploads stream to disk otherwise)
            return _too_large(limit)
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


def request_fingerprint(request: HttpRequest) -> str:
    """A hash of what a request asks for: method, path, query and body — JSON compared by meaning
    (key order and spacing do not count), a multipart form by its fields and the files' contents."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{request.method} {request.path}\n".encode(), hashlib.sha256)
    digest.update(json.dumps(sorted(request.GET.lists())).encode())
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        digest.update(json.dumps(sorted(request.POST.lists()), ensure_ascii=False).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(json.dumps([name, upload.name, upload.size], ensure_ascii=False).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        raw = request.body.strip() or b"{}"  # no body and {} ask for the same thing
        try:
            data = json.loads(raw)
            if isinstance(data, dict):  # a password is not kept, even hashed (signup checks it its own way)
                data = {k: v for k, v in data.items() if "password" not in k}
            raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        except ValueError:
            pass
        digest.update(raw)
    return digest.hexdigest()


def idempotency_record(request: HttpRequest, *, user: User, key: str, status: int, body: Any) -> None:
    IdempotencyRecord.objects.create(
        user=user,
        key=key,
        method=request.method or "POST",
        path=request.path,
        request_hash=request_fingerprint(request),
        status=status,
        body=body,
        created_at=clock.now(),
    )


def idempotency_replay(request: HttpRequest, first: IdempotencyRecord) -> HttpResponse:
    """The first answer again — only to the same request: the same key with another path or body is
    a client's mistake (422 `idempotency_key_reused`), never a silent replay of something else."""
    if first.path != request.path or (first.request_hash and first.request_hash != request_fingerprint(request)):
        raise IdempotencyKeyReused(
            {"Idempotency-Key": "This key was already used for a different request; use a new key."}
        )
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
    from chukai.documents.api import router as documents
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
    api.add_router("", documents)


register_routers()
