"""GET /api/contracts/{id} does a fixed number of queries whatever the number of milestones and events."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_contract


def _busy_contract(client_api, worker_api, n: int) -> dict:
    c = make_contract(
        client_api, worker_api, milestones=[{"title": f"第{i + 1}回", "amount_jpy": 10_000} for i in range(n)]
    )
    for m in c["milestones"]:
        url = f"/api/contracts/{c['id']}/milestones/{m['id']}"
        assert client_api.post(f"{url}/fund").status_code == 200
        assert worker_api.post(f"{url}/deliver").status_code == 200
    # a few more events and open proposals
    worker_api.post(f"/api/contracts/{c['id']}/due-date-changes", {"due_date": "2099-01-01"})
    worker_api.post(f"/api/contracts/{c['id']}/plan-changes", {"milestones": [{"title": "追加", "amount_jpy": 1}]})
    if n > 1:
        first = c["milestones"][0]["id"]
        client_api.post(f"/api/contracts/{c['id']}/milestones/{first}/request-revision", {"reason": "直して"})
    return c


def _count(api, path: str) -> tuple[int, list[str]]:
    assert api.get(path).status_code == 200  # warm: last-seen bookkeeping happens at most once a minute
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path)
    assert r.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def test_contract_detail_query_count_is_fixed(client_api, worker_api, staff_api):
    small = _busy_contract(client_api, worker_api, 1)
    big = _busy_contract(client_api, worker_api, 15)
    detail = worker_api.get(f"/api/contracts/{big['id']}").json()
    assert len(detail["milestones"]) == 15 and len(detail["deadlines"]) == 14  # 14 still delivered
    for api in (client_api, worker_api, staff_api):
        n_small, _ = _count(api, f"/api/contracts/{small['id']}")
        n_big, sqls = _count(api, f"/api/contracts/{big['id']}")
        assert n_small == n_big, "\n".join(sqls)
        assert n_big <= 25, "\n".join(sqls)


def test_timeline_query_count_is_fixed(client_api, worker_api):
    small = _busy_contract(client_api, worker_api, 1)
    big = _busy_contract(client_api, worker_api, 15)
    assert len(client_api.get(f"/api/contracts/{big['id']}/timeline").json()) > 30
    assert (
        _count(client_api, f"/api/contracts/{small['id']}/timeline")[0]
        == _count(client_api, f"/api/contracts/{big['id']}/timeline")[0]
    )
