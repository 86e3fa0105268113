"""API.md › Jobs, proposals, contracts: every call, its answers and its problems.

Every refused call goes through `refused`, which also checks the database did not change.
"""

from __future__ import annotations

import datetime as dt

import pytest

from chukai.contracts.models import Contract, DueDateChange, PlanChange
from chukai.marketplace.models import Job, Proposal
from tests.conftest import make_contract, signup
from tests.foundation.conftest import refused
from tests.foundation.invariants import assert_ledger_invariants

JOB = {"title": "SEO記事作成", "description": "月10本", "budget_jpy": 50_000, "pricing": "fixed"}


def _url(c, mid, what):
    return f"/api/contracts/{c['id']}/milestones/{mid}/{what}"


# --- jobs and proposals -------------------------------------------------------------


def test_job_post_list_get(client_api, worker_api):
    r = client_api.post("/api/jobs", JOB)
    assert r.status_code == 201, r.content
    job = r.json()
    assert job["policy"] == "chukai" and job["pricing"] == "fixed" and job["status"] == "open"
    assert job["client_id"] == client_api.user_id and job["budget_jpy"] == 50_000
    hourly = client_api.post("/api/jobs", {**JOB, "pricing": "hourly", "policy": "lancers"}).json()
    assert (hourly["pricing"], hourly["policy"]) == ("hourly", "lancers")
    ids = [j["id"] for j in worker_api.get("/api/jobs").json()]
    assert ids == [hourly["id"], job["id"]]  # newest first
    got = worker_api.get(f"/api/jobs/{job['id']}")
    assert got.status_code == 200 and got.json()["title"] == "SEO記事作成" and got.json()["proposals"] == []
    refused(lambda: worker_api.get("/api/jobs/999999"), 404, "not_found")


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"title": ""}, "title"),
        ({"description": " "}, "description"),
        ({"budget_jpy": 0}, "budget_jpy"),
        ({"budget_jpy": 100_000_001}, "budget_jpy"),
        ({"budget_jpy": "lots"}, "budget_jpy"),
        ({"pricing": "daily"}, "pricing"),
        ({"policy": "fiverr"}, "policy"),
    ],
)
def test_job_post_invalid(client_api, over, field):
    body = refused(lambda: client_api.post("/api/jobs", {**JOB, **over}), 422)
    assert field in body["fields"], body


def test_job_post_missing_fields(client_api):
    body = refused(lambda: client_api.post("/api/jobs", {"title": "x"}), 422)
    assert {"description", "budget_jpy", "pricing"} <= set(body["fields"])


def test_proposal_default_milestone_and_visibility(client_api, worker_api):
    job = client_api.post("/api/jobs", JOB).json()
    r = worker_api.post(f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 48_000, "message": "よろしく"})
    assert r.status_code == 201, r.content
    p = r.json()
    assert p["status"] == "pending" and p["amount_jpy"] == 48_000
    assert [m["amount_jpy"] for m in p["milestones"]] == [48_000]
    other = signup("other")
    other.post(f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 40_000, "message": "私も"})
    assert len(client_api.get(f"/api/jobs/{job['id']}").json()["proposals"]) == 2
    assert [x["worker_id"] for x in worker_api.get(f"/api/jobs/{job['id']}").json()["proposals"]] == [
        worker_api.user_id
    ]


def test_proposal_milestones_must_add_up(client_api, worker_api):
    job = client_api.post("/api/jobs", JOB).json()
    ms = [{"title": "前半", "amount_jpy": 20_000}, {"title": "後半", "amount_jpy": 20_000}]
    body = refused(
        lambda: worker_api.post(
            f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 50_000, "message": "x", "milestones": ms}
        ),
        422,
    )
    assert "milestones" in body["fields"]
    ok = worker_api.post(f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 40_000, "message": "x", "milestones": ms})
    assert ok.status_code == 201 and [m["title"] for m in ok.json()["milestones"]] == ["前半", "後半"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_jpy": 0, "message": "x"}, "amount_jpy"),
        ({"amount_jpy": 1000, "message": ""}, "message"),
        (
            {"amount_jpy": 1000, "message": "x", "milestones": [{"title": "", "amount_jpy": 1000}]},
            "milestones[0].title",
        ),
        ({"amount_jpy": 1000, "message": "x", "milestones": [{"title": "a", "amount_jpy": -5}]}, None),
        ({"message": "x"}, "amount_jpy"),
    ],
)
def test_proposal_invalid(client_api, worker_api, body, field):
    job = client_api.post("/api/jobs", JOB).json()
    problem = refused(lambda: worker_api.post(f"/api/jobs/{job['id']}/proposals", body), 422)
    if field:
        # The schema refuses first (pydantic's path "milestones.0.title"), else the service ("milestones[0].title").
        assert field in problem["fields"] or field.replace("[", ".").replace("]", "") in problem["fields"], problem


