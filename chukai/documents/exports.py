"""CSV that opens cleanly in Excel on a Japanese PC (DOMAIN §12): UTF-8 with BOM, CRLF, times in the
reader's zone, Japanese as text (never \\uXXXX), column names in the reader's language."""

from __future__ import annotations

import csv
import io
import json
import zoneinfo
from typing import Any

from django.utils import translation

from chukai.accounts.models import User
from chukai.contracts.models import Contract
from chukai.contracts.selectors import contract_timeline
from chukai.web import labels

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
TIMELINE_COLUMNS = {
    "ja": ["日時", "タイムゾーン", "立場", "名前", "出来事", "詳細"],
    "en": ["Time", "Time zone", "Role", "Name", "What happened", "Details"],
}


def reader_zone(user: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "Asia/Tokyo")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return TOKYO


def excel_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def timeline_csv(*, contract: Contract, user: User) -> bytes:
    """The contract's timeline for `user` to keep (the evidence of a dispute)."""
    locale = user.locale if user.locale in TIMELINE_COLUMNS else "ja"
    tz = reader_zone(user)
    names = {contract.client_id: contract.client.display_name, contract.worker_id: contract.worker.display_name}
    rows: list[list[Any]] = [TIMELINE_COLUMNS[locale]]
    with translation.override(locale):
        for e in contract_timeline(contract=contract):
            rows.append(
                [
                    e["at"].astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
                    str(tz),
                    labels.label(labels.ROLES, e["actor_role"]),
                    names.get(e["actor"], "") if e["actor"] else "",
                    labels.label(labels.EVENTS, e["kind"]),
                    json.dumps(e["detail"], ensure_ascii=False, sort_keys=True, default=str),
                ]
            )
    return excel_csv(rows)


STATEMENT_COLUMNS = {
    "ja": ["年", "受注者ID", "受注者", "支払金額（税込）", "源泉徴収税額"],
    "en": ["Year", "Worker ID", "Worker", "Paid (JPY, tax included)", "Withheld (JPY)"],
}


def withholding_statement_csv(*, user: User, year: int, rows: list[dict[str, Any]]) -> bytes:
    locale = user.locale if user.locale in STATEMENT_COLUMNS else "ja"
    body: list[list[Any]] = [STATEMENT_COLUMNS[locale]]
    body += [[year, r["worker_id"], r["worker_name"], r["paid_jpy"], r["withheld_jpy"]] for r in rows]
    return excel_csv(body)
