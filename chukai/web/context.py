"""What every page needs: the unread notification count, the languages, the clock."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from chukai import clock
from chukai.web.selectors import unread_notification_count


def site(request: HttpRequest) -> dict[str, Any]:
    if request.path.startswith("/api/") or request.path.startswith("/admin/"):
        return {}
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = unread_notification_count(user=user)
    return {
        "unread_notifications": unread,
        "site_languages": settings.LANGUAGES,
        "clock_now": clock.now(),
        "manual_clock": settings.CHUKAI_MANUAL_CLOCK,
    }
