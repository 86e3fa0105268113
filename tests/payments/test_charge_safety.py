"""A card charge is recorded before the gateway is called and funded after it, in two transactions:
money the gateway took is never lost, whatever fails in between (docs/decisions.md, "charge safety")."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum

from chukai.contracts import services
from chukai.contracts.models import Event
from chukai.deadlines.models import Deadline
from chukai.ledger.models import Account, Leg
from chukai.payments.gateway import GatewayUnavailable, SandboxGateway
from chukai.payments.models import Payment, SandboxCharge
from tests.conftest import make_contract
from tests.foundation.invariants import assert_ledger_invariants
from tests.payments.helpers import fund, milestone, preview
from tests.stories.helpers import balance


class Killed(BaseException):
    """The process dies: no `except Exception` of ours sees it."""


def _money_matches_the_gateway() -> None:
    card_in = -int(Leg.objects.filter(account__kind=Account.GATEWAY_IN).aggregate(s=Sum("amount"))["s"] or 0)
    charged = int(SandboxCharge.objects.filter(kind="charge").aggregate(s=Sum("amount_jpy"))["s"] or 0)
    assert card_in == charged


@pytest.mark.parametrize("keyed", [False, True], ids=["plain", "idempotency-key"])
def test_a_failure_after_the_charge_credits_the_client_balance(client_api, worker_api, monkeypatch, keyed):
    c = make_contract(client_api, worker_api, policy="lancers", milestones=[{"title": "m", "amount_jpy": 40_000}])
    mid = c["milestones"][0]["id"]
    due = preview(client_api, c, mid)["charge_jpy"]

    def boom(**kw: Any) -> Any:
        raise RuntimeError("the database went away after the charge")

    monkeypatch.setattr(services, "escrow_fund", boom)
    url = f"/api/contracts/{c['id']}/milestones/{mid}/fund"
    headers = {"Idempotency-Key": "fund-once"} if keyed else None
    r = client_api.post(url, {"payment_method": {"type": "card", "token": "tok_ok"}}, headers=headers)
    assert r.status_code == 409 and r.json()["code"] == "charge_credited", r.content
    pay = Payment.objects.get(milestone_id=mid)
    assert pay.status == "credited" and pay.gateway_ref
    assert SandboxCharge.objects.get(idempotency_key=f"charge:{pay.pk}").amount_jpy == due
    assert milestone(client_api, c["id"], mid)["status"] == "unfunded"
    assert balance(client_api) == due  # the charged money is the client's, on the balance
    assert not Deadline.objects.filter(kind="charge_reconcile", status="pending").exists()
    assert_ledger_invariants()
    _money_matches_the_gateway()
    # Funding again takes it from the balance: no second charge.
    monkeypatch.undo()
    again = {"Idempotency-Key": "fund-twice"} if keyed else None
    assert (
        client_api.post(url, {"payment_method": {"type": "card", "token": "tok_ok"}}, headers=again).status_code == 200
    )
    if keyed:  # the repeat of the funded request gets its first answer and pays nothing
        r = client_api.post(url, {"payment_method": {"type": "card", "token": "tok_ok"}}, headers=again)
        assert r.status_code == 200 and SandboxCharge.objects.count() == 1
    assert milestone(client_api, c["id"], mid)["status"] == "escrowed"
    assert balance(client_api) == 0 and SandboxCharge.objects.count() == 1
    assert_ledger_invariants()
    _money_matches_the_gateway()


def test_a_retry_after_a_decline_is_a_new_charge_with_a_new_key(client_api, worker_api, monkeypatch):
    keys: list[str] = []
    real = SandboxGateway.charge

    def spy(self: SandboxGateway, **kw: Any) -> Any:
        keys.append(kw["key"])
        return real(self, **kw)

    monkeypatch.setattr(SandboxGateway, "charge", spy)
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    assert fund(client_api, c, mid, {"type": "card", "token": "tok_declined"}).status_code == 409
    assert fund(client_api, c, mid, {"type": "card", "token": "tok_ok"}).status_code == 200
    declined, ok = Payment.objects.filter(milestone_id=mid).order_by("id")
    assert (declined.status, ok.status) == ("declined", "succeeded")
    assert keys == [f"charge:{declined.pk}", f"charge:{ok.pk}"]
    assert milestone(client_api, c["id"], mid)["status"] == "escrowed"
    assert not Deadline.objects.filter(kind="charge_reconcile", status="pending").exists()
    assert_ledger_invariants()
    _money_matches_the_gateway()


def test_killed_between_charge_and_funding_is_reconciled_once(client_api, worker_api, clock, monkeypatch):
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]

    def killed(*a: Any, **kw: Any) -> Any:
        raise Killed

    monkeypatch.setattr(services, "charge_complete", killed)
    monkeypatch.setattr(services, "charge_credit", killed)
    with pytest.raises(Killed):
        services.milestone_fund(user_id=client_api.user_id, contract_id=c["id"], milestone_id=mid)
    monkeypatch.undo()
    pay = Payment.objects.get(milestone_id=mid)
    assert pay.status == "charging"
    assert SandboxCharge.objects.filter(idempotency_key=f"charge:{pay.pk}").exists()  # the card was charged
    assert milestone(client_api, c["id"], mid)["status"] == "unfunded"
    # While the attempt is unresolved, a second one is refused (no double charge).
    r = fund(client_api, c, mid)
    assert r.status_code == 409 and r.json()["code"] == "payment_in_progress", r.content
    assert SandboxCharge.objects.count() == 1
    # The reconcile deadline asks the gateway by the attempt's key and completes the funding.
    clock.advance(minutes=6)
    pay.refresh_from_db()
    assert pay.status == "succeeded" and pay.paid_jpy == pay.amount_due_jpy
    assert milestone(client_api, c["id"], mid)["status"] == "escrowed"
    assert Deadline.objects.get(kind="charge_reconcile", subject_id=pay.pk).status == "done"
    clock.advance(minutes=10)
    assert Event.objects.filter(contract_id=c["id"], kind="milestone_funded").count() == 1
    assert balance(client_api) == 0
    assert_ledger_invariants()
    _money_matches_the_gateway()


def test_a_timeout_that_charged_after_all_is_credited_by_the_reconcile(client_api, worker_api, clock, monkeypatch):
    real = SandboxGateway.charge

    def charged_then_timed_out(self: SandboxGateway, **kw: Any) -> Any:
        real(self, **kw)
        raise GatewayUnavailable("read timeout after the gateway took the money")

    monkeypatch.setattr(SandboxGateway, "charge", charged_then_timed_out)
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    r = fund(client_api, c, mid)
    assert r.status_code == 503 and r.json()["code"] == "payment_failed", r.content
    monkeypatch.undo()
    pay = Payment.objects.get(milestone_id=mid)
    assert pay.status == "failed" and milestone(client_api, c["id"], mid)["status"] == "unfunded"
    clock.advance(minutes=6)
    pay.refresh_from_db()
    assert pay.status == "credited"
    assert balance(client_api) == pay.amount_due_jpy
    assert milestone(client_api, c["id"], mid)["status"] == "unfunded"
    assert_ledger_invariants()
    _money_matches_the_gateway()
