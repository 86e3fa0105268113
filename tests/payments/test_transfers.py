"""DOMAIN §11 bank transfers and S7 (§14) through the API: short, rest, escrowed once, duplicates
change nothing; excess and late money to the balance; expiry by the clock; the contract ending."""

from __future__ import annotations

import datetime as dt

from chukai.contracts.models import Event
from chukai.ledger.models import LedgerTransaction
from chukai.messaging.models import OutboxEmail
from chukai.payments.models import Payment, PaymentEvent, WebhookCall
from tests.conftest import make_contract
from tests.foundation.invariants import assert_ledger_invariants, assert_same_state, db_state
from tests.payments.helpers import fund, milestone, transfer
from tests.stories.helpers import balance, notification_kinds

NOT_LOGS = ("contracts", "ledger", "messaging", "deadlines", "accounts")


def _awaiting(client_api, worker_api, amount: int = 50_000, policy: str = "chukai") -> tuple[dict, int, dict]:
    c = make_contract(client_api, worker_api, policy=policy, milestones=[{"title": "記事10本", "amount_jpy": amount}])
    mid = c["milestones"][0]["id"]
    r = fund(client_api, c, mid, {"type": "bank_transfer"})
    assert r.status_code == 200, r.content
    m = next(x for x in r.json()["milestones"] if x["id"] == mid)
    assert m["status"] == "awaiting_payment"
    return c, mid, m["payment"]


def test_story_s7_short_then_rest_escrowed_once_duplicates_change_nothing(client_api, worker_api, clock):
    c, mid, pay = _awaiting(client_api, worker_api)
    assert_ledger_invariants()
    assert pay["status"] == "pending" and pay["amount_due_jpy"] == 50_000 and pay["paid_jpy"] == 0
    assert pay["bank_name"] and pay["branch_name"] and len(pay["account_number"]) == 7
    pay_by = dt.datetime.fromisoformat(pay["pay_by"])
    assert pay_by == dt.datetime.fromisoformat("2026-09-08T09:00:00+09:00")  # 7 days (the policy's setting)
    # the worker sees it too, and the contract is not funded
    seen = client_api.get(f"/api/contracts/{c['id']}").json()
    wm = milestone(worker_api, c["id"], mid)
    assert wm["payment"]["account_number"] == pay["account_number"]
    assert seen["status"] == "awaiting_escrow" and seen["escrow_jpy"] == 0
    assert wm["actions"]["deliver"]["available"] is False
    assert milestone(client_api, c["id"], mid)["actions"]["fund"]["available"] is False
    assert fund(client_api, c, mid).status_code == 409  # no second charge while a transfer is on its way
    assert "transfer_awaited" in notification_kinds(worker_api)
    assert "transfer_instructions" in notification_kinds(client_api)

    # the transfer arrives short
    r = transfer(pay["id"], 30_000, "evt_s7_1")
    assert r.status_code == 200, r.content
    assert r.json()["applied_jpy"] == 30_000
    m = milestone(client_api, c["id"], mid)
    assert m["status"] == "awaiting_payment" and m["payment"]["paid_jpy"] == 30_000
    assert_ledger_invariants()
    # the same event again: 200, no effect
    before = db_state(labels=NOT_LOGS)
    r = transfer(pay["id"], 30_000, "evt_s7_1")
    assert r.status_code == 200 and r.json()["duplicate"] is True
    assert_same_state(before, db_state(labels=NOT_LOGS))

    # the rest arrives: escrowed, once
    r = transfer(pay["id"], 20_000, "evt_s7_2")
    assert r.status_code == 200, r.content
    m = milestone(client_api, c["id"], mid)
    assert m["status"] == "escrowed" and m["payment"] is None and m["funded_at"]
    detail = client_api.get(f"/api/contracts/{c['id']}").json()
    assert detail["status"] == "in_progress" and detail["escrow_jpy"] == 50_000
    assert Event.objects.filter(contract_id=c["id"], kind="milestone_funded").count() == 1
    assert Payment.objects.get(pk=pay["id"]).status == "succeeded"
    assert "milestone_funded" in notification_kinds(worker_api)
    assert "escrow_in_place" in notification_kinds(client_api)
    # and by email, each in their language, with the amount
    mails = {m.kind: m for m in OutboxEmail.objects.filter(contract_id=c["id"])}
    assert mails["milestone_funded"].user_id == worker_api.user_id and "50,000" in mails["milestone_funded"].subject
    assert mails["escrow_in_place"].user_id == client_api.user_id and "50,000" in mails["escrow_in_place"].subject
    assert "仮払い" in mails["escrow_in_place"].subject
    assert_ledger_invariants()
    # the last event delivered again: nothing changes
    before = db_state(labels=NOT_LOGS)
    assert transfer(pay["id"], 20_000, "evt_s7_2").json()["duplicate"] is True
    assert_same_state(before, db_state(labels=NOT_LOGS))
    assert PaymentEvent.objects.filter(payment_id=pay["id"]).count() == 2
    assert WebhookCall.objects.filter(event_id__in=("evt_s7_1", "evt_s7_2"), verdict="duplicate").count() == 2
    # the worker can start now
    assert worker_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/deliver").status_code == 200
    assert balance(client_api) == 0


