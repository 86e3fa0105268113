from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import zoneinfo

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from chukai import clock
from chukai.accounts.models import ApiToken, User
from chukai.errors import Invalid, Unauthorized

LAST_SEEN_EVERY = dt.timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def user_signup(
    *, email: str, password: str, display_name: str, locale: str = "ja", time_zone: str = "Asia/Tokyo"
) -> User:
    errors: dict[str, str] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter a valid email address."
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 100:
        errors["display_name"] = "Enter a name of 1 to 100 characters."
    if locale not in ("ja", "en"):
        errors["locale"] = "Choose ja or en."
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = "Unknown time zone."
    try:
        validate_password(password or "")
    except ValidationError as exc:
        errors["password"] = " ".join(str(m) for m in exc.messages)
    if not errors and User.objects.filter(email=email).exists():
        errors["email"] = "This email address is already registered."
    if errors:
        raise Invalid(errors)
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email, password, display_name=display_name, locale=locale, time_zone=time_zone
            )
    except IntegrityError:
        raise Invalid({"email": "This email address is already registered."}) from None


def token_create(*, email: str, password: str) -> str:
    user = User.objects.filter(email=(email or "").strip().lower(), is_active=True).first()
    if user is None or not user.check_password(password or ""):
        raise Unauthorized("Wrong email address or password.")
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=_hash(key), prefix=key[:8], created_at=clock.now())
    return key


def user_for_token(key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


def user_touch_last_seen(*, user: User) -> None:
    """Record use, at most once a minute per user, so reads do not become writes."""
    now = clock.now()
    if user.last_seen_at is None or now - user.last_seen_at >= LAST_SEEN_EVERY or user.last_seen_at > now:
        User.objects.filter(pk=user.pk).update(last_seen_at=now)
        user.last_seen_at = now
