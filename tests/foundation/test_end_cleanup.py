"""Proposals and plan changes at the edges: a contract that ends, a plan that went stale."""

from __future__ import annotations

from tests.conftest import make_contract
from tests.foundation.conftest import refused


def _two_milestones(client_api, worker_api):
    return make_contract(
        client_api, worker_api, milestones=[{"title": "a", "amount_jpy": 10_000}, {"title": "b", "amount_jpy": 20_000}]
    )


def test_pending_proposals_are_cancelled_when_the_contract_ends(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    cid, mid = c["id"], c["milestones"][0]["id"]
    due = worker_api.post(f"/api/contracts/{cid}/due-date-changes", {"due_date": "2030-01-31"}).json()
    assert client_api.post(f"/api/contracts/{cid}/milestones/{mid}/fund").status_code == 200
    assert worker_api.post(f"/api/contracts/{cid}/milestones/{mid}/deliver", {}).status_code == 200
    done = client_api.post(f"/api/contracts/{cid}/milestones/{mid}/accept").json()
    assert done["status"] == "completed"
    assert done["pending_due_date_change"] is None
    refused(lambda: client_api.post(f"/api/due-date-changes/{due['id']}/accept"), 409, "not_in_progress")
    from chukai.contracts.models import DueDateChange

    assert DueDateChange.objects.get(pk=due["id"]).status == "cancelled"


def test_a_plan_change_goes_stale_when_its_milestones_are_funded_meanwhile(client_api, worker_api):
    c = _two_milestones(client_api, worker_api)
    cid = c["id"]
    plan = worker_api.post(
        f"/api/contracts/{cid}/plan-changes", {"milestones": [{"title": "all", "amount_jpy": 30_000}]}
    ).json()
    assert client_api.post(f"/api/contracts/{cid}/milestones/{c['milestones'][0]['id']}/fund").status_code == 200
    refused(lambda: client_api.post(f"/api/plan-changes/{plan['id']}/accept"), 409, "invalid_state")
    after = client_api.get(f"/api/contracts/{cid}").json()
    assert after["amount_jpy"] == 30_000
    assert [m["title"] for m in after["milestones"]] == ["a", "b"]
    # Declining it is still possible, and a fresh proposal for what is unfunded works.
    assert client_api.post(f"/api/plan-changes/{plan['id']}/decline").status_code == 200
    plan = worker_api.post(
        f"/api/contracts/{cid}/plan-changes", {"milestones": [{"title": "c", "amount_jpy": 25_000}]}
    ).json()
    accepted = client_api.post(f"/api/plan-changes/{plan['id']}/accept").json()
    assert [m["title"] for m in accepted["milestones"]] == ["a", "c"]
    assert accepted["amount_jpy"] == 35_000
