"""要対応 (GET /api/me/todo): every action waiting on the user, soonest first, in fixed queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Api, make_contract, signup
from tests.stories.helpers import clock, say  # noqa: F401 - the manual clock fixture

MS = [{"title": "記事", "amount_jpy": 50_000}]


def todo(api: Api) -> list[dict[str, Any]]:
    r = api.get("/api/me/todo")
    assert r.status_code == 200, r.content
    return r.json()


def kinds(api: Api) -> list[tuple[str, int]]:
    return [(i["kind"], i["contract_id"]) for i in todo(api)]


def ok(r: Any) -> Any:
    assert r.status_code in (200, 201), r.content
    return r.json()


def test_todo_across_states_soonest_first(clock, staff_api):  # noqa: F811
    client, worker = signup("client"), signup("worker")
    assert todo(client) == [] and todo(worker) == []

    a = make_contract(client, worker, policy="lancers", milestones=MS)  # unfunded: the client funds
    b = make_contract(client, worker, policy="chukai", milestones=MS)  # delivered: the client accepts
    c = make_contract(client, worker, policy="crowdworks", milestones=MS)  # escrowed: the worker delivers
    d = make_contract(client, worker, policy="chukai", milestones=MS)  # paid: both rate
    for k in (b, c, d):
        ok(client.post(f"/api/contracts/{k['id']}/milestones/{k['milestones'][0]['id']}/fund"))
    for k in (b, d):
        ok(worker.post(f"/api/contracts/{k['id']}/milestones/{k['milestones'][0]['id']}/deliver"))
    ok(client.post(f"/api/contracts/{d['id']}/milestones/{d['milestones'][0]['id']}/accept"))
    assert sorted(kinds(client)) == sorted([("fund", a["id"]), ("accept", b["id"]), ("rate", d["id"])])
    assert sorted(kinds(worker)) == sorted([("deliver", c["id"]), ("rate", d["id"])])

    # Under lancers, the worker's unanswered message for 7 days allows a contact reminder: the client answers.
    say(worker, a["id"], "仮払いをお願いします")
    clock.advance(days=7, hours=1)
    filed = worker.post(f"/api/contracts/{a['id']}/contact-reminders")
    assert filed.status_code == 201, filed.content
    assert ("answer_reminder", a["id"]) in kinds(client)

    # The client asks to end c: the worker must answer; the client's own request is not theirs to answer.
    ok(client.post(f"/api/contracts/{c['id']}/termination-requests", {"reason": "予算の都合で"}))
    assert ("answer_termination", c["id"]) in kinds(worker)
    assert ("answer_termination", c["id"]) not in kinds(client)

    # The support office asks the client to answer on b.
    case = ok(worker.post(f"/api/contracts/{b['id']}/support-cases", {"kind": "unresponsive", "body": "連絡がない"}))
    ok(staff_api.post(f"/api/support-cases/{case['id']}/notices", {"to": "client", "body": "ご対応ください。"}))
    assert ("answer_notice", b["id"]) in kinds(client)

    items = todo(client)
    assert {i["kind"] for i in items} >= {"fund", "accept", "answer_notice", "rate"}
    dues = [i["due_at"] for i in items]
    timed = [dt.datetime.fromisoformat(x) for x in dues if x is not None]
    assert timed == sorted(timed) and dues[: len(timed)] == [x for x in dues if x is not None]  # soonest, then none
    accept = next(i for i in items if i["kind"] == "accept")
    assert accept["milestone_id"] == b["milestones"][0]["id"] and accept["due_at"] is not None
    rate = next(i for i in items if i["kind"] == "rate")
    assert rate["contract_id"] == d["id"] and rate["due_at"] is not None

    # Once done, an item leaves the list.
    ok(client.post(f"/api/contracts/{d['id']}/ratings", {"stars": 5, "comment": "ありがとうございました"}))
    assert ("rate", d["id"]) not in kinds(client)


def test_todo_costs_fixed_queries(client_api, worker_api):
    def count() -> int:
        client_api.get("/api/me")
        with CaptureQueriesContext(connection) as ctx:
            todo(client_api)
        return len(ctx.captured_queries)

    make_contract(client_api, worker_api, milestones=MS)
    small = count()
    for _ in range(5):
        k = make_contract(client_api, worker_api, milestones=MS + MS)
        ok(client_api.post(f"/api/contracts/{k['id']}/milestones/{k['milestones'][0]['id']}/fund"))
        ok(worker_api.post(f"/api/contracts/{k['id']}/milestones/{k['milestones'][0]['id']}/deliver"))
    assert len(todo(client_api)) == 1 + 5 * 2
    assert count() == small


def test_dashboard_shows_the_todo_first(client_page, worker_page):
    from tests.web.conftest import page_contract

    client, _c, _ = client_page
    page_contract(client, worker_page[0])
    html = client.get("/dashboard").content.decode()
    panel = html.index('id="todo"')
    assert panel < html.index("クライアントとしての契約")  # the first panel
    section = html[panel : html.index("</section>", panel)]
    assert "要対応" in section and "仮払いする" in section and "SEO記事作成" in section
