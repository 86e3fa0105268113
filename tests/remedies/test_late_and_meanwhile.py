"""What happens between filing and deadline: releases meanwhile, answers that come too late."""

from __future__ import annotations

import datetime as dt

from chukai import clock as chukai_clock
from tests.conftest import make_contract, signup
from tests.stories.helpers import balance, check_invariants, contract


def _fund(api, cid, mid):
    assert api.post(f"/api/contracts/{cid}/milestones/{mid}/fund").status_code == 200


def test_a_milestone_released_meanwhile_is_not_paid_twice(clock):
    client, worker = signup(), signup()
    c = make_contract(
        client, worker, milestones=[{"title": "a", "amount_jpy": 10_000}, {"title": "b", "amount_jpy": 10_000}]
    )
    cid, (m1, m2) = c["id"], [m["id"] for m in c["milestones"]]
    _fund(client, cid, m1)
    _fund(client, cid, m2)
    assert worker.post(f"/api/contracts/{cid}/milestones/{m1}/deliver", {}).status_code == 200
    r = worker.post(f"/api/contracts/{cid}/termination-requests", {"reason": "前半で終了", "pay_worker_jpy": 10_000})
    assert r.status_code == 201, r.content
    assert client.post(f"/api/contracts/{cid}/milestones/{m1}/accept").status_code == 200  # paid in full meanwhile
    clock.advance(days=7)
    after = contract(worker, cid)
    assert [m["status"] for m in after["milestones"]] == ["paid", "refunded"]
    assert balance(worker) == 9_000  # ¥10,000 less the 10 % fee, once
    assert balance(client) == 10_000
    check_invariants()


def test_answers_after_the_deadline_are_refused_and_the_rule_applies(clock):
    client, worker = signup(), signup()
    c = make_contract(client, worker, policy="chukai")
    cid, mid = c["id"], c["milestones"][0]["id"]
    _fund(client, cid, mid)
    tid = client.post(f"/api/contracts/{cid}/termination-requests", {"reason": "中止"}).json()["id"]
    chukai_clock.manual_set(chukai_clock.now() + dt.timedelta(days=8))  # the worker has not run yet
    for how in ("decline", "agree"):
        r = worker.post(f"/api/termination-requests/{tid}/{how}")
        assert (r.status_code, r.json()["code"]) == (409, "invalid_state")
    r = client.post(f"/api/termination-requests/{tid}/withdraw")
    assert (r.status_code, r.json()["code"]) == (409, "invalid_state")
    clock.advance(minutes=0)  # the worker catches up
    assert contract(worker, cid)["status"] == "cancelled"
    assert worker.get(f"/api/termination-requests/{tid}").json()["status"] == "took_effect"


def test_no_revision_once_the_review_period_is_over(clock):
    client, worker = signup(), signup()
    c = make_contract(client, worker, policy="chukai")
    cid, mid = c["id"], c["milestones"][0]["id"]
    _fund(client, cid, mid)
    assert worker.post(f"/api/contracts/{cid}/milestones/{mid}/deliver", {}).status_code == 200
    chukai_clock.manual_set(chukai_clock.now() + dt.timedelta(days=15))
    r = client.post(f"/api/contracts/{cid}/milestones/{mid}/request-revision", {"reason": "やり直し"})
    assert (r.status_code, r.json()["code"]) == (409, "invalid_state")
    clock.advance(minutes=0)
    assert contract(worker, cid)["milestones"][0]["status"] == "paid"


def test_plan_change_accepted_at_the_same_instant_as_a_funding(clock):
    client, worker = signup(), signup()
    c = make_contract(
        client, worker, milestones=[{"title": "a", "amount_jpy": 10_000}, {"title": "b", "amount_jpy": 5_000}]
    )
    cid = c["id"]
    _fund(client, cid, c["milestones"][0]["id"])  # the manual clock stands still: same instant as the proposal
    plan = worker.post(f"/api/contracts/{cid}/plan-changes", {"milestones": [{"title": "c", "amount_jpy": 7_000}]})
    accepted = client.post(f"/api/plan-changes/{plan.json()['id']}/accept")
    assert accepted.status_code == 200, accepted.content
    assert [m["title"] for m in accepted.json()["milestones"]] == ["a", "c"]


def test_no_deliver_first_advice_where_the_policy_has_no_reminder(clock):
    client, worker = signup(), signup()
    c = make_contract(client, worker, policy="crowdworks")
    _fund(client, c["id"], c["milestones"][0]["id"])
    preview = worker.get(f"/api/contracts/{c['id']}/contact-reminders/preview").json()
    assert preview["reason"] == "not_allowed_by_policy" and preview["advice"] is None
