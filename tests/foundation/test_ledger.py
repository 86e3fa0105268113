"""Ledger: fee schedules with exact numbers, balanced idempotent transactions, the PostgreSQL trigger."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from chukai import clock
from chukai.contracts.models import Milestone
from chukai.contracts.services import contract_end, contract_lock, milestones_lock
from chukai.ledger.fees import fee_for_part, fee_on_total
from chukai.ledger.models import Account, LedgerTransaction, Leg
from chukai.ledger.selectors import account_balances, escrow_balance_jpy
from chukai.ledger.services import UnbalancedTransaction, account_for, transaction_post
from chukai.payments.models import Payment, SandboxCharge
from chukai.policies.rulebooks import current
from tests.conftest import is_postgres, make_contract
from tests.foundation.conftest import refused
from tests.foundation.invariants import assert_ledger_invariants, ledger_problems

CW = current("crowdworks")["fees"]["worker"]
LANCERS = current("lancers")["fees"]


@pytest.mark.parametrize(
    ("total", "fee"),
    [(1, 0), (5, 1), (99_999, 19_999), (100_000, 20_000), (100_001, 20_000), (100_010, 20_001)]
    + [(200_000, 30_000), (200_001, 30_000), (250_000, 32_500), (1_000_000, 70_000)],
)
def test_crowdworks_tiers(total, fee):
    assert fee_on_total(CW, total) == fee


def _charge_key(mid: int) -> str:
    """The gateway key of the milestone's successful card payment (one key per attempt)."""
    return f"charge:{Payment.objects.get(milestone_id=mid, status='succeeded').pk}"


def test_tiers_by_part_add_up_to_the_whole():
    parts = [60_000, 60_000, 80_000, 50_000]
    fees, already = [], 0
    for p in parts:
        fees.append(fee_for_part(CW, p, already=already))
        already += p
    assert fees == [12_000, 8_000 + 2_000, 8_000, 2_500] and sum(fees) == 32_500 == fee_on_total(CW, 250_000)


@pytest.mark.parametrize(("amount", "worker", "client"), [(100_000, 16_500, 5_500), (10_001, 1_650, 550), (99, 16, 5)])
def test_lancers_flat_rounds_down(amount, worker, client):
    assert fee_on_total(LANCERS["worker"], amount) == worker
    assert fee_on_total(LANCERS["client"], amount) == client


def test_flat_ten_percent_and_no_schedule():
    assert fee_on_total(current("chukai")["fees"]["worker"], 12_345) == 1_234
    assert fee_on_total(None, 12_345) == 0


def _run(client_api, worker_api, c, mid, *steps):
    for step in steps:
        api = client_api if step in ("fund", "accept") else worker_api
        r = api.post(f"/api/contracts/{c['id']}/milestones/{mid}/{step}")
        assert r.status_code == 200, r.content


def test_crowdworks_contract_fees_through_the_api(client_api, worker_api):
    ms = [{"title": "前半", "amount_jpy": 150_000}, {"title": "後半", "amount_jpy": 100_000}]
    c = make_contract(client_api, worker_api, policy="crowdworks", milestones=ms)
    m1, m2 = (m["id"] for m in c["milestones"])
    _run(client_api, worker_api, c, m1, "fund", "deliver", "accept")
    assert worker_api.get("/api/me").json()["balance_jpy"] == 150_000 - 25_000
    _run(client_api, worker_api, c, m2, "fund", "deliver", "accept")
    assert worker_api.get("/api/me").json()["balance_jpy"] == 250_000 - 32_500
    fees = Account.objects.get(kind=Account.FEES)
    assert account_balances()[fees.pk] == 32_500
    assert_ledger_invariants()


def test_lancers_client_fee_on_top_released(client_api, worker_api):
    c = make_contract(client_api, worker_api, policy="lancers", milestones=[{"title": "m", "amount_jpy": 100_000}])
    mid = c["milestones"][0]["id"]
    r = client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/fund").json()
    assert r["escrow_jpy"] == 105_500 and r["milestones"][0]["client_fee_jpy"] == 5_500
    assert SandboxCharge.objects.get(idempotency_key=_charge_key(mid)).amount_jpy == 105_500
    assert escrow_balance_jpy(c["id"]) == 105_500
    _run(client_api, worker_api, c, mid, "deliver", "accept")
    assert worker_api.get("/api/me").json()["balance_jpy"] == 83_500
    assert client_api.get("/api/me").json()["balance_jpy"] == 0
    assert account_balances()[Account.objects.get(kind=Account.FEES).pk] == 16_500 + 5_500
    assert escrow_balance_jpy(c["id"]) == 0
    assert_ledger_invariants()


