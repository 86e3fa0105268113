"""Every refusal of the remedies reached through the API, with its reason code."""

from __future__ import annotations

from tests.conftest import make_contract, signup
from tests.stories.helpers import contract, say


def _fund(client, c, i=0):
    r = client.post(f"/api/contracts/{c['id']}/milestones/{c['milestones'][i]['id']}/fund")
    assert r.status_code == 200, r.content
    return r.json()


def _file(api, cid):
    return api.post(f"/api/contracts/{cid}/contact-reminders")


def test_not_allowed_by_policy(clock):
    client, worker = signup(), signup()
    cw = make_contract(client, worker, policy="crowdworks")
    r = _file(worker, cw["id"])
    assert (r.status_code, r.json()["code"]) == (409, "not_allowed_by_policy")
    lc = make_contract(client, worker, policy="lancers")
    r = worker.post(f"/api/contracts/{lc['id']}/termination-requests", {"reason": "連絡が取れない"})
    assert (r.status_code, r.json()["code"]) == (409, "not_allowed_by_policy")
    up = make_contract(client, worker, policy="upwork")
    assert _file(worker, up["id"]).json()["code"] == "not_allowed_by_policy"


def test_not_fixed_price_and_not_in_progress(clock):
    client, worker = signup(), signup()
    hourly = make_contract(client, worker, policy="lancers", pricing="hourly")
    r = _file(worker, hourly["id"])
    assert (r.status_code, r.json()["code"]) == (409, "not_fixed_price")
    r = worker.post(f"/api/contracts/{hourly['id']}/termination-requests", {"reason": "x"})
    assert r.json()["code"] == "not_allowed_by_policy"  # lancers has no termination; policy comes first
    done = make_contract(client, worker, policy="chukai")
    mid = done["milestones"][0]["id"]
    _fund(client, done)
    worker.post(f"/api/contracts/{done['id']}/milestones/{mid}/deliver", {})
    assert client.post(f"/api/contracts/{done['id']}/milestones/{mid}/accept").json()["status"] == "completed"
    r = _file(worker, done["id"])
    assert (r.status_code, r.json()["code"]) == (409, "not_in_progress")
    r = worker.post(f"/api/contracts/{done['id']}/termination-requests", {"reason": "x"})
    assert (r.status_code, r.json()["code"]) == (409, "not_in_progress")


def test_too_soon_says_when(clock):
    client, worker = signup(), signup()
    c = make_contract(client, worker, policy="chukai")
    r = _file(worker, c["id"])
    assert (r.status_code, r.json()["code"]) == (409, "too_soon")
    assert r.json()["available_at"] is None  # nothing of the worker's is waiting for an answer yet
    say(worker, c["id"], "ご確認お願いします")
    r = _file(worker, c["id"])
    assert r.json()["code"] == "too_soon"
    assert r.json()["available_at"].startswith("2026-09-08")
    clock.advance(days=6, hours=23)
    assert _file(worker, c["id"]).json()["code"] == "too_soon"
    # The client answering restarts the count.
    say(client, c["id"], "少々お待ちください")
    say(worker, c["id"], "承知しました")
    clock.advance(hours=2)
    assert _file(worker, c["id"]).json()["code"] == "too_soon"
    clock.advance(days=7)
    assert _file(worker, c["id"]).status_code == 201


