"""Notification texts by kind, in Japanese and English, rendered for one recipient.

Any app registers the texts of the kinds it emits with `register_texts`. The
templates use `{name}` placeholders filled from the notification's params;
`{contract}` (the contract's title) and `{contract_id}` are always there.
Datetimes in params are shown in the recipient's time zone with the exact
date and time, and a countdown when they are in the future (DOMAIN §8).
"""

from __future__ import annotations

import datetime as dt
import string
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

OFFICIAL_PREFIX = {"ja": "【chukai事務局】", "en": "[chukai official notice] "}
WEEKDAYS = {"ja": "月火水木金土日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Prepare = Callable[[dict[str, Any], "Viewer"], dict[str, Any]]


@dataclass(frozen=True)
class Texts:
    ja: str
    en: str
    ja_body: str = ""
    en_body: str = ""
    prepare: Prepare | None = None


@dataclass(frozen=True)
class Viewer:
    """Whom a text is rendered for."""

    locale: str
    time_zone: str
    now: dt.datetime

    @property
    def tz(self) -> dt.tzinfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("Asia/Tokyo")


TEXTS: dict[str, Texts] = {}

FALLBACK = Texts(
    ja="契約「{contract}」に更新があります（{kind}）",
    en="Update on contract “{contract}” ({kind})",
    ja_body="契約「{contract}」に新しい動きがあります。契約ページでご確認ください。",
    en_body="There is something new on contract “{contract}”. Please open the contract page.",
)


def register_texts(
    kind: str, *, ja: str, en: str, ja_body: str = "", en_body: str = "", prepare: Prepare | None = None
) -> None:
    """Subject/title (`ja`, `en`) and optional body templates for a notification kind."""
    TEXTS[kind] = Texts(ja=ja, en=en, ja_body=ja_body, en_body=en_body, prepare=prepare)


def texts_for(kind: str) -> Texts:
    return TEXTS.get(kind, FALLBACK)


# --- formatting ---------------------------------------------------------------------


def _parse_datetime(value: str) -> dt.datetime | None:
    if len(value) < 16 or "T" not in value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _parse_date(value: str) -> dt.date | None:
    if len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def format_date(d: dt.date, viewer: Viewer) -> str:
    if viewer.locale == "ja":
        return f"{d.year}年{d.month}月{d.day}日({WEEKDAYS['ja'][d.weekday()]})"
    return f"{WEEKDAYS['en'][d.weekday()]}, {d.day} {MONTHS_EN[d.month - 1]} {d.year}"


def countdown(at: dt.datetime, viewer: Viewer) -> str:
    left = at - viewer.now
    if left.total_seconds() <= 0:
        return ""
    days, rest = divmod(int(left.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if viewer.locale == "ja":
        parts = [f"{days}日" if days else "", f"{hours}時間" if hours else "", f"{minutes}分" if not days else ""]
        return "あと" + ("".join(parts) or "1分未満")
    bits = [f"{days} day{'s' * (days != 1)}" if days else "", f"{hours} h" if hours else ""]
    if not days:
        bits.append(f"{minutes} min")
    return "in " + (" ".join(b for b in bits if b) or "less than a minute")


def format_datetime(at: dt.datetime, viewer: Viewer, *, with_countdown: bool = True) -> str:
    local = at.astimezone(viewer.tz)
    zone = local.strftime("%Z") or viewer.time_zone
    text = f"{format_date(local.date(), viewer)} {local:%H:%M} {zone}"
    left = countdown(at, viewer) if with_countdown else ""
    if left:
        text += f"（{left}）" if viewer.locale == "ja" else f" ({left})"
    return text


def format_value(value: Any, viewer: Viewer) -> Any:
    if isinstance(value, dt.datetime):
        return format_datetime(value, viewer)
    if isinstance(value, dt.date):
        return format_date(value, viewer)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, str):
        parsed = _parse_datetime(value)
        if parsed is not None:
            return format_datetime(parsed, viewer)
        day = _parse_date(value)
        if day is not None:
            return format_date(day, viewer)
    return value


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


_formatter = string.Formatter()


def _fill(template: str, values: Mapping[str, Any]) -> str:
    try:
        return _formatter.vformat(template, (), _Params(values))
    except (ValueError, IndexError, AttributeError, KeyError):
        return template  # a broken template shows as written rather than failing the event


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


def render(kind: str, params: Mapping[str, Any], viewer: Viewer, *, official: bool = False) -> Rendered:
    texts = texts_for(kind)
    values: dict[str, Any] = {"kind": kind, **params}
    if texts.prepare is not None:
        values = texts.prepare(values, viewer)
    shown = {key: format_value(value, viewer) for key, value in values.items()}
    ja = viewer.locale == "ja"
    title = _fill(texts.ja if ja else texts.en, shown)
    body = _fill((texts.ja_body if ja else texts.en_body) or "", shown)
    if official:
        title = OFFICIAL_PREFIX["ja" if ja else "en"] + title
    return Rendered(title=title[:300], body=body)
