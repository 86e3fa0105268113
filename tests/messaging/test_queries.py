"""Query budget: a page of the thread costs the same whether it holds 10 or 10,000 messages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chukai.contracts.models import Contract
from chukai.messaging.services import message_bulk_add
from tests.conftest import make_contract


def _thread(client_api, worker_api, n):
    c = make_contract(client_api, worker_api)
    items = [(client_api.user_id if i % 3 else worker_api.user_id, f"メッセージ {i}") for i in range(n)]
    assert message_bulk_add(contract_id=c["id"], items=items) == n
    return c["id"]


def _queries(api, path):
    api.get(path)  # warm up (last-seen write, caches)
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path)
    assert r.status_code == 200, r.content
    return len(ctx), r


@pytest.mark.parametrize("view", ["messages", "messages?latest=true", "reachability"])
def test_page_costs_the_same_for_10_and_10000_messages(client_api, worker_api, view):
    small = _thread(client_api, worker_api, 10)
    big = _thread(client_api, worker_api, 10_000)
    n_small, r_small = _queries(client_api, f"/api/contracts/{small}/{view}")
    n_big, r_big = _queries(client_api, f"/api/contracts/{big}/{view}")
    assert n_small == n_big
    assert n_big <= (10 if view == "reachability" else 4), n_big  # auth, contract, page, attachments
    if view.startswith("messages"):
        assert len(r_small.json()) == 10 and len(r_big.json()) == 50
    c = Contract.objects.get(pk=big)
    # The facts on the row match the 10,000 messages written through the service.
    assert c.client_unread + c.worker_unread == 10_000
    assert c.worker_unanswered == 1 and c.client_unanswered == 0  # the last (no. 9,999) was the worker's


def test_me_banners_cost_the_same(client_api, worker_api):
    _thread(client_api, worker_api, 10)
    n_small, r = _queries(client_api, "/api/me")
    assert r.json()["unread_messages"] == 4  # every third message is the worker's
    _thread(client_api, worker_api, 10_000)
    n_big, r = _queries(client_api, "/api/me")
    assert r.json()["unread_messages"] == 4 + 3_334
    assert n_small == n_big
