"""Helpers shared by the page views: call a service, turn its errors into messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from chukai.accounts.models import User
from chukai.errors import ChukaiError, Forbidden, Invalid, NotFound, RateLimited, RuleViolation
from chukai.web import labels
from chukai.web.templatetags.chukai_web import exact

T = TypeVar("T")


def me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def rule_text(exc: ChukaiError) -> str:
    """A refused action in words: the reason, and when it becomes possible if known."""
    code = getattr(exc, "code", "error")
    text = labels.label(labels.REASONS, code) if code in labels.REASONS else _(exc.detail or code)
    at = exc.extra.get("available_at") if exc.extra else None
    if at is not None and hasattr(at, "tzinfo"):
        text += " " + _("Available from %(at)s.") % {"at": exact(at)}
    return text


def attempt(request: HttpRequest, fn: Callable[[], T], form: forms.Form | None = None) -> tuple[bool, T | None]:
    """Run a service; on a domain error put a clear message on the form (or the page) and return False.

    Services are atomic, so a refused call has changed nothing.
    """
    try:
        return True, fn()
    except Invalid as exc:
        if form is not None:
            for field, msgs in exc.fields.items():
                texts = [_(m) for m in msgs]
                form.add_error(field if field in form.fields else None, texts)
        else:
            detail = " ".join(_(m) for msgs in exc.fields.values() for m in msgs) or _(exc.detail)
            messages.error(request, _("Please check your input: %(detail)s") % {"detail": detail})
        return False, None
    except RuleViolation as exc:
        text = _("Refused: %(reason)s") % {"reason": rule_text(exc)}
        if form is not None:
            form.add_error(None, text)
        messages.error(request, text)
        return False, None
    except (Forbidden, RateLimited) as exc:
        text = labels.label(labels.REASONS, exc.code)
        if exc.detail and _(exc.detail) != exc.detail:
            text = _(exc.detail)
        if form is not None:
            form.add_error(None, text)
        messages.error(request, text)
        return False, None
    except NotFound:
        raise Http404 from None


def bad_form(request: HttpRequest, form: forms.Form) -> None:
    if not form.errors:
        return
    messages.error(request, _("Please correct the errors below. Nothing was saved."))


def flash_ok(request: HttpRequest, text: Any) -> None:
    messages.success(request, str(text))
