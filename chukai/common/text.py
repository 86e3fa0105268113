"""What text the site takes: one rule for one-line texts, one for multi-line texts, one for time zones.

The API's schemas (pydantic types below) and the website's forms check with the same functions, and
the OpenAPI document carries the same rules as JSON Schema (`pattern`, `maxLength`, `enum`), so a
client can know before sending what will be refused.

- One-line text (names, titles, one-line reasons): no control character at all (C0, DEL, C1), no
  line or paragraph separator (U+2028, U+2029), no bidirectional embedding/override/isolate
  (U+202A–U+202E, U+2066–U+2069: they make a name or a title read as something else, and a newline
  in a display name once broke every email subject it went into).
- Multi-line text (messages, descriptions, reasons written in a text area): tab, line feed and
  carriage return are kept; every other C0/C1 control and DEL is refused. CR LF and a lone CR
  become LF.
- A required text must have something other than white space in it (the services strip it).
- Time zones: canonical IANA names only — `zoneinfo.available_timezones()` without `localtime`,
  `Factory`, `posixrules` and the `posix/…` and `right/…` copies (which ZoneInfo also loads).
"""

from __future__ import annotations

import functools
import re
import sys
import zoneinfo
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

_CONTROLS = [(0x00, 0x1F), (0x7F, 0x9F)]
_BIDI = [(0x202A, 0x202E), (0x2066, 0x2069)]
_LINE_SEPARATORS = [(0x2028, 0x2029)]
_KEPT_IN_MULTI_LINE = {0x09, 0x0A, 0x0D}

ONE_LINE_REFUSED: frozenset[int] = frozenset(
    c for lo, hi in _CONTROLS + _BIDI + _LINE_SEPARATORS for c in range(lo, hi + 1)
)
MULTI_LINE_REFUSED: frozenset[int] = frozenset(
    c for lo, hi in _CONTROLS for c in range(lo, hi + 1) if c not in _KEPT_IN_MULTI_LINE
)
# What str.strip() removes: a required text needs one character outside this set.
BLANK: frozenset[int] = frozenset(c for c in range(sys.maxunicode + 1) if chr(c).isspace())

ONE_LINE_MESSAGE = "Control, line-break and text-direction characters are not allowed here."
MULTI_LINE_MESSAGE = "Control characters are not allowed (only tab and line breaks)."
BLANK_MESSAGE = "Must not be empty or only spaces."
TIME_ZONE_MESSAGE = "Unknown time zone: give an IANA name such as Asia/Tokyo."


def _ranges(codes: frozenset[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for c in sorted(codes):
        if out and out[-1][1] == c - 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return out


def _class(codes: frozenset[int], negate: bool = True) -> str:
    r"""A regex character class written with \uXXXX escapes only: the same in ECMA 262 (JSON Schema),
    Python's re and the Rust regex crate."""
    parts = "".join(f"\\u{lo:04x}" if lo == hi else f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in _ranges(codes))
    return f"[{'^' if negate else ''}{parts}]"


def _pattern(refused: frozenset[int], *, required: bool) -> str:
    allowed = _class(refused)
    if not required:
        return f"^{allowed}*$"
    return f"^{allowed}*{_class(refused | BLANK)}{allowed}*$"


_ONE_LINE_BAD = re.compile(_class(ONE_LINE_REFUSED, negate=False))
_MULTI_LINE_BAD = re.compile(_class(MULTI_LINE_REFUSED, negate=False))


def one_line_error(value: str) -> str | None:
    """Why `value` cannot be a one-line text, or None."""
    return ONE_LINE_MESSAGE if _ONE_LINE_BAD.search(value) else None


def multi_line_error(value: str) -> str | None:
    """Why `value` cannot be a multi-line text, or None."""
    return MULTI_LINE_MESSAGE if _MULTI_LINE_BAD.search(value) else None


def normalize_newlines(value: Any) -> Any:
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


@functools.cache
def time_zones() -> frozenset[str]:
    zones = zoneinfo.available_timezones() - {"localtime", "Factory", "posixrules"}
    return frozenset(z for z in zones if not z.startswith(("posix/", "right/")))


def time_zone_error(value: str) -> str | None:
    return None if value in time_zones() else TIME_ZONE_MESSAGE


# --- pydantic types for the API's schemas ------------------------------------------------------


def _checker(error: Any, *, required: bool) -> AfterValidator:
    def check(value: str) -> str:
        message = error(value)
        if message:
            raise ValueError(message)
        if required and not value.strip():
            raise ValueError(BLANK_MESSAGE)
        return value

    return AfterValidator(check)


def _one_line(max_length: int, *, required: bool = True) -> Any:
    return Field(max_length=max_length, json_schema_extra={"pattern": _pattern(ONE_LINE_REFUSED, required=required)})


def _multi_line(max_length: int, *, required: bool = True) -> Any:
    return Field(max_length=max_length, json_schema_extra={"pattern": _pattern(MULTI_LINE_REFUSED, required=required)})


_NEWLINES = BeforeValidator(normalize_newlines)

# One-line texts: (not blank) and at most so many characters.
DisplayName = Annotated[str, _one_line(100), _checker(one_line_error, required=True)]
Title = Annotated[str, _one_line(200), _checker(one_line_error, required=True)]
# Multi-line texts (CR LF becomes LF before the length is counted).
Text2k = Annotated[str, _NEWLINES, _multi_line(2_000, required=False), _checker(multi_line_error, required=False)]
Text500 = Annotated[str, _NEWLINES, _multi_line(500), _checker(multi_line_error, required=True)]
Text5k = Annotated[str, _NEWLINES, _multi_line(5_000), _checker(multi_line_error, required=True)]
Text10k = Annotated[str, _NEWLINES, _multi_line(10_000), _checker(multi_line_error, required=True)]
OptionalText10k = Annotated[
    str, _NEWLINES, _multi_line(10_000, required=False), _checker(multi_line_error, required=False)
]
Text20k = Annotated[str, _NEWLINES, _multi_line(20_000), _checker(multi_line_error, required=True)]


def _check_zone(value: str) -> str:
    message = time_zone_error(value)
    if message:
        raise ValueError(message)
    return value


TimeZone = Annotated[str, Field(json_schema_extra={"enum": sorted(time_zones())}), AfterValidator(_check_zone)]
