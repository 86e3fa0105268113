"""PostgreSQL: two deliveries of the same webhook event race, 200 rounds; each event has one effect."""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

import pytest
from django.db import connections

from chukai.accounts.services import user_signup
from chukai.contracts import services as cs
from chukai.contracts.models import Event, Milestone
from chukai.ledger.models import LedgerTransaction
from chukai.ledger.selectors import user_balance_jpy
from chukai.marketplace.services import job_post, proposal_accept, proposal_submit
from chukai.payments.gateway import sign
from chukai.payments.models import Payment, PaymentEvent
from chukai.payments.services import webhook_receive
from tests.conftest import is_postgres
from tests.foundation.invariants import assert_ledger_invariants
from tests.payments.conftest import SECRET
from tests.payments.helpers import event_body

ROUNDS = 200
AMOUNT = 30_000


def _racer(name: str, deliveries: list[tuple[bytes, str]], barrier: Any, out: Any) -> None:
    connections.close_all()  # never share the parent's socket
    results = []
    try:
        for body, signature in deliveries:
            barrier.wait(timeout=30)
            status, answer = webhook_receive(headers={"Chukai-Signature": signature}, body=body)
            results.append("dup" if answer.get("duplicate") else f"{status}")
        out.put((name, results))
    except BaseException as exc:  # report, do not hang the parent
        out.put((name, [f"crash:{exc!r}"]))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_identical_webhooks_race(settings):
    if not is_postgres():
        pytest.skip("SQLite serialises whole transactions; the row-lock race needs PostgreSQL")
    pw = "correct horse battery"
    client = user_signup(email="wh-client@example.com", password=pw, display_name="発注者")
    worker = user_signup(email="wh-worker@example.com", password=pw, display_name="受注者")
    deliveries: list[tuple[bytes, str]] = []
    payments: list[int] = []
    for i in range(ROUNDS):
        job = job_post(
            client_id=client.pk, title=f"振込{i}", description="d", budget_jpy=AMOUNT, pricing="fixed", policy="chukai"
        )
        prop = proposal_submit(worker_id=worker.pk, job_id=job.pk, amount_jpy=AMOUNT, message="m")
        contract = proposal_accept(client_id=client.pk, proposal_id=prop.pk)
        mid = contract.milestones.get().pk
        cs.milestone_fund(user_id=client.pk, contract_id=contract.pk, milestone_id=mid, method="bank_transfer")
        pid = Payment.objects.get(milestone_id=mid).pk
        payments.append(pid)
        # even rounds complete the payment, odd rounds are short: one effect either way
        body = event_body(pid, AMOUNT if i % 2 == 0 else AMOUNT // 3, f"evt_race_{i}")
        deliveries.append((body, ""))
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    # signed just before the race so the 300-second tolerance holds however slow the set-up was
    deliveries = [(body, sign(body, secret=SECRET)) for body, _ in deliveries]
    procs = [ctx.Process(target=_racer, args=(name, deliveries, barrier, out)) for name in ("a", "b")]
    started = time.monotonic()
    for p in procs:
        p.start()
    results = dict(out.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    elapsed = time.monotonic() - started
    for i, (a, b) in enumerate(zip(results["a"], results["b"], strict=True)):
        assert sorted([a, b]) == ["200", "dup"], (i, a, b)
    assert PaymentEvent.objects.count() == ROUNDS
    assert LedgerTransaction.objects.filter(kind="transfer_in").count() == ROUNDS
    for i, pid in enumerate(payments):
        p = Payment.objects.get(pk=pid)
        m = Milestone.objects.get(pk=p.milestone_id)
        if i % 2 == 0:
            assert (p.status, p.paid_jpy, m.status) == ("succeeded", AMOUNT, "escrowed")
            assert Event.objects.filter(contract_id=p.contract_id, kind="milestone_funded").count() == 1
        else:
            assert (p.status, p.paid_jpy, m.status) == ("pending", AMOUNT // 3, "awaiting_payment")
    assert user_balance_jpy(client.pk) == 0
    assert_ledger_invariants()
    print(f"\nwebhook race: {ROUNDS} rounds in {elapsed:.2f}s")
