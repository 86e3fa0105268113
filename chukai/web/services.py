"""The few writes only the pages need (a user's own preferences)."""

from __future__ import annotations

import zoneinfo

from django.db import transaction

from chukai.accounts.models import User
from chukai.errors import Invalid


def user_preferences_update(
    *, user_id: int, locale: str | None = None, time_zone: str | None = None, display_name: str | None = None
) -> User:
    errors: dict[str, str] = {}
    if locale is not None and locale not in ("ja", "en"):
        errors["locale"] = "Choose ja or en."
    if time_zone is not None:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = "Unknown time zone."
    if display_name is not None:
        display_name = display_name.strip()
        if not display_name or len(display_name) > 100:
            errors["display_name"] = "Enter a name of 1 to 100 characters."
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        fields = []
        for name, value in (("locale", locale), ("time_zone", time_zone), ("display_name", display_name)):
            if value is not None and getattr(user, name) != value:
                setattr(user, name, value)
                fields.append(name)
        if fields:
            user.save(update_fields=fields)
    return user