def test_lancers_client_fee_refunded_with_the_milestone(client_api, worker_api):
    c = make_contract(client_api, worker_api, policy="lancers", milestones=[{"title": "m", "amount_jpy": 100_000}])
    mid = c["milestones"][0]["id"]
    _run(client_api, worker_api, c, mid, "fund")
    with transaction.atomic():
        contract = contract_lock(c["id"])
        moved = contract_end(
            contract=contract,
            milestones=milestones_lock(contract),
            pay={},
            cause="staff_decision",
            caused_by_id=None,
            actor_id=None,
            reason="test refund",
        )
    assert moved == [
        {
            "id": mid,
            "milestone_id": mid,
            "becomes": "refunded",
            "held_jpy": 105_500,
            "worker_jpy": 0,
            "worker_fee_jpy": 0,
            "withholding_jpy": 0,  # no withholding declared (DOMAIN §12)
            "withholding_released_jpy": 0,
            "client_jpy": 105_500,
            "platform_jpy": 0,
        }
    ]
    assert client_api.get("/api/me").json()["balance_jpy"] == 105_500
    assert client_api.get(f"/api/contracts/{c['id']}").json()["status"] == "cancelled"
    assert_ledger_invariants()


def test_split_settlement_lancers(client_api, worker_api):
    c = make_contract(client_api, worker_api, policy="lancers", milestones=[{"title": "m", "amount_jpy": 100_000}])
    mid = c["milestones"][0]["id"]
    _run(client_api, worker_api, c, mid, "fund")
    with transaction.atomic():
        contract = contract_lock(c["id"])
        contract_end(
            contract=contract,
            milestones=milestones_lock(contract),
            pay={mid: 40_000},
            cause="agreement",
            caused_by_id=None,
            actor_id=None,
            reason="partial",
        )
    m = Milestone.objects.get(pk=mid)
    # worker: 40,000 less 16.5 %; platform: that fee + 5.5 % of 40,000; client: the rest of 105,500
    assert (m.status, m.worker_paid_jpy, m.worker_fee_jpy, m.client_refunded_jpy) == ("settled", 33_400, 6_600, 63_300)
    assert client_api.get(f"/api/contracts/{c['id']}").json()["status"] == "completed"
    assert_ledger_invariants()


def test_refund_funds_the_next_escrow_from_balance(client_api, worker_api):
    c = make_contract(client_api, worker_api, milestones=[{"title": "m", "amount_jpy": 30_000}])
    _run(client_api, worker_api, c, c["milestones"][0]["id"], "fund")
    with transaction.atomic():
        contract = contract_lock(c["id"])
        contract_end(
            contract=contract,
            milestones=milestones_lock(contract),
            pay={},
            cause="agreement",
            caused_by_id=None,
            actor_id=None,
            reason="x",
        )
    c2 = make_contract(client_api, worker_api, milestones=[{"title": "m", "amount_jpy": 50_000}])
    mid = c2["milestones"][0]["id"]
    _run(client_api, worker_api, c2, mid, "fund")
    assert client_api.get("/api/me").json()["balance_jpy"] == 0
    assert SandboxCharge.objects.get(idempotency_key=_charge_key(mid)).amount_jpy == 20_000
    legs = {leg.account.kind: leg.amount for leg in Leg.objects.filter(transaction__idempotency_key=f"fund:{mid}")}
    assert legs == {"gateway_in": -20_000, "balance": -30_000, "escrow": 50_000}
    assert_ledger_invariants()


