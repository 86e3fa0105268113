"""Policies as data: validation fails loudly, contracts keep their version, the `actions` map."""

from __future__ import annotations

import copy

import pytest
from django.apps import apps

from chukai.contracts.models import Contract
from chukai.policies import rulebooks
from chukai.policies.rulebooks import PolicyError, validate_all
from tests.conftest import make_contract

AVAIL = {"available": True, "reason": None, "available_at": None}


def no(reason):
    return {"available": False, "reason": reason, "available_at": None}


def _broken(edit):
    books = copy.deepcopy(rulebooks.RULEBOOKS)
    edit({b["name"]: b for b in books}, books)
    return books


def test_shipped_policies_are_valid():
    validate_all()
    assert {b["name"] for b in rulebooks.RULEBOOKS} == {"lancers", "crowdworks", "upwork", "chukai"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p, _: p["lancers"]["fees"]["worker"].update(bp=16.5), r"'lancers' v1\.fees\.worker: flat 'bp' must be"),
        (
            lambda p, _: p["crowdworks"]["fees"]["worker"]["tiers"][1].update(up_to=50_000),
            r"'crowdworks' v1\.fees\.worker\.tiers\[1\]: 'up_to' must increase",
        ),
        (
            lambda p, _: p["crowdworks"]["fees"]["worker"]["tiers"][2].update(up_to=300_000),
            r"the last tier must have 'up_to': null",
        ),
        (lambda p, _: p["upwork"]["acceptance"].update(on_lapse="maybe"), r"'upwork' v1\.acceptance: 'on_lapse' must"),
        (
            lambda p, _: p["chukai"]["acceptance"].update(notify_before_days=[3, 14]),
            r"'notify_before_days' must be shorter than 'review_days'",
        ),
        (lambda p, _: p["chukai"]["fees"].update(worker={"kind": "percent"}), r"'kind' must be 'flat' or 'tiers'"),
        (lambda p, _: p["chukai"]["label"].pop("en"), r"'chukai' v1\.label: needs ja and en"),
        (lambda p, _: p["chukai"].pop("acceptance"), r"'acceptance' is required"),
        (lambda p, _: p["lancers"]["contact_reminder"].update(respond_days=0), r"'respond_days' > 0"),
        (lambda p, _: p["chukai"]["termination"].update(partial_payment="yes"), r"'partial_payment' is a bool"),
        (lambda p, books: books.remove(p["crowdworks"]), r"missing policies \['crowdworks'\]"),
        (lambda p, books: books.append(copy.deepcopy(p["upwork"])), r"'upwork' v1: is defined twice"),
    ],
)
def test_bad_policy_fails_loudly(edit, message):
    with pytest.raises(PolicyError, match=message):
        validate_all(_broken(edit))


def test_bad_policy_stops_the_start(monkeypatch):
    monkeypatch.setattr(rulebooks, "RULEBOOKS", _broken(lambda p, _: p["upwork"]["fees"].pop("worker")))
    with pytest.raises(PolicyError, match=r"Invalid policy 'upwork' v1\.fees: needs a 'worker' schedule"):
        apps.get_app_config("policies").ready()


def test_contract_keeps_the_policy_version_it_formed_under(client_api, worker_api, monkeypatch):
    old = make_contract(client_api, worker_api, policy="chukai")
    v2 = copy.deepcopy(rulebooks.current("chukai"))
    v2.update(version=2, fees={"worker": {"kind": "flat", "bp": 2000}, "client": None})
    monkeypatch.setattr(rulebooks, "RULEBOOKS", [*rulebooks.RULEBOOKS, v2])
    validate_all()
    new = make_contract(client_api, worker_api, policy="chukai")
    assert (old["policy_version"], new["policy_version"]) == (1, 2)
    assert Contract.objects.get(pk=old["id"]).policy["fees"]["worker"]["bp"] == 1000
    for c in (old, new):
        mid = c["milestones"][0]["id"]
        for api, step in ((client_api, "fund"), (worker_api, "deliver"), (client_api, "accept")):
            assert api.post(f"/api/contracts/{c['id']}/milestones/{mid}/{step}").status_code == 200
    paid = worker_api.get(f"/api/contracts/{old['id']}").json()["milestones"][0]["worker_paid_jpy"]
    paid2 = worker_api.get(f"/api/contracts/{new['id']}").json()["milestones"][0]["worker_paid_jpy"]
    assert (paid, paid2) == (45_000, 40_000)


def _actions(api, cid):
    return api.get(f"/api/contracts/{cid}").json()


def test_actions_map_for_each_role_and_state(client_api, worker_api, staff_api):
    c = make_contract(client_api, worker_api)
    cid, mid = c["id"], c["milestones"][0]["id"]
    cl, wk, st = (_actions(a, cid)["actions"] for a in (client_api, worker_api, staff_api))
    for acts in (cl, wk, st):
        assert {"fund", "deliver", "accept", "request_revision", "due_date_change", "plan_change", "message"} <= set(
            acts
        )
        assert all({"available", "reason", "available_at"} <= set(v) for v in acts.values()), acts
    assert (cl["fund"], cl["deliver"], cl["accept"]) == (AVAIL, no("not_your_role"), no("invalid_state"))
    assert (wk["fund"], wk["deliver"], wk["accept"]) == (no("not_your_role"), no("invalid_state"), no("not_your_role"))
    assert cl["due_date_change"] == wk["plan_change"] == cl["message"] == AVAIL
    assert all(st[k] == no("not_your_role") for k in ("fund", "deliver", "accept", "plan_change", "message"))
    assert _actions(staff_api, cid)["role"] == "staff"

    client_api.post(f"/api/contracts/{cid}/milestones/{mid}/fund")
    d = _actions(worker_api, cid)
    assert d["actions"]["deliver"] == AVAIL and d["milestones"][0]["actions"]["deliver"] == AVAIL
    assert _actions(client_api, cid)["actions"]["fund"] == no("invalid_state")

    worker_api.post(f"/api/contracts/{cid}/milestones/{mid}/deliver")
    cl = _actions(client_api, cid)["actions"]
    assert cl["accept"] == cl["request_revision"] == AVAIL
    assert _actions(worker_api, cid)["actions"]["deliver"] == no("invalid_state")

    plan = worker_api.post(
        f"/api/contracts/{cid}/plan-changes", {"milestones": [{"title": "追加", "amount_jpy": 5_000}]}
    )
    assert _actions(client_api, cid)["actions"]["plan_change"] == no("request_open")

    client_api.post(f"/api/contracts/{cid}/milestones/{mid}/accept")
    # every milestone is settled: the contract completes; the unanswered plan change can no longer apply
    after = _actions(client_api, cid)
    assert after["status"] == "completed" and after["actions"]["plan_change"] == no("not_in_progress")
    r = client_api.post(f"/api/plan-changes/{plan.json()['id']}/accept")
    assert r.status_code == 409 and r.json()["code"] == "not_in_progress"


def test_actions_after_the_end(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    cid, mid = c["id"], c["milestones"][0]["id"]
    client_api.post(f"/api/contracts/{cid}/milestones/{mid}/fund")
    worker_api.post(f"/api/contracts/{cid}/milestones/{mid}/deliver")
    client_api.post(f"/api/contracts/{cid}/milestones/{mid}/accept")
    cl, wk = _actions(client_api, cid)["actions"], _actions(worker_api, cid)["actions"]
    assert cl["accept"] == cl["due_date_change"] == wk["plan_change"] == no("not_in_progress")
    assert wk["deliver"] == no("not_in_progress") and cl["fund"] == no("not_in_progress")
