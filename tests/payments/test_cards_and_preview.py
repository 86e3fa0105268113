"""DOMAIN §11: the preview equals the charge for every policy (also with part from the balance);
each sandbox card token; a declined card or a failing gateway changes nothing."""

from __future__ import annotations

import pytest

from chukai.contracts.models import Event, Milestone
from chukai.deadlines.models import Deadline
from chukai.ledger.models import LedgerTransaction
from chukai.payments.models import Payment, SandboxCharge
from tests.conftest import make_contract
from tests.foundation.invariants import assert_ledger_invariants, assert_same_state, db_state
from tests.payments.helpers import fund, milestone, preview, transfer
from tests.stories.helpers import balance, notification_kinds

POLICIES = ("chukai", "lancers", "crowdworks", "upwork")
UNCHANGED = ("contracts", "ledger", "messaging", "deadlines", "remedies")


def _legs(mid: int, key: str | None = None) -> dict[str, int]:
    txn = LedgerTransaction.objects.get(idempotency_key=key or f"fund:{mid}")
    return {leg.account.kind: leg.amount for leg in txn.legs.select_related("account")}


def _give_balance(client_api, worker_api, policy: str, amount: int) -> None:
    """A client balance the way a user gets one: an excess bank transfer on another contract."""
    c = make_contract(client_api, worker_api, policy=policy, milestones=[{"title": "前金", "amount_jpy": 10_000}])
    mid = c["milestones"][0]["id"]
    r = fund(client_api, c, mid, {"type": "bank_transfer"})
    assert r.status_code == 200, r.content
    pay = milestone(client_api, c["id"], mid)["payment"]
    assert transfer(pay["id"], pay["amount_due_jpy"] + amount).status_code == 200


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("with_balance", [False, True])
def test_preview_equals_the_charge(client_api, worker_api, policy, with_balance):
    if with_balance:
        _give_balance(client_api, worker_api, policy, 30_000)
        assert balance(client_api) == 30_000
    c = make_contract(
        client_api,
        worker_api,
        policy=policy,
        milestones=[{"title": "構成", "amount_jpy": 120_000}, {"title": "本文", "amount_jpy": 95_001}],
    )
    for m in c["milestones"]:
        p = preview(client_api, c, m["id"])
        assert p["total_jpy"] == p["amount_jpy"] - p["withholding_jpy"] + p["client_fee_jpy"]
        assert p["total_jpy"] == p["from_balance_jpy"] + p["charge_jpy"]
        assert p["withholding_jpy"] == 0
        r = fund(client_api, c, m["id"])
        assert r.status_code == 200, r.content
        assert_ledger_invariants()
        funded = next(x for x in r.json()["milestones"] if x["id"] == m["id"])
        assert funded["status"] == "escrowed" and funded["client_fee_jpy"] == p["client_fee_jpy"]
        legs = _legs(m["id"])
        assert legs.get("gateway_in", 0) == -p["charge_jpy"]
        assert legs.get("balance", 0) == -p["from_balance_jpy"]
        assert legs["escrow"] == p["total_jpy"]
        if p["charge_jpy"]:
            pay = Payment.objects.get(milestone_id=m["id"], status="succeeded")
            assert SandboxCharge.objects.get(idempotency_key=f"charge:{pay.pk}").amount_jpy == p["charge_jpy"]
            assert (pay.amount_due_jpy, pay.client_fee_jpy, pay.from_balance_jpy) == (
                p["charge_jpy"],
                p["client_fee_jpy"],
                p["from_balance_jpy"],
            )
    if policy == "lancers":  # 5.5 % on top
        assert Milestone.objects.get(pk=c["milestones"][0]["id"]).client_fee_jpy == 6_600
    if with_balance:
        assert balance(client_api) == 0
        first = Payment.objects.filter(contract_id=c["id"]).order_by("id").first()
        assert first is not None and first.from_balance_jpy == 30_000


