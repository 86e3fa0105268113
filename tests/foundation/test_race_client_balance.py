"""PostgreSQL: one client's balance funds two contracts at the same instant.

The balance is shared by the client's contracts, so each funding locks it: the
yen are spent once and the card pays the rest; no balance goes below zero.
"""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connections, transaction

from chukai.accounts.services import user_signup
from chukai.contracts import services as contracts
from chukai.contracts.models import Contract
from chukai.ledger.selectors import user_balance_jpy
from chukai.marketplace.services import job_post, proposal_accept, proposal_submit
from tests.conftest import is_postgres
from tests.foundation.invariants import ledger_problems

ROUNDS = 20
AMOUNT = 10_000


def _contract(client_id: int, worker_id: int, title: str) -> tuple[int, int]:
    job = job_post(client_id=client_id, title=title, description="d", budget_jpy=AMOUNT, pricing="fixed")
    prop = proposal_submit(worker_id=worker_id, job_id=job.pk, amount_jpy=AMOUNT, message="m")
    c = proposal_accept(client_id=client_id, proposal_id=prop.pk)
    return c.pk, c.milestones.get().pk


def _racer(jobs: list[tuple[int, int, int]], barrier, out) -> None:
    connections.close_all()
    try:
        for uid, cid, mid in jobs:
            barrier.wait(timeout=60)
            contracts.milestone_fund(user_id=uid, contract_id=cid, milestone_id=mid)
        out.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test
        out.put(repr(exc))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_balance_is_spent_once_when_two_contracts_are_funded_at_once():
    if not is_postgres():
        pytest.skip("row locks across processes need PostgreSQL")
    worker = user_signup(email="bal-w@example.com", password="correct horse battery", display_name="w")
    left, right, clients = [], [], []
    for i in range(ROUNDS):
        client = user_signup(email=f"bal-c{i}@example.com", password="correct horse battery", display_name="c")
        clients.append(client.pk)
        cid, mid = _contract(client.pk, worker.pk, f"refund {i}")
        contracts.milestone_fund(user_id=client.pk, contract_id=cid, milestone_id=mid)
        with transaction.atomic():  # a refund puts ¥10,000 on the client's balance
            c = contracts.contract_lock(cid)
            contracts.contract_end(
                contract=c,
                milestones=contracts.milestones_lock(c),
                pay={},
                cause=Contract.END_STAFF,
                caused_by_id=None,
                actor_id=None,
                reason="seed",
            )
        left.append((client.pk, *_contract(client.pk, worker.pk, f"a {i}")))
        right.append((client.pk, *_contract(client.pk, worker.pk, f"b {i}")))
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(jobs, barrier, out)) for jobs in (left, right)]
    for p in procs:
        p.start()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert results == ["ok", "ok"], results
    assert [user_balance_jpy(uid) for uid in clients] == [0] * ROUNDS  # spent once, never below zero
    assert ledger_problems() == []
