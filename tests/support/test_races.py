"""PostgreSQL: two writers at the same instant, many times, each on its own connection.

1. The addressee's reply and the notice's lapse: exactly one of answered/lapsed.
2. A staff decision and the client's own acceptance: the work is paid exactly once.
Money is conserved after every round.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
import time_machine
from django.db import connection

from chukai.accounts.models import User
from chukai.accounts.services import user_signup
from chukai.contracts import services as contracts
from chukai.contracts.models import Contract, Milestone
from chukai.deadlines.models import Deadline
from chukai.deadlines.services import deadline_run, deadlines_claim
from chukai.errors import ChukaiError
from chukai.marketplace import services as market
from chukai.messaging.services import message_post
from chukai.support import services as support
from chukai.support.models import OfficialNotice, SupportCase
from tests.conftest import is_postgres
from tests.foundation.invariants import assert_ledger_invariants

ROUNDS = 100
T0 = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)


def _people() -> tuple[int, int, int]:
    client = user_signup(email="race-c@example.com", password="correct horse battery", display_name="c")
    worker = user_signup(email="race-w@example.com", password="correct horse battery", display_name="w")
    staff = User.objects.create_user("race-s@example.com", "correct horse battery", is_staff=True)
    return client.pk, worker.pk, staff.pk


def _delivered(client_id: int, worker_id: int) -> tuple[int, int]:
    job = market.job_post(
        client_id=client_id, title="LP", description="d", budget_jpy=50_000, pricing="fixed", policy="crowdworks"
    )
    p = market.proposal_submit(worker_id=worker_id, job_id=job.pk, amount_jpy=50_000, message="m")
    c = market.proposal_accept(client_id=client_id, proposal_id=p.pk)
    mid = c.milestones.get().pk
    contracts.milestone_fund(user_id=client_id, contract_id=c.pk, milestone_id=mid)
    contracts.milestone_deliver(user_id=worker_id, contract_id=c.pk, milestone_id=mid)
    return c.pk, mid


def _race(*fns: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(fns))
    results: list[Any] = [None] * len(fns)
    done: list[int] = []

    def run(i: int, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = fn()
        except ChukaiError as exc:
            results[i] = exc.code
        finally:
            done.append(i)
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(done) == len(fns), "a thread hung"
    return results


@pytest.mark.django_db(transaction=True)
def test_reply_and_lapse_at_the_same_instant() -> None:
    if not is_postgres():
        pytest.skip("row locks across connections need PostgreSQL")
    with time_machine.travel(T0, tick=False):
        client_id, worker_id, staff_id = _people()
    outcomes: Counter[str] = Counter()
    for i in range(ROUNDS):
        start = T0 + dt.timedelta(days=30 * i)
        with time_machine.travel(start, tick=False):
            cid, _ = _delivered(client_id, worker_id)
            case = support.case_open(user_id=worker_id, contract_id=cid, kind="unresponsive", body="返信なし")
            notice = support.notice_send(staff_id=staff_id, case_id=case.pk, to="client", body="ご対応ください")
        with time_machine.travel(notice.respond_by - dt.timedelta(seconds=1), tick=False):
            ids = deadlines_claim(worker="race", now=notice.respond_by, limit=20)
            lapse = Deadline.objects.get(kind="support_notice_lapse", subject_id=notice.pk)
            assert lapse.pk in ids
            _race(
                partial(message_post, user_id=client_id, contract_id=cid, body="失礼しました"),
                partial(deadline_run, deadline_id=lapse.pk, worker="race"),
            )
            for other in set(ids) - {lapse.pk}:
                deadline_run(deadline_id=other, worker="race")
        notice.refresh_from_db()
        case.refresh_from_db()
        outcomes[notice.status] += 1
        if notice.status == OfficialNotice.ANSWERED:
            assert notice.answered_at is not None and notice.answered_at < notice.respond_by
            assert case.status == SupportCase.OPEN
        else:
            assert notice.status == OfficialNotice.LAPSED, notice.status
            assert case.status == SupportCase.READY_FOR_DECISION
        assert (
            Contract.objects.get(pk=cid)
            .events.filter(kind__startswith="official_notice_")
            .exclude(kind="official_notice_sent")
            .count()
            == 1
        )
    assert sum(outcomes.values()) == ROUNDS
    assert_ledger_invariants()
    print(f"reply/lapse outcomes over {ROUNDS} rounds: {dict(outcomes)}")


@pytest.mark.django_db(transaction=True)
def test_decision_and_acceptance_at_the_same_instant() -> None:
    if not is_postgres():
        pytest.skip("row locks across connections need PostgreSQL")
    with time_machine.travel(T0, tick=False):
        client_id, worker_id, staff_id = _people()
    winners: Counter[str] = Counter()
    for i in range(ROUNDS):
        with time_machine.travel(T0 + dt.timedelta(days=30 * i), tick=False):
            cid, mid = _delivered(client_id, worker_id)
            case = support.case_open(user_id=worker_id, contract_id=cid, kind="dispute", body="検収してほしい")
            decided, accepted = _race(
                partial(support.case_decide, staff_id=staff_id, case_id=case.pk, decision="release_delivered"),
                partial(contracts.milestone_accept, user_id=client_id, contract_id=cid, milestone_id=mid),
            )
        m = Milestone.objects.get(pk=mid)
        assert m.status == Milestone.PAID and m.worker_paid_jpy == 40_000
        # Exactly one of them paid; the other was refused by a rule (nothing half-done).
        refused = [r for r in (decided, accepted) if isinstance(r, str)]
        assert len(refused) == 1 and refused[0] in ("not_in_progress", "invalid_state"), (decided, accepted)
        winners["staff" if not isinstance(decided, str) else "client"] += 1
        assert_ledger_invariants(contract_ids=[cid])
    assert sum(winners.values()) == ROUNDS
    print(f"decision/acceptance winners over {ROUNDS} rounds: {dict(winners)}")