def test_unbalanced_post_is_refused_and_key_is_idempotent(db):
    gw, fees = account_for(Account.GATEWAY_IN), account_for(Account.FEES)
    with pytest.raises(UnbalancedTransaction):
        transaction_post(kind="test", key="bad", legs=[(gw, -100), (fees, 99)])
    assert not LedgerTransaction.objects.filter(idempotency_key="bad").exists()
    first = transaction_post(kind="test", key="k1", legs=[(gw, -100), (fees, 100)])
    again = transaction_post(kind="test", key="k1", legs=[(gw, -100), (fees, 100)])
    assert first.pk == again.pk and Leg.objects.filter(transaction=first).count() == 2
    assert account_balances()[fees.pk] == 100


def test_no_double_release(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    _run(client_api, worker_api, c, mid, "fund", "deliver", "accept")
    refused(lambda: client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/accept"), 409, "not_in_progress")
    # even a direct repeat of the release posting moves nothing
    release = LedgerTransaction.objects.get(idempotency_key=f"settle:{mid}")
    escrow = account_for(Account.ESCROW, contract_id=c["id"])
    balance = account_for(Account.BALANCE, user_id=worker_api.user_id)
    again = transaction_post(kind="release", key=f"settle:{mid}", legs=[(escrow, -50_000), (balance, 50_000)])
    assert again.pk == release.pk
    assert worker_api.get("/api/me").json()["balance_jpy"] == 45_000
    assert LedgerTransaction.objects.filter(milestone_id=mid).count() == 2  # fund + release


def test_invariant_checker_catches_breakage(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    _run(client_api, worker_api, c, mid, "fund")
    assert ledger_problems() == []
    # a milestone marked escrowed with nothing behind it
    Milestone.objects.filter(pk=mid).update(client_fee_jpy=1)
    problems = ledger_problems()
    assert len(problems) == 1 and f"contract {c['id']}" in problems[0]
    Milestone.objects.filter(pk=mid).update(client_fee_jpy=0)
    # a worker balance below zero, in a balanced transaction
    w = account_for(Account.BALANCE, user_id=worker_api.user_id)
    transaction_post(kind="test", key="overdraw", legs=[(w, -1), (account_for(Account.FEES), 1)])
    assert any("negative" in p for p in ledger_problems())
    with pytest.raises(AssertionError, match="negative"):
        assert_ledger_invariants()


def _unbalanced_insert(key: str) -> None:
    gw, fees = account_for(Account.GATEWAY_IN), account_for(Account.FEES)
    txn = LedgerTransaction.objects.create(kind="test", idempotency_key=key, created_at=clock.now())
    Leg.objects.bulk_create(
        [Leg(transaction=txn, account=gw, amount=-100), Leg(transaction=txn, account=fees, amount=90)]
    )


@pytest.mark.django_db(transaction=True)
def test_pg_trigger_rejects_unbalanced_transaction_at_commit():
    if not is_postgres():
        pytest.skip("the deferred constraint trigger exists on PostgreSQL only")
    with pytest.raises(IntegrityError, match="unbalanced"):
        with transaction.atomic():
            _unbalanced_insert("direct-unbalanced")
            # deferred: inside the transaction the rows are there ...
            assert Leg.objects.filter(transaction__idempotency_key="direct-unbalanced").count() == 2
    # ... and the commit refused them all
    assert not LedgerTransaction.objects.filter(idempotency_key="direct-unbalanced").exists()
    # a balanced direct insert, and a later edit that unbalances it, are judged at commit too
    with transaction.atomic():
        gw, fees = account_for(Account.GATEWAY_IN), account_for(Account.FEES)
        txn = LedgerTransaction.objects.create(kind="test", idempotency_key="direct-ok", created_at=clock.now())
        Leg.objects.bulk_create(
            [Leg(transaction=txn, account=gw, amount=-5), Leg(transaction=txn, account=fees, amount=5)]
        )
    with pytest.raises(IntegrityError, match="unbalanced"):
        with transaction.atomic():
            Leg.objects.filter(transaction=txn, amount=5).update(amount=6)
    assert sorted(Leg.objects.filter(transaction=txn).values_list("amount", flat=True)) == [-5, 5]
    assert_ledger_invariants()


def test_pg_trigger_fires_when_constraints_checked(db):
    if not is_postgres():
        pytest.skip("the deferred constraint trigger exists on PostgreSQL only")
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        _unbalanced_insert("immediate-unbalanced")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
