"""Proposal rules (DOMAIN §13): one per worker, edit and withdraw while pending, decline, close, hire."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chukai import clock
from chukai.contracts.models import Contract, Milestone
from chukai.messaging.models import Notification
from tests.conftest import Api, signup

JOB = {"title": "ロゴ作成", "description": "会社のロゴ", "budget_jpy": 100_000, "pricing": "fixed"}
PROPOSAL = {"amount_jpy": 100_000, "message": "よろしくお願いします"}


def job(api: Api, **kw: Any) -> dict[str, Any]:
    r = api.post("/api/jobs", {**JOB, **kw})
    assert r.status_code == 201, r.content
    return r.json()


def propose(api: Api, job_id: int, **kw: Any) -> Any:
    return api.post(f"/api/jobs/{job_id}/proposals", {**PROPOSAL, **kw})


def code(r: Any) -> tuple[int, str]:
    return r.status_code, r.json().get("code")


def test_job_defaults_for_callers_that_send_only_the_old_fields(client_api):
    j = job(client_api)
    assert j["category"] == "other" and j["status"] == "open" and j["due_date"] is None
    apply_by = dt.datetime.fromisoformat(j["apply_by"])
    assert abs(apply_by - (clock.now() + dt.timedelta(days=14))) < dt.timedelta(seconds=5)


def test_one_live_proposal_per_worker(client_api, worker_api):
    j = job(client_api)
    first = propose(worker_api, j["id"])
    assert first.status_code == 201
    again = propose(worker_api, j["id"], amount_jpy=90_000)
    assert code(again) == (409, "already_proposed")
    assert again.json()["proposal_id"] == first.json()["id"]
    # Withdrawn, the worker may propose again; once more is refused again.
    assert worker_api.post(f"/api/proposals/{first.json()['id']}/withdraw").json()["status"] == "withdrawn"
    second = propose(worker_api, j["id"], amount_jpy=90_000)
    assert second.status_code == 201
    assert code(propose(worker_api, j["id"])) == (409, "already_proposed")
    # Declined, too.
    assert client_api.post(f"/api/proposals/{second.json()['id']}/decline").status_code == 200
    assert propose(worker_api, j["id"]).status_code == 201


def test_edit_and_withdraw_only_while_pending_and_only_by_the_worker(client_api, worker_api):
    j = job(client_api)
    pid = propose(worker_api, j["id"]).json()["id"]
    ms = [{"title": "案", "amount_jpy": 30_000}, {"title": "納品", "amount_jpy": 60_000}]
    edited = worker_api.client.put(
        f"/api/proposals/{pid}",
        {"amount_jpy": 90_000, "message": "修正しました", "milestones": ms},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {worker_api.token}",
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["amount_jpy"] == 90_000 and [m["title"] for m in edited.json()["milestones"]] == ["案", "納品"]
    other = signup("other")
    assert other.post(f"/api/proposals/{pid}/withdraw").status_code == 404
    assert code(client_api.post(f"/api/proposals/{pid}/withdraw"))[0] == 403
    assert worker_api.post(f"/api/proposals/{pid}/decline").status_code == 403
    assert worker_api.post(f"/api/proposals/{pid}/withdraw").status_code == 200
    assert code(worker_api.post(f"/api/proposals/{pid}/withdraw")) == (409, "invalid_state")
    assert code(client_api.post(f"/api/proposals/{pid}/decline")) == (409, "invalid_state")
    assert code(client_api.post(f"/api/proposals/{pid}/accept")) == (409, "invalid_state")


def test_client_is_told_of_each_proposal_and_worker_of_a_decline(client_api, worker_api):
    english = signup("english", locale="en")
    j = job(client_api)
    p1 = propose(worker_api, j["id"]).json()
    propose(english, j["id"], amount_jpy=80_000)
    got = [n for n in client_api.get("/api/me/notifications").json() if n["kind"] == "proposal_received"]
    assert [n["title"] for n in got] == [
        "新しい提案が届きました：ロゴ作成（80,000円）",
        "新しい提案が届きました：ロゴ作成（100,000円）",
    ]
    client_api.post(f"/api/proposals/{p1['id']}/decline")
    told = [n for n in worker_api.get("/api/me/notifications").json() if n["kind"] == "proposal_declined"]
    assert [n["title"] for n in told] == ["提案が見送られました：ロゴ作成"]
    body = Notification.objects.get(user_id=worker_api.user_id, kind="proposal_declined").body
    assert f"/jobs/{j['id']}" in body
    # The English worker is hired: the hire is a contract, not a decline.
    p2 = client_api.get(f"/api/jobs/{j['id']}/proposals").json()[1]
    assert client_api.post(f"/api/proposals/{p2['id']}/accept").status_code == 201
    assert not [n for n in english.get("/api/me/notifications").json() if n["kind"] == "proposal_declined"]


def test_closed_or_expired_job_refuses_proposals_and_reopens(client_api, worker_api):
    j = job(client_api, apply_by=(clock.now() + dt.timedelta(days=2)).isoformat())
    assert client_api.post(f"/api/jobs/{j['id']}/close").json()["status"] == "closed"
    assert code(propose(worker_api, j["id"])) == (409, "job_closed")
    assert worker_api.post(f"/api/jobs/{j['id']}/close").status_code == 404
    assert client_api.post(f"/api/jobs/{j['id']}/reopen").json()["status"] == "open"
    assert propose(worker_api, j["id"]).status_code == 201
    late = signup("late")
    with time_machine.travel(clock.now() + dt.timedelta(days=2, seconds=1), tick=False):
        assert code(propose(late, j["id"])) == (409, "job_closed")
        # The client still chooses among the proposals received (選定).
        mine = client_api.get(f"/api/jobs/{j['id']}/proposals").json()
        assert client_api.post(f"/api/proposals/{mine[0]['id']}/accept").status_code == 201
        assert code(client_api.post(f"/api/jobs/{j['id']}/reopen")) == (409, "job_filled")


def test_reopen_after_the_deadline_sets_a_new_one(client_api):
    j = job(client_api, apply_by=(clock.now() + dt.timedelta(days=1)).isoformat())
    with time_machine.travel(clock.now() + dt.timedelta(days=3), tick=False):
        r = client_api.post(f"/api/jobs/{j['id']}/reopen")
        assert r.json()["status"] == "open"
        assert dt.datetime.fromisoformat(r.json()["apply_by"]) > clock.now() + dt.timedelta(days=13)


def test_edit_job_until_someone_is_hired(client_api, worker_api):
    j = job(client_api)
    patch = lambda body: client_api.client.patch(  # noqa: E731
        f"/api/jobs/{j['id']}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {client_api.token}"
    )
    r = patch({"title": "ロゴとLP", "category": "design", "due_date": str(dt.date.today() + dt.timedelta(days=30))})
    assert r.status_code == 200 and r.json()["title"] == "ロゴとLP" and r.json()["category"] == "design"
    assert worker_api.get("/api/jobs?q=lp").json()[0]["id"] == j["id"]
    assert patch({"category": "cooking"}).status_code == 422
    pid = propose(worker_api, j["id"]).json()["id"]
    assert code(patch({"pricing": "hourly"})) == (409, "has_proposals")
    assert patch({"budget_jpy": 120_000}).status_code == 200
    client_api.post(f"/api/proposals/{pid}/accept")
    assert code(patch({"title": "x"})) == (409, "job_filled")


def test_proposal_list_shows_each_worker_with_figures_in_fixed_queries(client_api, worker_api):
    j = job(client_api)
    propose(worker_api, j["id"])
    client_api.get("/api/me")

    def count() -> tuple[int, list[dict[str, Any]]]:
        with CaptureQueriesContext(connection) as ctx:
            r = client_api.get(f"/api/jobs/{j['id']}/proposals")
        return len(ctx.captured_queries), r.json()

    one, rows = count()
    w = rows[0]["worker"]
    assert set(w) >= {"id", "display_name", "rating_average", "completion_rate", "penalty_marks"}
    assert w["id"] == worker_api.user_id and w["display_name"].startswith("worker")
    assert (w["rating_average"], w["completion_rate"], w["penalty_marks"]) == (None, None, 0)
    for i in range(4):
        propose(signup(f"w{i}"), j["id"])
    many, rows = count()
    assert len(rows) == 5 and many == one
    # A worker sees only their own; a stranger none.
    assert [p["worker"]["id"] for p in worker_api.get(f"/api/jobs/{j['id']}/proposals").json()] == [worker_api.user_id]
    assert signup("stranger").get(f"/api/jobs/{j['id']}/proposals").json() == []


def test_milestone_due_dates_become_the_contracts(client_api, worker_api):
    j = job(client_api)
    d1, d2 = dt.date.today() + dt.timedelta(days=10), dt.date.today() + dt.timedelta(days=20)
    ms = [
        {"title": "ラフ", "amount_jpy": 40_000, "due_date": d1.isoformat()},
        {"title": "完成", "amount_jpy": 60_000, "due_date": d2.isoformat()},
    ]
    p = propose(worker_api, j["id"], milestones=ms).json()
    assert [m.get("due_date") for m in p["milestones"]] == [d1.isoformat(), d2.isoformat()]
    c = client_api.post(f"/api/proposals/{p['id']}/accept").json()
    contract = Contract.objects.get(pk=c["id"])
    assert contract.due_date == d2
    if any(f.name == "due_date" for f in Milestone._meta.get_fields()):
        assert [m.due_date for m in contract.milestones.order_by("position")] == [d1, d2]
    past = propose(signup("w"), job(client_api)["id"], milestones=[{**ms[0], "due_date": "2000-01-01"}, ms[1]])
    assert past.status_code == 422


@pytest.mark.parametrize("policy", ["lancers", "crowdworks", "chukai"])
def test_fee_preview_is_what_the_worker_is_paid(client_api, worker_api, policy):
    j = job(client_api, policy=policy)
    preview = worker_api.get(f"/api/jobs/{j['id']}/fee-preview?amount_jpy=100000").json()
    p = propose(worker_api, j["id"]).json()
    assert p["worker_receives_jpy"] == preview["worker_receives_jpy"] < 100_000
    assert preview["worker_fee_jpy"] + preview["worker_receives_jpy"] == 100_000
    c = client_api.post(f"/api/proposals/{p['id']}/accept").json()
    mid = c["milestones"][0]["id"]
    assert client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/fund").status_code == 200
    assert worker_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/deliver").status_code == 200
    assert client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/accept").status_code == 200
    assert worker_api.get("/api/me").json()["balance_jpy"] == preview["worker_receives_jpy"]


def test_withholding_tax_flag_on_a_job(client_api):
    assert job(client_api)["withholding_tax"] is False
    assert job(client_api, withholding_tax=True)["withholding_tax"] is True
    assert client_api.post("/api/jobs", {**JOB, "withholding_tax": "yes"}).status_code == 422
