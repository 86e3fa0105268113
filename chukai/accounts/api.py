from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from chukai.accounts import services
from chukai.accounts.selectors import me_dict, profile_dict
from chukai.api import (
    caller,
    created,
    idempotency_key,
    idempotency_record,
    idempotency_replay,
    jsonable,
    ok,
)
from chukai.common.models import IdempotencyRecord
from chukai.ledger.selectors import user_ledger_entries

router = Router(tags=["accounts"])


class SignupIn(Schema):
    email: str
    password: str
    display_name: str
    locale: str = "ja"
    time_zone: str = "Asia/Tokyo"


class TokenIn(Schema):
    email: str
    password: str


@router.post("/auth/signup", auth=None, response={201: dict})
def signup(request: HttpRequest, data: SignupIn) -> HttpResponse:
    # No caller yet: a repeated sign-up with the same key is found through the account it made.
    key = idempotency_key(request)
    if key:
        first = IdempotencyRecord.objects.filter(user__email=data.email.strip().lower(), key=key).first()
        if first is not None:
            return idempotency_replay(request, first)
    with transaction.atomic():
        user = services.user_signup(**data.dict())
        body = jsonable(me_dict(user))
        if key:
            idempotency_record(request, user=user, key=key, status=201, body=body)
    return created(request, lambda: body)


@router.post("/auth/token", auth=None, response={200: dict})
def token(request: HttpRequest, data: TokenIn) -> HttpResponse:
    return ok({"token": services.token_create(email=data.email, password=data.password)})


@router.get("/me", response=dict)
def me(request: HttpRequest) -> HttpResponse:
    return ok(me_dict(caller(request)))


@router.get("/me/ledger", response=list)
def my_ledger(request: HttpRequest) -> HttpResponse:
    user = caller(request)
    entries = user_ledger_entries(user.pk)
    return ok(entries)


@router.get("/users/{user_id}/profile", response=dict)
def profile(request: HttpRequest, user_id: int) -> HttpResponse:
    return ok(profile_dict(user_id=user_id))
