from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from chukai import clock
from chukai.accounts import signin
from chukai.accounts.models import ApiToken, User
from chukai.errors import Invalid, Unauthorized

LAST_SEEN_EVERY = dt.timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def user_signup(
    *, email: str, password: str, display_name: str, locale: str = "ja", time_zone: str = "Asia/Tokyo"
) -> User:
    errors: dict[str, str | list[str]] = {}
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
    password_errors = password_problems(password, email=email, display_name=display_name)
    if password_errors:
        errors["password"] = password_errors
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


def password_problems(
    password: str | None, *, email: str = "", display_name: str = "", user: User | None = None
) -> list[str]:
    """What is wrong with a new password (settings.AUTH_PASSWORD_VALIDATORS), in the active
    language; judged against the account's email and display name (an unsaved stand-in at sign-up)."""
    subject = user if user is not None else User(email=email, display_name=display_name)
    try:
        validate_password(password or "", subject)
    except ValidationError as exc:
        return [str(m) for m in exc.messages]
    return []


def token_issue(*, user: User) -> str:
    """A new API token for a signed-in user; it stops working CHUKAI_API_TOKEN_DAYS from now."""
    key = secrets.token_urlsafe(32)
    now = clock.real_now()  # infrastructure time: a manual clock moved months ahead signs no one out
    ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.CHUKAI_API_TOKEN_DAYS),
    )
    return key


def token_create(*, email: str, password: str, ip: str = "unknown", device: str | None = None) -> tuple[str, str]:
    """`POST /api/auth/token`: (token, device cookie); throttled with the web login."""
    signed_in = signin.check_password(email=email, password=password, ip=ip, device=device)
    return token_issue(user=signed_in.user), signed_in.device_cookie


def user_for_token(key: str) -> User | None:
    """The active user of an unexpired token, in one query."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), expires_at__gt=clock.real_now(), user__is_active=True)
        .first()
    )
    return token.user if token is not None else None


def token_revoke(*, key: str) -> None:
    """`POST /api/auth/logout`: this token stops working."""
    ApiToken.objects.filter(key_hash=_hash(key)).delete()


def signup_replay_matches(*, user: User, recorded: dict[str, Any], data: dict[str, Any], ip: str) -> bool:
    """Whether a repeated sign-up is the same request as the one that made `user`: the same
    name, language and zone as recorded, and the password of the account (checked, and throttled,
    as a sign-in is: a replay must not become a way to test passwords)."""
    same = (
        (data.get("display_name") or "").strip() == recorded.get("display_name")
        and (data.get("locale") or "ja") == recorded.get("locale")
        and (data.get("time_zone") or "Asia/Tokyo") == recorded.get("time_zone")
    )
    if not same:
        return False
    try:
        signin.check_password(email=user.email, password=data.get("password") or "", ip=ip)
    except Unauthorized:
        return False
    return True


def user_touch_last_seen(*, user: User) -> None:
    """Record use, at most once a minute per user, so reads do not become writes."""
    now = clock.now()
    if user.last_seen_at is None or now - user.last_seen_at >= LAST_SEEN_EVERY or user.last_seen_at > now:
        User.objects.filter(pk=user.pk).update(last_seen_at=now)
        user.last_seen_at = now


# --- the account's own settings and who the user is on papers (DOMAIN §12) ------------------------

REGISTRATION_NUMBER_MESSAGE = (
    "登録番号は T と13桁の数字で、先頭の数字がチェックデジットです（国税庁の法人番号と同じ計算）。"
    " / A registration number is T and 13 digits whose first digit is the check digit."
)
ME_FIELDS = ("display_name", "locale", "time_zone", "entity_type", "legal_name", "invoice_registration_number")


def me_update(*, user: User, changes: dict[str, Any]) -> User:
    """Change the caller's own settings; only the keys given change. A registration number is
    normalized (full-width, hyphens, spaces) and must pass the check digit; null or "" removes it."""
    from chukai.ledger.tax import registration_number_normalize, registration_number_valid

    errors: dict[str, str] = {}
    updates: dict[str, Any] = {}
    for field in ME_FIELDS:
        if field not in changes:
            continue
        value = changes[field]
        if field == "invoice_registration_number":
            value = registration_number_normalize(value or "")
            if value and not registration_number_valid(value):
                errors[field] = REGISTRATION_NUMBER_MESSAGE
                continue
        elif field == "entity_type" and value not in ("individual", "company"):
            errors[field] = "individual（個人） or company（法人）."
            continue
        elif field == "legal_name":
            value = (value or "").strip()
        updates[field] = value
    if errors:
        raise Invalid(errors)
    if updates:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            for field, value in updates.items():
                setattr(locked, field, value)
            locked.save(update_fields=list(updates))
        for field, value in updates.items():
            setattr(user, field, value)
    return user
