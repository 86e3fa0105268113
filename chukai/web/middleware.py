"""Per-request preferences for the pages: language, time zone, last seen."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from chukai.accounts.services import user_touch_last_seen

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def language_for(request: HttpRequest) -> str:
    """The cookie (an explicit switch) wins, then the user's locale, then Japanese."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED:
        return str(cookie)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "locale", None) in SUPPORTED:
        return str(user.locale)
    return "ja"


class UserPrefsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return self.get_response(request)  # the API speaks JSON; tokens touch last_seen there
        lang = language_for(request)
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        user = request.user
        tz = "Asia/Tokyo"
        if user.is_authenticated:
            tz = getattr(user, "time_zone", tz) or tz
            user_touch_last_seen(user=user)  # type: ignore[arg-type]
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo("Asia/Tokyo"))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        response.headers.setdefault("Content-Language", lang)
        return response
