"""PostgreSQL: two withdrawal requests race for the same balance; it is never overdrawn.

Each request locks the user's balance account before reading it (as escrow funding
does), so of two requests for the whole balance exactly one gets it.
"""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connections

from chukai.accounts.models import User
from chukai.accounts.services import user_signup
from chukai.contracts import services as contracts
from chukai.errors import RuleViolation
from chukai.ledger.selectors import user_balance_jpy
from chukai.marketplace.services import job_post, proposal_accept, proposal_submit
from chukai.payouts import services
from chukai.payouts.models import Withdrawal
from tests.conftest import is_postgres
from tests.foundation.invariants import ledger_problems

ROUNDS = 15
AMOUNT = 10_000
EARNED = AMOUNT - AMOUNT * 165 // 1000


def _earn(client_id: int, worker_id: int) -> None:
    job = job_post(
        client_id=client_id, title="t", description="d", budget_jpy=AMOUNT, pricing="fixed", policy="lancers"
    )
    prop = proposal_submit(worker_id=worker_id, job_id=job.pk, amount_jpy=AMOUNT, message="m")
    c = proposal_accept(client_id=client_id, proposal_id=prop.pk)
    mid = c.milestones.get().pk
    contracts.milestone_fund(user_id=client_id, contract_id=c.pk, milestone_id=mid)
    contracts.milestone_deliver(user_id=worker_id, contract_id=c.pk, milestone_id=mid)
    contracts.milestone_accept(user_id=client_id, contract_id=c.pk, milestone_id=mid)


def _racer(workers: list[int], barrier, out) -> None:
    connections.close_all()
    got = []
    try:
        for uid in workers:
            barrier.wait(timeout=60)
            try:
                services.withdrawal_request(user=User.objects.get(pk=uid), amount_jpy=EARNED)
                got.append("ok")
            except RuleViolation as exc:
                got.append(exc.code)
        out.put(got)
    except Exception as exc:  # reported to the parent, which fails the test
        out.put(repr(exc))
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_for_the_whole_balance_at_once_pay_it_once():
    if not is_postgres():
        pytest.skip("row locks across processes need PostgreSQL")
    client = user_signup(email="race-c@example.com", password="correct horse battery", display_name="c")
    workers = []
    for i in range(ROUNDS):
        w = user_signup(email=f"race-w{i}@example.com", password="correct horse battery", display_name="w")
        _earn(client.pk, w.pk)
        services.bank_account_put(
            user=w,
            bank_code="0001",
            branch_code="001",
            account_type="ordinary",
            account_number="1234567",
            holder_kana="ﾚｰｽ",
        )
        workers.append(w.pk)
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(workers, barrier, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert all(isinstance(r, list) for r in results), results
    for a, b in zip(*results, strict=True):  # each round: one got the balance, the other was refused
        assert sorted([a, b]) == ["insufficient_balance", "ok"], results
    assert [user_balance_jpy(uid) for uid in workers] == [0] * ROUNDS
    assert Withdrawal.objects.count() == ROUNDS
    assert ledger_problems() == []
