"""Strict input types for the API's schemas: JSON numbers that are numbers, ranges in the schema.

A yen amount is a JSON integer (never "100", never true), between the bounds every service keeps;
the bounds are in the OpenAPI document. Text types live in chukai.common.text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

from chukai.contracts.validation import MAX_JPY


def _whole_number(value: Any) -> Any:
    """JSON has one number type: 3.0 is the integer 3 (as JSON Schema says); 3.5, "3" and true are not."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


WHOLE = BeforeValidator(_whole_number)
# An integer in a JSON body: a JSON number without a fraction — never a string, never a boolean.
# (The range goes before the validator, so that it stays `minimum`/`maximum` in the OpenAPI document.)
JsonInt = Annotated[StrictInt, WHOLE]

Yen = Annotated[StrictInt, Field(ge=1, le=MAX_JPY), WHOLE]
"""A positive amount of yen (¥1 to ¥100,000,000)."""

YenOrZero = Annotated[StrictInt, Field(ge=0, le=MAX_JPY), WHOLE]
"""An amount of yen that may be zero (a payment to the worker out of escrow)."""

Id = Annotated[StrictInt, Field(ge=1, le=2**63 - 1), WHOLE]
"""The id of an object (in a JSON body)."""

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_text(value: Any) -> Any:
    """A date is written 2027-01-31 — not a number (pydantic would read 0 as 1970-01-01)."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("Give a date as YYYY-MM-DD.")
    return value


def _iso_datetime_text(value: Any) -> Any:
    """A time is ISO 8601 text (2027-01-31T09:00:00+09:00) — not a number of seconds."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("Give a time as ISO 8601, e.g. 2027-01-31T09:00:00+09:00.")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_text)]
"""A calendar date as YYYY-MM-DD text."""

IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime_text)]
"""A time as ISO 8601 text."""

Flag = StrictBool


class Input(Schema):
    """A request body: unknown fields are refused (422), so a misspelt field is never silently ignored."""

    model_config = ConfigDict(extra="forbid")
