from __future__ import annotations

from typing import Annotated, Literal

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Router
from pydantic import Field

from chukai.accounts import services, signin
from chukai.accounts.selectors import me_dict, profile_dict
from chukai.api import (
    IdempotencyKeyReused,
    caller,
    created,
    idempotency_key,
    idempotency_record,
    idempotency_replay,
    jsonable,
    ok,
    problem,
)
from chukai.common.models import IdempotencyRecord
from chukai.common.text import DisplayName, TimeZone, _checker, _one_line, one_line_error
from chukai.common.types import Input
from chukai.errors import RateLimited
from chukai.ledger.selectors import user_ledger_entries

router = Router(tags=["accounts"])


class SignupIn(Input):
    email: Annotated[str, Field(max_length=254, json_schema_extra={"format": "email"})]
    password: str
    display_name: DisplayName
    locale: Literal["ja", "en"] = "ja"
    time_zone: TimeZone = "Asia/Tokyo"


class TokenIn(Input):
    email: str
    password: str


@router.post("/auth/signup", auth=None, response={201: dict})
def signup(request: HttpRequest, data: SignupIn) -> HttpResponse:
    # No caller yet: a repeated sign-up with the same key is found through the account it made,
    # and replayed only for the same request (same name, language, zone and the account's password).
    key = idempotency_key(request)
    if key:
        first = (
            IdempotencyRecord.objects.select_related("user")
            .filter(user__email=data.email.strip().lower(), key=key)
            .first()
        )
        if first is not None:
            recorded = first.body if isinstance(first.body, dict) else {}
            try:
                same = services.signup_replay_matches(
                    user=first.user, recorded=recorded, data=data.dict(), ip=signin.client_ip(request)
                )
            except RateLimited as exc:
                return _too_many(exc)
            if not same:  # the general rule's answer (chukai/api.py), for what its fingerprint leaves out
                raise IdempotencyKeyReused(
                    {"Idempotency-Key": "This key was already used for a different request; use a new key."}
                )
            return idempotency_replay(request, first)
    with transaction.atomic():
        user = services.user_signup(**data.dict())
        body = jsonable(me_dict(user))
        if key:
            idempotency_record(request, user=user, key=key, status=201, body=body)
    return created(request, lambda: body)


def _too_many(exc: RateLimited) -> HttpResponse:
    answer = problem(429, exc.problem())
    answer["Retry-After"] = str(signin.retry_after(exc))
    return answer


@router.post("/auth/token", auth=None, response={200: dict})
def token(request: HttpRequest, data: TokenIn) -> HttpResponse:
    """A bearer token, valid for `CHUKAI_API_TOKEN_DAYS`. Failed attempts are counted per
    address and per client, with the web login: 429 with `retry_after` (and `Retry-After`)."""
    try:
        key, device = services.token_create(
            email=data.email,
            password=data.password,
            ip=signin.client_ip(request),
            device=request.COOKIES.get(settings.CHUKAI_DEVICE_COOKIE_NAME),
        )
    except RateLimited as exc:
        return _too_many(exc)
    answer = ok({"token": key})
    signin.set_device_cookie(answer, device)
    return answer


@router.post("/auth/logout", response={204: None})
def logout(request: HttpRequest) -> HttpResponse:
    """The token of this call stops working (others of the same user are kept)."""
    services.token_revoke(key=request.headers.get("Authorization", "").partition(" ")[2].strip())
    return HttpResponse(status=204)


@router.get("/me", response=dict)
def me(request: HttpRequest) -> HttpResponse:
    return ok(me_dict(caller(request)))


# Blank allowed (the display name is printed then); one line, as the other names, with the same JSON Schema pattern.
LegalName = Annotated[str, _one_line(200, required=False), _checker(one_line_error, required=False)]


class MeIn(Input):
    """PATCH /api/me: only the fields sent change (API.md "Tax and papers"); the defaults are never
    used (unset fields are left out). Only the registration number may be null (removes it)."""

    display_name: DisplayName = ""
    locale: Literal["ja", "en"] = "ja"
    time_zone: TimeZone = "Asia/Tokyo"
    entity_type: Literal["individual", "company"] = "individual"
    legal_name: LegalName = ""
    # T + 13 digits with its check digit; full-width digits, spaces and hyphens are accepted.
    invoice_registration_number: Annotated[str, Field(max_length=40)] | None = None


@router.patch("/me", response=dict)
def me_patch(request: HttpRequest, data: MeIn) -> HttpResponse:
    changes = data.model_dump(exclude_unset=True)
    return ok(me_dict(services.me_update(user=caller(request), changes=changes)))


@router.get("/me/ledger", response=list)
def my_ledger(request: HttpRequest) -> HttpResponse:
    user = caller(request)
    entries = user_ledger_entries(user.pk)
    return ok(entries)


@router.get("/users/{user_id}/profile", response=dict)
def profile(request: HttpRequest, user_id: int) -> HttpResponse:
    return ok(profile_dict(user_id=user_id))
