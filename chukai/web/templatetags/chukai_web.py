"""Filters and tags for money, times (exact + countdown, in the user's zone) and codes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from chukai import clock
from chukai.web import labels

register = template.Library()


@register.filter
def yen(value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        n = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"-¥{-n:,}" if n < 0 else f"¥{n:,}"


def _parse(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def exact(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return dateformat.format(local, "Y-m-d (D) H:i T")


def countdown_text(value: dt.datetime, now: dt.datetime | None = None) -> str:
    now = now or clock.now()
    secs = int((value - now).total_seconds())
    future = secs >= 0
    s = abs(secs)
    d, rem = divmod(s, 86400)
    h, rem = divmod(rem, 3600)
    m = rem // 60
    if d:
        text = _("%(d)d d %(h)d h") % {"d": d, "h": h}
    elif h:
        text = _("%(h)d h %(m)d min") % {"h": h, "m": m}
    else:
        text = _("%(m)d min") % {"m": m}
    return (_("in %(t)s") if future else _("%(t)s ago")) % {"t": text}


@register.simple_tag
def when(value: Any, countdown: bool = True) -> SafeString | str:
    """Exact local date-time, with a countdown (or "… ago") beside it."""
    at = _parse(value)
    if at is None:
        return "—"
    if not countdown:
        return format_html('<time datetime="{}">{}</time>', at.isoformat(), exact(at))
    return format_html(
        '<time datetime="{}">{}</time> <span class="countdown">({})</span>',
        at.isoformat(),
        exact(at),
        countdown_text(at),
    )


@register.filter
def day(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return dateformat.format(timezone.localtime(value), "Y-m-d (D)")
    if isinstance(value, dt.date):
        return dateformat.format(value, "Y-m-d (D)")
    if isinstance(value, str) and value:
        try:
            return dateformat.format(dt.date.fromisoformat(value), "Y-m-d (D)")
        except ValueError:
            return value
    return "—"


@register.filter
def label(code: Any, table: str) -> str:
    return labels.label(getattr(labels, table.upper()), code)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(key, mapping.get(str(key)))
    return None


@register.filter
def pct(bp: Any) -> str:
    try:
        return f"{int(bp) / 100:g} %"
    except (TypeError, ValueError):
        return "—"
