"""The one source of time for chukai.

`now()` is the real time (which time-machine freezes in unit tests), the
manual clock kept in the database when ``CHUKAI_MANUAL_CLOCK=1`` (shared by
the server and the worker), or, inside ``as_of()``, the instant a late
deadline is applied at: a rule fires "as of its due time".
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

_as_of: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("chukai_as_of", default=None)


def now() -> dt.datetime:
    fixed = _as_of.get()
    if fixed is not None:
        return fixed
    if settings.CHUKAI_MANUAL_CLOCK:
        return manual_now()
    return timezone.now()


def real_now() -> dt.datetime:
    """Wall time for infrastructure (worker leases), never for domain rules."""
    return timezone.now()


@contextlib.contextmanager
def as_of(at: dt.datetime) -> Iterator[None]:
    token = _as_of.set(at)
    try:
        yield
    finally:
        _as_of.reset(token)


@contextlib.contextmanager
def pinned() -> Iterator[dt.datetime]:
    """One instant for one action: read the clock once — after the contract lock — and make every
    `now()` below it (listeners, hooks, notifications, timeline) return that same instant. Inside
    a deadline (`as_of`) the instant is the deadline's."""
    at = now()
    with as_of(at):
        yield at


def manual_now() -> dt.datetime:
    from chukai.common.models import ManualClock

    row = ManualClock.objects.filter(pk=1).values_list("now", flat=True).first()
    if row is None:
        start = timezone.now().replace(microsecond=0)
        ManualClock.objects.get_or_create(pk=1, defaults={"now": start})
        return ManualClock.objects.get(pk=1).now
    return row


def manual_set(at: dt.datetime) -> dt.datetime:
    from chukai.common.models import ManualClock

    ManualClock.objects.update_or_create(pk=1, defaults={"now": at})
    return at
