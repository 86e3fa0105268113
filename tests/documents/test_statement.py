"""The client's yearly statement per worker (paid, withheld), from the payment notices it issued; JSON and CSV."""

from __future__ import annotations

import zoneinfo

from chukai import clock
from tests.conftest import Api, make_contract, signup
from tests.payments.helpers import fund


def _paid(client: Api, worker: Api, amount: int) -> None:
    c = make_contract(client, worker, milestones=[{"title": "原稿", "amount_jpy": amount}])
    mid = c["milestones"][0]["id"]
    assert fund(client, c, mid).status_code == 200
    assert worker.post(f"/api/contracts/{c['id']}/milestones/{mid}/deliver").status_code == 200
    assert client.post(f"/api/contracts/{c['id']}/milestones/{mid}/accept").status_code == 200


def test_statement_per_worker_and_year(client_api: Api, worker_api: Api) -> None:
    other = signup("designer")
    _paid(client_api, worker_api, 110_000)
    _paid(client_api, worker_api, 22_000)
    _paid(client_api, other, 55_000)
    year = clock.now().astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).year  # papers are dated in JST
    r = client_api.get(f"/api/me/withholding-statement?year={year}")
    assert r.status_code == 200, r.content
    rows = r.json()
    assert [(x["worker_id"], x["paid_jpy"], x["withheld_jpy"]) for x in rows] == [
        (worker_api.user_id, 132_000, 0),
        (other.user_id, 55_000, 0),
    ]
    assert client_api.get(f"/api/me/withholding-statement?year={year - 1}").json() == []
    assert worker_api.get(f"/api/me/withholding-statement?year={year}").json() == []  # a payee, not a payer
    assert client_api.get("/api/me/withholding-statement?year=1999").status_code == 422
    csv = client_api.get(f"/api/me/withholding-statement?year={year}&format=csv")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    lines = csv.content[3:].decode().split("\r\n")
    assert lines[0] == "年,受注者ID,受注者,支払金額（税込）,源泉徴収税額"
    assert lines[1] == f"{year},{worker_api.user_id},{rows[0]['worker_name']},132000,0"
