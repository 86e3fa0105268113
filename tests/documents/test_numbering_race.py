"""PostgreSQL: papers issued by concurrent fundings and releases (and some rolled back) are numbered
per issuer and year without a gap and without a duplicate."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
from django.db import connections, transaction

from chukai.accounts.services import user_signup
from chukai.contracts import services as contracts
from chukai.documents.models import Document, DocumentCounter
from chukai.marketplace.services import job_post, proposal_accept, proposal_submit
from tests.conftest import is_postgres
from tests.foundation.invariants import ledger_problems

CONTRACTS = 12
PROCS = 3


class _Undo(Exception):
    pass


def _contract(client_id: int, worker_id: int, i: int) -> tuple[int, int]:
    job = job_post(
        client_id=client_id, title=f"t{i}", description="d", budget_jpy=11_000, pricing="fixed", policy="lancers"
    )
    prop = proposal_submit(worker_id=worker_id, job_id=job.pk, amount_jpy=11_000 + i, message="m")
    c = proposal_accept(client_id=client_id, proposal_id=prop.pk)
    return c.pk, c.milestones.get().pk


def _racer(jobs: list[tuple[int, int]], client_id: int, worker_id: int, barrier: Any, out: Any) -> None:
    connections.close_all()
    try:
        barrier.wait(timeout=60)
        for n, (cid, mid) in enumerate(jobs):
            if n % 2 == 0:  # a funding that rolls back after its papers took numbers
                try:
                    with transaction.atomic():
                        contracts.milestone_fund(user_id=client_id, contract_id=cid, milestone_id=mid)
                        raise _Undo
                except _Undo:
                    pass
            contracts.milestone_fund(user_id=client_id, contract_id=cid, milestone_id=mid)
        barrier.wait(timeout=60)
        for cid, mid in jobs:
            contracts.milestone_deliver(user_id=worker_id, contract_id=cid, milestone_id=mid)
            contracts.milestone_accept(user_id=client_id, contract_id=cid, milestone_id=mid)
        out.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test
        out.put(repr(exc))
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_numbers_gapless_under_concurrent_fundings_and_releases() -> None:
    if not is_postgres():
        pytest.skip("row locks across processes need PostgreSQL")
    client = user_signup(email="papers-c@example.com", password="correct horse battery", display_name="c")
    worker = user_signup(email="papers-w@example.com", password="correct horse battery", display_name="w")
    jobs = [_contract(client.pk, worker.pk, i) for i in range(CONTRACTS)]
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(PROCS), ctx.Queue()
    procs = [
        ctx.Process(target=_racer, args=(jobs[k::PROCS], client.pk, worker.pk, barrier, out)) for k in range(PROCS)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert results == ["ok"] * PROCS, results
    # worker: an invoice per contract; client: a payment notice per contract; platform: a receipt and two
    # fee invoices (worker fee, client fee) per contract.
    expected = {f"user:{worker.pk}": CONTRACTS, f"user:{client.pk}": CONTRACTS, "platform": 3 * CONTRACTS}
    for issuer, count in expected.items():
        seqs = sorted(Document.objects.filter(issuer_key=issuer).values_list("seq", flat=True))
        assert seqs == list(range(1, count + 1)), (issuer, seqs)
        assert DocumentCounter.objects.get(issuer_key=issuer).last == count
    assert Document.objects.values("number").distinct().count() == Document.objects.count()
    assert ledger_problems() == []