def test_proposal_rules(client_api, worker_api):
    job = client_api.post("/api/jobs", JOB).json()
    refused(lambda: client_api.post(f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 1, "message": "x"}), 403)
    refused(lambda: worker_api.post("/api/jobs/999999/proposals", {"amount_jpy": 1, "message": "x"}), 404)
    p = worker_api.post(f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 50_000, "message": "x"}).json()
    client_api.post(f"/api/proposals/{p['id']}/accept")
    late = signup("late")
    refused(lambda: late.post(f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 1, "message": "x"}), 409, "job_closed")


def test_proposal_accept_forms_pinned_contract(client_api, worker_api):
    job = client_api.post("/api/jobs", {**JOB, "policy": "lancers"}).json()
    p = worker_api.post(f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 50_000, "message": "x"}).json()
    rival = signup("rival")
    p2 = rival.post(f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 45_000, "message": "y"}).json()
    refused(lambda: worker_api.post(f"/api/proposals/{p['id']}/accept"), 403, "forbidden")
    refused(lambda: rival.post(f"/api/proposals/{p['id']}/accept"), 404, "not_found")
    refused(lambda: client_api.post("/api/proposals/999999/accept"), 404)
    r = client_api.post(f"/api/proposals/{p['id']}/accept")
    assert r.status_code == 201, r.content
    c = r.json()
    assert c["status"] == "awaiting_escrow" and c["pricing"] == "fixed" and c["policy"] == "lancers"
    assert c["policy_version"] == 1 and c["amount_jpy"] == 50_000 and c["escrow_jpy"] == 0
    assert c["client"] == {"id": client_api.user_id, "display_name": "client" + c["client"]["display_name"][6:]}
    assert c["worker"]["id"] == worker_api.user_id and c["due_date"] is None and c["deadlines"] == []
    assert [m["status"] for m in c["milestones"]] == ["unfunded"]
    for action in ("fund", "deliver", "accept", "request_revision"):
        assert set(c["actions"][action]) == {"available", "reason", "available_at"}
    assert Contract.objects.get(pk=c["id"]).policy["fees"]["worker"]["bp"] == 1650
    assert Proposal.objects.get(pk=p2["id"]).status == "declined"
    assert Job.objects.get(pk=job["id"]).status == "closed"
    refused(lambda: client_api.post(f"/api/proposals/{p['id']}/accept"), 409, "invalid_state")
    refused(lambda: client_api.post(f"/api/proposals/{p2['id']}/accept"), 409, "invalid_state")


# --- contract reads -----------------------------------------------------------------


def test_contract_get_and_timeline_access(client_api, worker_api, staff_api):
    c = make_contract(client_api, worker_api)
    stranger = signup("stranger")
    for api in (client_api, worker_api, staff_api):
        assert api.get(f"/api/contracts/{c['id']}").status_code == 200
        tl = api.get(f"/api/contracts/{c['id']}/timeline")
        assert tl.status_code == 200 and [e["kind"] for e in tl.json()] == ["contract_formed"]
    refused(lambda: stranger.get(f"/api/contracts/{c['id']}"), 404, "not_found")
    refused(lambda: stranger.get(f"/api/contracts/{c['id']}/timeline"), 404, "not_found")
    refused(lambda: client_api.get("/api/contracts/999999"), 404, "not_found")
    assert [x["id"] for x in client_api.get("/api/contracts").json()] == [c["id"]]
    assert stranger.get("/api/contracts").json() == []


