"""The timeline CSV opens in Excel on a Japanese PC: BOM, CRLF, the reader's zone, their language, Japanese as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

from django.test import Client

from chukai.accounts.models import User
from chukai.contracts.models import Event
from tests.conftest import make_contract, signup
from tests.payments.helpers import fund


def _rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), body[:10]
    text = body[3:].decode("utf-8")
    assert "\r\n" in text and "\\u" not in text
    return list(csv.reader(io.StringIO(text)))


def test_timeline_csv_in_the_callers_zone_and_language(db: object) -> None:
    client = signup("client", display_name="依頼者")  # Japanese, Asia/Tokyo by default
    worker = signup("writer", locale="en", time_zone="America/New_York")
    c = make_contract(client, worker, milestones=[{"title": "記事10本", "amount_jpy": 50_000}])
    assert fund(client, c, c["milestones"][0]["id"]).status_code == 200
    funded_at = Event.objects.get(contract_id=c["id"], kind="milestone_funded").at

    r = client.get(f"/api/contracts/{c['id']}/timeline?format=csv")
    assert r.status_code == 200 and r["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in r["Content-Disposition"]
    head, *rows = _rows(r.content)
    assert head == ["日時", "タイムゾーン", "立場", "名前", "出来事", "詳細"]
    funded = next(row for row in rows if row[4] == "仮払い完了")
    tokyo = funded_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert funded[0] == tokyo.strftime("%Y-%m-%d %H:%M:%S") and funded[1] == "Asia/Tokyo"
    assert (funded[2], funded[3]) == ("クライアント", "依頼者")
    assert '"amount_jpy": 50000' in funded[5]  # JSON details kept readable (no \\u escapes)

    r = worker.get(f"/api/contracts/{c['id']}/timeline?format=csv")
    head, *rows = _rows(r.content)
    assert head == ["Time", "Time zone", "Role", "Name", "What happened", "Details"]
    funded = next(row for row in rows if row[4] == "Escrow funded")
    ny = funded_at.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert funded[0] == ny.strftime("%Y-%m-%d %H:%M:%S") and funded[1] == "America/New_York"
    assert (funded[2], funded[3]) == ("Client", "依頼者")
    assert ny.utcoffset() != dt.timedelta(0)


def test_timeline_csv_page_and_strangers(db: object) -> None:
    client = signup("client")
    worker = signup("worker")
    c = make_contract(client, worker)
    assert signup("stranger").get(f"/api/contracts/{c['id']}/timeline?format=csv").status_code == 404
    web = Client()
    web.force_login(User.objects.get(pk=client.user_id))
    r = web.get(f"/contracts/{c['id']}/timeline.csv")
    assert r.status_code == 200
    head, *rows = _rows(r.content)
    assert head[0] == "日時" and rows and rows[0][4] == "契約成立"
