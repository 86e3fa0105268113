"""The manual clock (CHUKAI_MANUAL_CLOCK=1 only; 404 otherwise)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from chukai import clock
from chukai.api import ok
from chukai.deadlines.services import clock_advance
from chukai.errors import Invalid, NotFound

router = Router(tags=["manual clock"])


class ClockIn(Schema):
    advance_seconds: int | None = None
    now: dt.datetime | None = None


def _enabled() -> None:
    if not settings.CHUKAI_MANUAL_CLOCK:
        raise NotFound("The manual clock is off (set CHUKAI_MANUAL_CLOCK=1).")


@router.get("/_clock", auth=None, response=dict)
def clock_get(request: HttpRequest) -> HttpResponse:
    _enabled()
    return ok({"now": clock.now()})


@router.post("/_clock", auth=None, response=dict)
def clock_post(request: HttpRequest, data: ClockIn) -> HttpResponse:
    _enabled()
    if (data.advance_seconds is None) == (data.now is None):
        raise Invalid({"body": "Give exactly one of advance_seconds or now."})
    if data.advance_seconds is not None:
        if not 0 <= data.advance_seconds <= 10 * 365 * 86400:
            raise Invalid({"advance_seconds": "Between 0 and ten years."})
        target = clock.now() + dt.timedelta(seconds=data.advance_seconds)
    else:
        assert data.now is not None
        if data.now.tzinfo is None:
            raise Invalid({"now": "Give a time with its offset."})
        target = data.now
    fired = clock_advance(to=target)
    return ok({"now": clock.now(), "fired": fired})
