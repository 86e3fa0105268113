"""PostgreSQL: two processes accept and refund the same delivered milestone at the same instant, many
times. Exactly one wins each round, and no yen is created or lost."""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

import pytest
from django.db import connections, transaction

from chukai.accounts.services import user_signup
from chukai.contracts import services as cs
from chukai.contracts.models import Contract, Milestone
from chukai.errors import RuleViolation
from chukai.ledger.selectors import user_balance_jpy
from chukai.marketplace.services import job_post, proposal_accept, proposal_submit
from tests.conftest import is_postgres
from tests.foundation.invariants import assert_ledger_invariants

ROUNDS = 80
AMOUNT = 100_000


def _refund(contract_id: int, milestone_id: int) -> str:
    """What a termination or a staff decision does: lock, re-check, end the contract with a refund."""
    with transaction.atomic():
        contract = cs.contract_lock(contract_id)
        milestones = cs.milestones_lock(contract)
        m = next(x for x in milestones if x.pk == milestone_id)
        if not contract.is_open or m.status not in Milestone.HOLDING:
            return "lost"
        cs.contract_end(
            contract=contract,
            milestones=milestones,
            pay={},
            cause=Contract.END_STAFF,
            caused_by_id=None,
            actor_id=None,
            reason="race test refund",
        )
        return "won"


def _racer(role: str, client_id: int, rounds: list[tuple[int, int]], barrier: Any, out: Any) -> None:
    connections.close_all()  # never share the parent's socket
    results = []
    try:
        for cid, mid in rounds:
            barrier.wait(timeout=30)
            try:
                if role == "accept":
                    cs.milestone_accept(user_id=client_id, contract_id=cid, milestone_id=mid)
                    results.append("won")
                else:
                    results.append(_refund(cid, mid))
            except RuleViolation as exc:
                results.append(f"lost:{exc.code}")
        out.put((role, results))
    except BaseException as exc:  # report, do not hang the parent
        out.put((role, [f"crash:{exc!r}"]))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_accept_and_refund_race():
    if not is_postgres():
        pytest.skip("SQLite serialises whole transactions; the row-lock race needs PostgreSQL")
    pw = "correct horse battery"
    client = user_signup(email="race-client@example.com", password=pw, display_name="発注者")
    worker = user_signup(email="race-worker@example.com", password=pw, display_name="受注者")
    rounds: list[tuple[int, int, str]] = []
    for i in range(ROUNDS):
        policy = ("chukai", "lancers", "crowdworks")[i % 3]
        job = job_post(
            client_id=client.pk, title=f"競合{i}", description="d", budget_jpy=AMOUNT, pricing="fixed", policy=policy
        )
        prop = proposal_submit(worker_id=worker.pk, job_id=job.pk, amount_jpy=AMOUNT, message="m")
        contract = proposal_accept(client_id=client.pk, proposal_id=prop.pk)
        mid = contract.milestones.get().pk
        cs.milestone_fund(user_id=client.pk, contract_id=contract.pk, milestone_id=mid)
        cs.milestone_deliver(user_id=worker.pk, contract_id=contract.pk, milestone_id=mid)
        rounds.append((contract.pk, mid, policy))
    assert_ledger_invariants()

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    pairs = [(c, m) for c, m, _ in rounds]
    procs = [ctx.Process(target=_racer, args=(role, client.pk, pairs, barrier, out)) for role in ("accept", "refund")]
    started = time.monotonic()
    for p in procs:
        p.start()
    results = dict(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    elapsed = time.monotonic() - started

    accepted, refunded = results["accept"], results["refund"]
    assert len(accepted) == len(refunded) == ROUNDS, results
    expected_worker = expected_client = 0
    wins = {"accept": 0, "refund": 0}
    for (cid, mid, _policy), a, r in zip(rounds, accepted, refunded, strict=True):
        assert [a, r].count("won") == 1, (cid, a, r)  # exactly one winner
        m = Milestone.objects.get(pk=mid)
        contract = Contract.objects.get(pk=cid)
        if a == "won":
            wins["accept"] += 1
            assert r == "lost" and m.status == "paid" and contract.status == "completed"
            assert m.worker_paid_jpy + m.worker_fee_jpy == AMOUNT
            expected_worker += m.worker_paid_jpy
        else:
            wins["refund"] += 1
            assert a in ("lost:not_in_progress", "lost:invalid_state"), a
            assert m.status == "refunded" and contract.status == "cancelled"
            assert m.client_refunded_jpy == AMOUNT + m.client_fee_jpy
            expected_client += m.client_refunded_jpy
        assert contract.ledgertransaction_set.filter(kind__in=("release", "refund")).count() == 1
    assert user_balance_jpy(worker.pk) == expected_worker
    assert user_balance_jpy(client.pk) == expected_client
    assert_ledger_invariants()
    print(f"\nrace: {ROUNDS} rounds in {elapsed:.2f}s, wins {wins}")
