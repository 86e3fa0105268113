"""Pages do a fixed number of queries whatever the data size (DESIGN: queries are budgeted)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from chukai.contracts.models import Milestone
from tests.web.conftest import page_contract


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path)
        assert r.status_code == 200
    return len(ctx.captured_queries)


def test_contract_page_and_dashboard_do_not_grow_with_data(client_page, worker_page, settings):
    settings.CHUKAI_MESSAGE_RATE_LIMIT = (1000, 600)
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    contract_id = page_contract(client, worker, milestones="a, 10000\nb, 40000")
    worker.post(f"/contracts/{contract_id}/messages", {"body": "1"})
    client.get(f"/contracts/{contract_id}")  # read it, so the next count does no marking
    small_page = _count(worker, f"/contracts/{contract_id}")
    small_dash = _count(worker, "/dashboard")
    for i in range(6):
        worker.post(f"/contracts/{contract_id}/messages", {"body": f"msg {i}"})
    for m in Milestone.objects.filter(contract_id=contract_id):
        client.post(f"/contracts/{contract_id}/milestones/{m.pk}/fund")
    page_contract(client, worker)
    page_contract(client, worker)
    client.get(f"/contracts/{contract_id}")
    assert _count(worker, f"/contracts/{contract_id}") == small_page
    assert _count(worker, "/dashboard") == small_dash