def test_preview_is_for_the_client_only(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    assert worker_api.get(f"/api/contracts/{c['id']}/milestones/{mid}/fund-preview").status_code == 403


def test_tok_ok_and_no_body_fund_by_card_and_tell_both(client_api, worker_api):
    c = make_contract(
        client_api, worker_api, milestones=[{"title": "a", "amount_jpy": 1000}, {"title": "b", "amount_jpy": 2000}]
    )
    a, b = (m["id"] for m in c["milestones"])
    assert fund(client_api, c, a, {"type": "card", "token": "tok_ok"}).status_code == 200
    assert fund(client_api, c, b).status_code == 200
    assert [milestone(client_api, c["id"], x)["status"] for x in (a, b)] == ["escrowed", "escrowed"]
    assert notification_kinds(worker_api).count("milestone_funded") == 2
    assert notification_kinds(client_api).count("escrow_in_place") == 2
    assert_ledger_invariants()


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("tok_declined", "card_declined"),
        ("tok_insufficient_funds", "insufficient_funds"),
        ("tok_bogus", "invalid_token"),
    ],
)
def test_declined_card_changes_nothing(client_api, worker_api, token, code):
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    before = db_state(labels=UNCHANGED)
    events = Event.objects.count()
    r = fund(client_api, c, mid, {"type": "card", "token": token})
    assert r.status_code == 409, r.content
    body = r.json()
    assert body["code"] == "payment_declined" and body["decline_code"] == code
    assert body["reason"]["ja"] and body["reason"]["en"]
    assert_same_state(before, db_state(labels=UNCHANGED))
    assert Event.objects.count() == events
    assert milestone(client_api, c["id"], mid)["status"] == "unfunded"
    pay = Payment.objects.get(milestone_id=mid)
    assert pay.status == "declined" and pay.decline_code == code
    assert not SandboxCharge.objects.filter(idempotency_key=f"charge:{pay.pk}").exists()
    # the client tries again with a good card: funded once
    assert fund(client_api, c, mid, {"type": "card", "token": "tok_ok"}).status_code == 200
    assert milestone(client_api, c["id"], mid)["status"] == "escrowed"
    assert_ledger_invariants()


def test_gateway_timeout_leaves_the_milestone_unfunded_and_the_payment_failed(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    before = db_state(labels=UNCHANGED)
    r = fund(client_api, c, mid, {"type": "card", "token": "tok_timeout"})
    assert r.status_code == 503 and r.json()["code"] == "payment_failed", r.content
    # Nothing moved; only the reconcile deadline stays, to ask the gateway later whether it charged after all.
    after = db_state(labels=UNCHANGED)
    pay = Payment.objects.get(milestone_id=mid)
    reconcile = Deadline.objects.get(kind="charge_reconcile", subject_id=pay.pk)
    assert reconcile.status == "pending"
    after["deadlines.Deadline"] = [row for row in after["deadlines.Deadline"] if row[0] != reconcile.pk]
    assert_same_state(before, after)
    assert pay.status == "failed"
    assert milestone(client_api, c["id"], mid)["status"] == "unfunded"
    assert_ledger_invariants()


def test_bad_payment_method_is_422(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    before = db_state()
    r = fund(client_api, c, mid, {"type": "cash"})
    assert r.status_code == 422, r.content
    assert_same_state(before, db_state())


def test_plan_change_after_a_declined_card_keeps_the_payment_record(client_api, worker_api):
    """A milestone with payment history cannot be deleted (the record is evidence): it is cancelled."""
    c = make_contract(client_api, worker_api, milestones=[{"title": "a", "amount_jpy": 10_000}])
    mid = c["milestones"][0]["id"]
    assert fund(client_api, c, mid, {"type": "card", "token": "tok_declined"}).status_code == 409
    r = worker_api.post(
        f"/api/contracts/{c['id']}/plan-changes", {"milestones": [{"title": "b", "amount_jpy": 20_000}]}
    )
    assert r.status_code == 201, r.content
    r = client_api.post(f"/api/plan-changes/{r.json()['id']}/accept")
    assert r.status_code == 200, r.content
    detail = r.json()
    assert [(m["title"], m["status"]) for m in detail["milestones"]] == [("a", "cancelled"), ("b", "unfunded")]
    assert detail["amount_jpy"] == 20_000 and detail["status"] == "awaiting_escrow"
    assert Payment.objects.get(milestone_id=mid).status == "declined"
    new = detail["milestones"][1]["id"]
    assert fund(client_api, c, new).status_code == 200
    assert_ledger_invariants()
