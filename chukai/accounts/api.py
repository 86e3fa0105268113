from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from chukai.accounts import services
from chukai.accounts.selectors import me_dict, profile_dict
from chukai.api import caller, created, ok
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
    user = services.user_signup(**data.dict())
    return created(request, lambda: me_dict(user))


@router.post("/auth/token", auth=None, response={200: dict})
def token(request: HttpRequest, data: TokenIn) -> HttpResponse:
    return ok({"token": services.token_create(email=data.email, password=data.password)})


@router.get("/me", response=dict)
def me(request: HttpRequest) -> HttpResponse:
    return ok(me_dict(caller(request)))


@router.get("/me/ledger", response=dict)
def my_ledger(request: HttpRequest) -> HttpResponse:
    user = caller(request)
    entries = user_ledger_entries(user.pk)
    return ok(entries)


@router.get("/users/{user_id}/profile", response=dict)
def profile(request: HttpRequest, user_id: int) -> HttpResponse:
    return ok(profile_dict(user_id=user_id))
