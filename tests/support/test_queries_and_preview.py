"""Reads cost a fixed number of queries whatever the data size; the staff console's money preview
(web.selectors.decision_preview) agrees with what the decision then does."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chukai.contracts.models import Contract
from tests.conftest import Api, make_contract
from tests.support.helpers import case, decide, funded, open_case, send_notice


def _queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = call()
        assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


def test_queue_and_detail_are_query_budgeted(client_api: Api, worker_api: Api, staff: Api) -> None:
    first = make_contract(client_api, worker_api)
    c1 = open_case(worker_api, first["id"])
    send_notice(staff, c1["id"], "client")
    small_list = _queries(lambda: staff.get("/api/support-cases"))
    small_detail = _queries(lambda: staff.get(f"/api/support-cases/{c1['id']}"))
    for _ in range(4):
        c = make_contract(client_api, worker_api)
        got = open_case(client_api, c["id"])
        send_notice(staff, got["id"], "worker")
        send_notice(staff, got["id"], "client")
        staff.post(f"/api/support-cases/{got['id']}/notes", {"body": "メモ"})
    staff.post(f"/api/support-cases/{c1['id']}/notes", {"body": "メモ"})
    assert _queries(lambda: staff.get("/api/support-cases")) == small_list
    assert _queries(lambda: staff.get(f"/api/support-cases/{c1['id']}")) == small_detail
    assert len(staff.get("/api/support-cases").json()) == 5


CASES = [
    ("release_delivered", None, (0,), (0, 1)),
    ("release_delivered", None, (0,), (0,)),
    ("refund_escrow", None, (0,), (0, 1)),
    ("cancel", None, (), (0,)),
    ("split", 0, (0,), (0, 1)),
    ("split", 45_000, (1,), (0, 1)),
    ("split", 70_000, (0,), (0, 1)),
]


@pytest.mark.parametrize(("decision", "pay", "deliver", "fund"), CASES)
@pytest.mark.parametrize("policy", ["lancers", "crowdworks"])
def test_console_preview_agrees_with_the_decision(
    client_api: Api, worker_api: Api, staff: Api, policy: str, decision: str, pay: int | None, deliver: Any, fund: Any
) -> None:
    web = pytest.importorskip("chukai.web.selectors")
    c = funded(
        client_api,
        worker_api,
        policy=policy,
        milestones=[{"title": "A", "amount_jpy": 30_000}, {"title": "B", "amount_jpy": 40_000}],
        fund=fund,
        deliver=deliver,
    )
    got = open_case(worker_api, c["id"], "dispute")
    plan = web.decision_preview(contract=Contract.objects.get(pk=c["id"]), decision=decision, pay_worker_jpy=pay)
    extra = {"pay_worker_jpy": pay} if pay is not None else {}
    out = decide(staff, got["id"], decision, **extra)
    after = worker_api.get(f"/api/contracts/{c['id']}").json()
    assert plan["contract_status"] == after["status"]
    assert plan["worker_jpy"] == out["decision_detail"]["worker_jpy"]
    assert plan["client_jpy"] == out["decision_detail"]["client_jpy"]
    statuses = {m["id"]: m["status"] for m in after["milestones"]}
    assert {row["id"]: row["becomes"] for row in plan["milestones"]} == statuses
    assert case(staff, got["id"])["status"] == "closed"