def test_excess_goes_to_the_client_balance(client_api, worker_api, clock):
    c, mid, pay = _awaiting(client_api, worker_api, policy="lancers")
    assert pay["amount_due_jpy"] == 52_750  # 50,000 + 5.5 %
    r = transfer(pay["id"], 60_000)
    assert r.status_code == 200 and r.json()["to_balance_jpy"] == 7_250
    assert milestone(client_api, c["id"], mid)["status"] == "escrowed"
    assert balance(client_api) == 7_250
    assert "transfer_to_balance" in notification_kinds(client_api)
    assert_ledger_invariants()
    # a transfer after completion is late: all of it to the balance
    assert transfer(pay["id"], 1_000).json()["to_balance_jpy"] == 1_000
    assert balance(client_api) == 8_250
    assert_ledger_invariants()


def test_pay_by_expiry_by_the_clock_then_a_late_transfer(client_api, worker_api, clock):
    c, mid, pay = _awaiting(client_api, worker_api)
    assert transfer(pay["id"], 10_000).status_code == 200
    clock.advance(days=7, minutes=-1)
    assert milestone(client_api, c["id"], mid)["status"] == "awaiting_payment"
    fired = clock.advance(minutes=2)
    assert fired["fired"] >= 1
    m = milestone(client_api, c["id"], mid)
    assert m["status"] == "unfunded" and m["payment"] is None
    assert Payment.objects.get(pk=pay["id"]).status == "expired"
    assert balance(client_api) == 10_000  # what had arrived is never lost
    assert "payment_expired" in notification_kinds(worker_api)
    assert_ledger_invariants()
    # the rest arrives after the pay-by time: to the balance, the milestone stays unfunded
    r = transfer(pay["id"], 40_000)
    assert r.status_code == 200 and r.json()["to_balance_jpy"] == 40_000
    assert milestone(client_api, c["id"], mid)["status"] == "unfunded"
    assert balance(client_api) == 50_000
    assert_ledger_invariants()
    # and the client can fund again, from the balance
    r = fund(client_api, c, mid, {"type": "bank_transfer"})
    assert r.status_code == 200
    assert milestone(client_api, c["id"], mid)["status"] == "escrowed"  # the balance covered it all
    assert balance(client_api) == 0
    assert list(Payment.objects.filter(milestone_id=mid).values_list("status", flat=True)) == ["expired"]
    assert_ledger_invariants()


def test_balance_part_waits_with_the_transfer_and_comes_back_on_expiry(client_api, worker_api, clock):
    c0, _m0, p0 = _awaiting(client_api, worker_api, amount=10_000)
    transfer(p0["id"], 30_000)  # 20,000 excess → balance
    assert balance(client_api) == 20_000
    c, mid, pay = _awaiting(client_api, worker_api, amount=50_000)
    assert pay["from_balance_jpy"] == 20_000 and pay["amount_due_jpy"] == 30_000
    assert balance(client_api) == 0
    assert_ledger_invariants()
    clock.advance(days=8)
    assert milestone(client_api, c["id"], mid)["status"] == "unfunded"
    assert balance(client_api) == 20_000
    assert_ledger_invariants()


def test_contract_ending_cancels_the_pending_transfer(client_api, worker_api, clock):
    c = make_contract(
        client_api, worker_api, milestones=[{"title": "a", "amount_jpy": 10_000}, {"title": "b", "amount_jpy": 20_000}]
    )
    a, b = (m["id"] for m in c["milestones"])
    assert fund(client_api, c, a).status_code == 200
    r = fund(client_api, c, b, {"type": "bank_transfer"})
    pay = next(x for x in r.json()["milestones"] if x["id"] == b)["payment"]
    transfer(pay["id"], 5_000)
    # the remedies' preview (the same end plan the ending uses): the awaited milestone is cancelled and
    # what its transfer held goes back to the client
    r = client_api.get(f"/api/contracts/{c['id']}/contact-reminders/preview")
    assert r.status_code == 200, r.content
    preview = {row["id"]: row for row in r.json()["outcome"]["milestones"]}
    assert (preview[b]["from"], preview[b]["becomes"], preview[b]["client_jpy"]) == (
        "awaiting_payment",
        "cancelled",
        5_000,
    )
    r = client_api.post(f"/api/contracts/{c['id']}/termination-requests", {"reason": "予算の都合で中止します"})
    assert r.status_code == 201, r.content
    r = worker_api.post(f"/api/termination-requests/{r.json()['id']}/agree")
    assert r.status_code == 200, r.content
    detail = client_api.get(f"/api/contracts/{c['id']}").json()
    assert detail["status"] == "cancelled"
    assert {m["id"]: m["status"] for m in detail["milestones"]} == {a: "refunded", b: "cancelled"}
    assert Payment.objects.get(pk=pay["id"]).status == "cancelled"
    assert balance(client_api) == 15_000  # the refunded escrow and the transfer that had arrived
    assert_ledger_invariants()
    assert LedgerTransaction.objects.filter(idempotency_key=f"transfer_release:{pay['id']}").count() == 1
    settled = Event.objects.get(contract_id=c["id"], kind="settled").detail["milestones"]
    assert next(x for x in settled if x["id"] == b)["client_jpy"] == preview[b]["client_jpy"]  # the preview held


def test_actions_say_why_while_a_transfer_is_awaited(client_api, worker_api, clock):
    c, mid, _pay = _awaiting(client_api, worker_api)
    assert milestone(worker_api, c["id"], mid)["actions"]["deliver"]["reason"] == "awaiting_payment"
    assert milestone(client_api, c["id"], mid)["actions"]["fund"]["reason"] == "awaiting_payment"
    r = worker_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/deliver")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
