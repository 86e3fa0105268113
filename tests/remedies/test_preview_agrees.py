"""The preview shown before filing says exactly what expiry then does, for every milestone state."""

from __future__ import annotations

import itertools

import pytest

from tests.conftest import make_contract, signup
from tests.stories.helpers import balance, check_invariants, contract, say

STATES = ("unfunded", "escrowed", "delivered", "paid")


def _bring(client, worker, cid, mid, state):
    if state == "unfunded":
        return
    assert client.post(f"/api/contracts/{cid}/milestones/{mid}/fund").status_code == 200
    if state == "escrowed":
        return
    assert worker.post(f"/api/contracts/{cid}/milestones/{mid}/deliver", {}).status_code == 200
    if state == "delivered":
        return
    assert client.post(f"/api/contracts/{cid}/milestones/{mid}/accept").status_code == 200


@pytest.mark.parametrize("states", list(itertools.product(STATES, repeat=2)), ids="-".join)
@pytest.mark.parametrize("policy", ["lancers", "chukai"])
def test_preview_matches_expiry(clock, states, policy):
    if all(s == "paid" for s in states):
        pytest.skip("a contract with everything paid is completed: nothing to file on")
    client, worker = signup(), signup()
    c = make_contract(
        client,
        worker,
        policy=policy,
        milestones=[{"title": "前半", "amount_jpy": 33_333}, {"title": "後半", "amount_jpy": 66_667}],
    )
    cid = c["id"]
    say(worker, cid, "ご連絡お待ちしております")
    for m, state in zip(c["milestones"], states, strict=True):
        _bring(client, worker, cid, m["id"], state)
    clock.advance(days=7)
    w0, c0 = balance(worker), balance(client)
    preview = worker.get(f"/api/contracts/{cid}/contact-reminders/preview").json()
    assert preview["available"] is True, preview
    assert preview["advice"] == ("deliver_first" if "escrowed" in states else None)
    assert worker.post(f"/api/contracts/{cid}/contact-reminders").status_code == 201
    clock.advance(days=7)
    after = contract(worker, cid)
    assert after["status"] == preview["outcome"]["contract_status"]
    for want, got in zip(preview["outcome"]["milestones"], after["milestones"], strict=True):
        assert want["id"] == got["id"]
        assert want["becomes"] == got["status"]
    assert balance(worker) - w0 == preview["outcome"]["worker_jpy"]
    assert balance(client) - c0 == preview["outcome"]["client_jpy"]
    check_invariants()