def test_timeline_records_every_action_oldest_first(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    client_api.post(_url(c, mid, "fund"))
    worker_api.post(_url(c, mid, "deliver"), {"message": "納品します"})
    client_api.post(_url(c, mid, "request-revision"), {"reason": "見出しを直してください"})
    worker_api.post(_url(c, mid, "deliver"))
    client_api.post(_url(c, mid, "accept"))
    events = worker_api.get(f"/api/contracts/{c['id']}/timeline").json()
    assert [e["kind"] for e in events] == [
        "contract_formed",
        "milestone_funded",
        "milestone_delivered",
        "revision_requested",
        "milestone_delivered",
        "milestone_accepted",
        "contract_ended",
    ]
    assert all({"at", "actor", "kind", "detail"} <= set(e) for e in events)
    assert [e["actor"] for e in events[:6]] == [client_api.user_id, client_api.user_id, worker_api.user_id] + [
        client_api.user_id,
        worker_api.user_id,
        client_api.user_id,
    ]
    assert events[1]["detail"]["money"]["amount_jpy"] == 50_000
    assert events[3]["detail"]["reason"] == "見出しを直してください"
    assert events[5]["detail"]["worker_jpy"] == 45_000 and events[5]["detail"]["worker_fee_jpy"] == 5_000
    ats = [dt.datetime.fromisoformat(e["at"]) for e in events]
    assert ats == sorted(ats)


# --- milestone lifecycle ------------------------------------------------------------


def test_lifecycle_statuses_and_errors(client_api, worker_api):
    ms = [{"title": "第1回", "amount_jpy": 30_000}, {"title": "第2回", "amount_jpy": 20_000}]
    c = make_contract(client_api, worker_api, milestones=ms)
    m1, m2 = (m["id"] for m in c["milestones"])
    stranger = signup("stranger")
    # role and party checks come before state checks
    refused(lambda: worker_api.post(_url(c, m1, "fund")), 403, "forbidden")
    refused(lambda: stranger.post(_url(c, m1, "fund")), 404, "not_found")
    refused(lambda: client_api.post(f"/api/contracts/{c['id']}/milestones/999999/fund"), 404, "not_found")
    refused(lambda: client_api.post(_url(c, m1, "deliver")), 403, "forbidden")
    refused(lambda: worker_api.post(_url(c, m1, "deliver")), 409, "invalid_state")  # not funded: do not start
    refused(lambda: client_api.post(_url(c, m1, "accept")), 409, "invalid_state")

    r = client_api.post(_url(c, m1, "fund"))
    assert r.status_code == 200 and r.json()["status"] == "in_progress" and r.json()["escrow_jpy"] == 30_000
    assert [m["status"] for m in r.json()["milestones"]] == ["escrowed", "unfunded"]
    refused(lambda: client_api.post(_url(c, m1, "fund")), 409, "invalid_state")
    refused(lambda: worker_api.post(_url(c, m1, "accept")), 403, "forbidden")
    refused(lambda: worker_api.post(_url(c, m1, "deliver"), {"message": "x" * 10_001}), 422)

    r = worker_api.post(_url(c, m1, "deliver"), {"message": "第1回納品"})
    assert r.status_code == 200 and r.json()["milestones"][0]["status"] == "delivered"
    refused(lambda: worker_api.post(_url(c, m1, "deliver")), 409, "invalid_state")
    refused(lambda: client_api.post(_url(c, m1, "request-revision"), {"reason": "  "}), 422)
    refused(lambda: client_api.post(_url(c, m1, "request-revision"), {}), 422)
    refused(lambda: worker_api.post(_url(c, m1, "request-revision"), {"reason": "x"}), 403)

    r = client_api.post(_url(c, m1, "request-revision"), {"reason": "誤字があります"})
    assert r.status_code == 200 and r.json()["milestones"][0]["status"] == "escrowed"
    assert r.json()["escrow_jpy"] == 30_000
    worker_api.post(_url(c, m1, "deliver"))
    r = client_api.post(_url(c, m1, "accept"))
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "in_progress" and [m["status"] for m in body["milestones"]] == ["paid", "unfunded"]
    assert body["escrow_jpy"] == 0 and worker_api.get("/api/me").json()["balance_jpy"] == 27_000
    refused(lambda: client_api.post(_url(c, m1, "accept")), 409, "invalid_state")

    client_api.post(_url(c, m2, "fund"))
    worker_api.post(_url(c, m2, "deliver"))
    done = client_api.post(_url(c, m2, "accept")).json()
    assert done["status"] == "completed" and done["end_cause"] == "completed"
    assert worker_api.get("/api/me").json()["balance_jpy"] == 45_000
    # an ended contract refuses everything with not_in_progress
    refused(lambda: worker_api.post(_url(c, m2, "deliver")), 409, "not_in_progress")
    refused(lambda: client_api.post(_url(c, m2, "fund")), 409, "not_in_progress")
    refused(
        lambda: client_api.post(f"/api/contracts/{c['id']}/due-date-changes", {"due_date": "2099-01-01"}),
        409,
        "not_in_progress",
    )
    refused(
        lambda: worker_api.post(
            f"/api/contracts/{c['id']}/plan-changes", {"milestones": [{"title": "追加", "amount_jpy": 1}]}
        ),
        409,
        "not_in_progress",
    )
    assert_ledger_invariants()


def test_action_bodies_malformed(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    client_api.post(_url(c, mid, "fund"))
    refused(lambda: worker_api.post(_url(c, mid, "deliver"), {"message": 12}), 422)
    refused(lambda: worker_api.client.post("/api/contracts/abc/milestones/1/fund"), 401)
    refused(lambda: client_api.post(f"/api/contracts/abc/milestones/{mid}/fund"), 422)


# --- due dates ----------------------------------------------------------------------


def test_due_date_change_flow(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    stranger = signup("stranger")
    path = f"/api/contracts/{c['id']}/due-date-changes"
    refused(lambda: worker_api.post(path, {"due_date": "2000-01-01"}), 422)
    refused(lambda: worker_api.post(path, {"due_date": "next week"}), 422)
    refused(lambda: worker_api.post(path, {}), 422)
    refused(lambda: stranger.post(path, {"due_date": "2099-01-01"}), 404)
    r = worker_api.post(path, {"due_date": "2099-01-31"})
    assert r.status_code == 201, r.content
    change = r.json()
    assert change["status"] == "pending" and change["due_date"] == "2099-01-31"
    pending = client_api.get(f"/api/contracts/{c['id']}").json()
    assert pending["pending_due_date_change"]["id"] == change["id"]
    assert pending["actions"]["due_date_change"] == {"available": False, "reason": "request_open", "available_at": None}
    refused(lambda: client_api.post(path, {"due_date": "2099-02-01"}), 409, "request_open")
    refused(lambda: worker_api.post(f"/api/due-date-changes/{change['id']}/accept"), 403)
    refused(lambda: stranger.post(f"/api/due-date-changes/{change['id']}/accept"), 404)
    refused(lambda: client_api.post("/api/due-date-changes/999999/accept"), 404)
    r = client_api.post(f"/api/due-date-changes/{change['id']}/accept")
    assert r.status_code == 200 and r.json()["due_date"] == "2099-01-31" and r.json()["id"] == c["id"]
    refused(lambda: client_api.post(f"/api/due-date-changes/{change['id']}/decline"), 409, "invalid_state")
    second = client_api.post(path, {"due_date": "2099-03-01"}).json()
    r = worker_api.post(f"/api/due-date-changes/{second['id']}/decline")
    assert r.status_code == 200 and r.json()["due_date"] == "2099-01-31"
    assert DueDateChange.objects.get(pk=second["id"]).status == "declined"
    kinds = [e["kind"] for e in client_api.get(f"/api/contracts/{c['id']}/timeline").json()]
    assert kinds[-4:] == ["due_date_proposed", "due_date_accepted", "due_date_proposed", "due_date_declined"]


def test_due_date_today_in_tokyo_is_not_past(client_api, worker_api):
    import time_machine

    c = make_contract(client_api, worker_api)
    # 2026-11-23 08:00 in Tokyo is still 2026-11-22 in UTC: "today" means the Tokyo date.
    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), tick=False):
        refused(lambda: worker_api.post(f"/api/contracts/{c['id']}/due-date-changes", {"due_date": "2026-11-22"}), 422)
        r = worker_api.post(f"/api/contracts/{c['id']}/due-date-changes", {"due_date": "2026-11-23"})
        assert r.status_code == 201, r.content


# --- plan changes -------------------------------------------------------------------


def test_plan_change_flow(client_api, worker_api):
    ms = [{"title": "第1回", "amount_jpy": 30_000}, {"title": "第2回", "amount_jpy": 20_000}]
    c = make_contract(client_api, worker_api, milestones=ms)
    m1 = c["milestones"][0]["id"]
    client_api.post(_url(c, m1, "fund"))
    path = f"/api/contracts/{c['id']}/plan-changes"
    refused(lambda: worker_api.post(path, {"milestones": [{"title": "x", "amount_jpy": 0}]}), 422)
    refused(lambda: worker_api.post(path, {"milestones": "many"}), 422)
    refused(lambda: worker_api.post(path, {"milestones": [{"title": "x", "amount_jpy": 1}] * 21}), 422)
    new = [{"title": "第2回", "amount_jpy": 25_000}, {"title": "第3回", "amount_jpy": 15_000}]
    r = worker_api.post(path, {"milestones": new})
    assert r.status_code == 201, r.content
    change = r.json()
    assert change["status"] == "pending" and change["milestones"] == new
    refused(lambda: client_api.post(path, {"milestones": new}), 409, "request_open")
    refused(lambda: worker_api.post(f"/api/plan-changes/{change['id']}/accept"), 403)
    stranger = signup("stranger")
    refused(lambda: stranger.post(f"/api/plan-changes/{change['id']}/accept"), 404)
    r = client_api.post(f"/api/plan-changes/{change['id']}/accept")
    assert r.status_code == 200
    body = r.json()
    assert [(m["title"], m["amount_jpy"], m["status"]) for m in body["milestones"]] == [
        ("第1回", 30_000, "escrowed"),
        ("第2回", 25_000, "unfunded"),
        ("第3回", 15_000, "unfunded"),
    ]
    assert body["amount_jpy"] == 70_000 and body["escrow_jpy"] == 30_000
    refused(lambda: client_api.post(f"/api/plan-changes/{change['id']}/decline"), 409, "invalid_state")
    # declining keeps the plan; an empty plan is allowed once something is funded
    second = client_api.post(path, {"milestones": []}).json()
    r = worker_api.post(f"/api/plan-changes/{second['id']}/decline")
    assert r.status_code == 200 and len(r.json()["milestones"]) == 3
    assert PlanChange.objects.get(pk=second["id"]).status == "declined"
    assert_ledger_invariants()


def test_plan_change_needs_a_milestone_when_nothing_funded(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    body = refused(lambda: client_api.post(f"/api/contracts/{c['id']}/plan-changes", {"milestones": []}), 422)
    assert "milestones" in body["fields"]


# --- idempotency --------------------------------------------------------------------


def test_idempotency_key_on_creating_posts(client_api, worker_api):
    key = {"Idempotency-Key": "job-1"}
    first = client_api.post("/api/jobs", JOB, headers=key)
    again = client_api.post("/api/jobs", JOB, headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    # the same key with another body is the client's mistake, not a replay (issue 12)
    changed = client_api.post("/api/jobs", {**JOB, "title": "changed"}, headers=key)
    assert changed.status_code == 422 and changed.json()["code"] == "idempotency_key_reused"
    assert Job.objects.filter(client_id=client_api.user_id).count() == 1
    # another user's key space is their own
    other = signup("client2")
    assert other.post("/api/jobs", JOB, headers=key).json()["id"] != first.json()["id"]
    # the same key on another path is an error, not a replay
    job = first.json()
    reused = client_api.post(f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 1, "message": "x"}, headers=key)
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"

    pkey = {"Idempotency-Key": "prop-1"}
    p1 = worker_api.post(f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 50_000, "message": "x"}, headers=pkey)
    p2 = worker_api.post(f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 50_000, "message": "x"}, headers=pkey)
    assert p1.status_code == p2.status_code == 201 and p1.json() == p2.json()
    assert Proposal.objects.filter(job_id=job["id"]).count() == 1

    akey = {"Idempotency-Key": "accept-1"}
    c1 = client_api.post(f"/api/proposals/{p1.json()['id']}/accept", headers=akey)
    c2 = client_api.post(f"/api/proposals/{p1.json()['id']}/accept", headers=akey)
    assert c1.status_code == c2.status_code == 201 and c1.json()["id"] == c2.json()["id"]
    assert Contract.objects.filter(job_id=job["id"]).count() == 1

    cid = c1.json()["id"]
    dkey = {"Idempotency-Key": "due-1"}
    d1 = worker_api.post(f"/api/contracts/{cid}/due-date-changes", {"due_date": "2099-01-01"}, headers=dkey)
    d2 = worker_api.post(f"/api/contracts/{cid}/due-date-changes", {"due_date": "2099-01-01"}, headers=dkey)
    assert d1.status_code == d2.status_code == 201 and d1.json() == d2.json()
    assert DueDateChange.objects.filter(contract_id=cid).count() == 1

    plan = {"milestones": [{"title": "a", "amount_jpy": 10}]}
    q1 = worker_api.post(f"/api/contracts/{cid}/plan-changes", plan, headers={"Idempotency-Key": "plan-1"})
    q2 = worker_api.post(f"/api/contracts/{cid}/plan-changes", plan, headers={"Idempotency-Key": "plan-1"})
    assert q1.status_code == q2.status_code == 201 and q1.json() == q2.json()
    assert PlanChange.objects.filter(contract_id=cid).count() == 1


def test_idempotency_failed_first_call_is_not_remembered(client_api):
    key = {"Idempotency-Key": "retry-me"}
    refused(lambda: client_api.post("/api/jobs", {**JOB, "budget_jpy": 0}, headers=key), 422)
    assert client_api.post("/api/jobs", JOB, headers=key).status_code == 201
