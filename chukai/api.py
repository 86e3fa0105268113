"""The JSON API: one NinjaAPI, problem details for every error, bearer tokens."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
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


api = NinjaAPI(
    title="chukai API",
    version="1.0",
    description="Crowdsourcing escrow with remedies for a silent counterpart. Errors are RFC 9457 problems.",
    auth=BearerAuth(),
    urls_namespace="api",
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


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
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


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def created(request: HttpRequest, make: Any, status: int = 201) -> HttpResponse:
    """Answer a creating POST; with an Idempotency-Key, a repeat gets the first answer."""
    key = request.headers.get("Idempotency-Key")
    user = getattr(request, "auth", None)
    if not key or not isinstance(user, User):
        return _json(status, jsonable(make()))
    if len(key) > 200:
        raise Invalid({"Idempotency-Key": "At most 200 characters."})
    first = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if first is None:
        try:
            with transaction.atomic():
                body = jsonable(make())
                IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    method=request.method or "POST",
                    path=request.path,
                    status=status,
                    body=body,
                    created_at=clock.now(),
                )
            return _json(status, body)
        except IntegrityError:
            first = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if first is None:
                raise
    if first.path != request.path:
        raise Invalid({"Idempotency-Key": "This key was already used for another request."})
    return _json(first.status, first.body)


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
    from chukai.remedies.api import router as remedies
    from chukai.reputation.api import router as reputation
    from chukai.support.api import router as support

    for router in (accounts, marketplace, contracts, messaging, remedies, support, reputation, clock_router):
        api.add_router("", router)


register_routers()