def test_already_filed_counterpart_filed_plan_change_pending(clock):
    client, worker = signup(), signup()
    c = make_contract(client, worker, policy="lancers", milestones=[{"title": "a", "amount_jpy": 10_000}])
    cid = c["id"]
    say(worker, cid, "お世話になります")
    say(client, cid, "よろしくお願いします")
    clock.advance(minutes=5)
    say(worker, cid, "仮払いをお願いします")
    clock.advance(days=7)
    plan = client.post(f"/api/contracts/{cid}/plan-changes", {"milestones": [{"title": "b", "amount_jpy": 20_000}]})
    assert plan.status_code == 201, plan.content
    r = _file(worker, cid)
    assert (r.status_code, r.json()["code"]) == (409, "plan_change_pending")
    assert contract(worker, cid)["actions"]["contact_reminder"]["reason"] == "plan_change_pending"
    assert worker.post(f"/api/plan-changes/{plan.json()['id']}/decline").status_code == 200
    # Declining was the worker's own action; the client's plan change itself answered nothing of the worker's.
    assert _file(worker, cid).status_code == 201
    r = _file(client, cid)
    assert (r.status_code, r.json()["code"]) == (409, "counterpart_filed")
    assert contract(client, cid)["actions"]["contact_reminder"]["reason"] == "counterpart_filed"
    say(client, cid, "失礼しました")  # answers the reminder
    r = _file(worker, cid)
    assert (r.status_code, r.json()["code"]) == (409, "already_filed")


def test_termination_rules(clock):
    client, worker, stranger = signup(), signup(), signup()
    c = make_contract(client, worker, policy="chukai", milestones=[{"title": "a", "amount_jpy": 30_000}])
    cid = c["id"]
    _fund(client, c)
    bad = worker.post(f"/api/contracts/{cid}/termination-requests", {"reason": "途中まで", "pay_worker_jpy": 30_001})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid")
    assert "pay_worker_jpy" in bad.json()["fields"]
    assert worker.post(f"/api/contracts/{cid}/termination-requests", {"reason": ""}).status_code == 422
    assert stranger.post(f"/api/contracts/{cid}/termination-requests", {"reason": "x"}).status_code == 404
    r = worker.post(f"/api/contracts/{cid}/termination-requests", {"reason": "途中まで", "pay_worker_jpy": 10_000})
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    again = client.post(f"/api/contracts/{cid}/termination-requests", {"reason": "私も"})
    assert (again.status_code, again.json()["code"]) == (409, "request_open")
    assert worker.post(f"/api/termination-requests/{rid}/agree").status_code == 403
    assert client.post(f"/api/termination-requests/{rid}/withdraw").status_code == 403
    assert stranger.post(f"/api/termination-requests/{rid}/agree").status_code == 404
    assert client.post(f"/api/termination-requests/{rid}/decline").json()["status"] == "declined"
    r = client.post(f"/api/termination-requests/{rid}/decline")
    assert (r.status_code, r.json()["code"]) == (409, "invalid_state")
    assert contract(worker, cid)["status"] == "in_progress"

    # A new request, agreed: 10,000 to the worker less the 10 % fee, the rest back to the client.
    r = worker.post(f"/api/contracts/{cid}/termination-requests", {"reason": "途中まで", "pay_worker_jpy": 10_000})
    agreed = client.post(f"/api/termination-requests/{r.json()['id']}/agree")
    assert agreed.status_code == 200, agreed.content
    assert agreed.json()["status"] == "agreed"
    after = contract(worker, cid)
    assert after["status"] == "completed"
    assert after["end_cause"] == "agreement"
    assert after["milestones"][0]["status"] == "settled"
    assert worker.get("/api/me").json()["balance_jpy"] == 9_000
    assert client.get("/api/me").json()["balance_jpy"] == 20_000
    r = worker.post(f"/api/termination-requests/{r.json()['id']}/withdraw")
    assert (r.status_code, r.json()["code"]) == (409, "invalid_state")


def test_crowdworks_termination_refunds_in_full_only(clock):
    client, worker = signup(), signup()
    c = make_contract(client, worker, policy="crowdworks")
    _fund(client, c)
    r = worker.post(f"/api/contracts/{c['id']}/termination-requests", {"reason": "x", "pay_worker_jpy": 1000})
    assert (r.status_code, r.json()["code"]) == (409, "not_allowed_by_policy")
    r = worker.post(f"/api/contracts/{c['id']}/termination-requests", {"reason": "x"})
    assert r.status_code == 201
    w = worker.post(f"/api/termination-requests/{r.json()['id']}/withdraw")
    assert w.json()["status"] == "withdrawn"
    assert contract(worker, c["id"])["deadlines"] == []
