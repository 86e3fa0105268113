"""Home, dashboard, policies, notifications, profiles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chukai.accounts.selectors import profile_dict
from chukai.web import selectors
from chukai.web.views.common import me


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:dashboard")
    return render(request, "web/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = me(request)
    rows = selectors.dashboard_contracts(user=user)
    banners = selectors.dashboard_banners(user=user)
    from chukai.todo import todo_for

    return render(
        request,
        "web/dashboard.html",
        {
            "todo": todo_for(user_id=user.pk),
            "as_client": [r for r in rows if r["role"] == "client"],
            "as_worker": [r for r in rows if r["role"] == "worker"],
            "banners": banners,
        },
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    return render(request, "web/notifications.html", {"items": selectors.notifications(user=me(request))})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    from chukai.messaging.services import notifications_mark_read

    notifications_mark_read(user_id=me(request).pk)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("web:notifications")


@login_required
def profile(request: HttpRequest, user_id: int) -> HttpResponse:
    from django.http import Http404

    from chukai.errors import NotFound

    try:
        data = profile_dict(user_id=user_id)
    except NotFound:
        raise Http404 from None
    return render(request, "web/profile.html", {"p": data})


def policies(request: HttpRequest) -> HttpResponse:
    from chukai.web.policy_pages import all_policies

    return render(request, "web/policies.html", {"policies": all_policies()})


def notification_count(request: HttpRequest) -> HttpResponse:
    """The header's unread count, refreshed by htmx every minute."""
    return render(request, "web/_count.html")
