"""PostgreSQL: the respondent's reply and the deadline worker at the same instant, many times.

Exactly one of answered/expired each time, money conserved, and no penalty
for an answered reminder. Two threads, two database connections, one barrier.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from functools import partial

import pytest
import time_machine
from django.db import connection

from chukai.accounts.services import user_signup
from chukai.contracts import services as contracts
from chukai.deadlines.models import Deadline
from chukai.deadlines.services import deadline_run, deadlines_claim
from chukai.errors import ChukaiError
from chukai.marketplace import services as market
from chukai.messaging.services import message_post
from chukai.remedies.models import ContactReminder
from chukai.remedies.services import reminder_file
from chukai.reputation.models import PenaltyMark
from tests.conftest import is_postgres
from tests.stories.helpers import check_invariants

ROUNDS = int(__import__("os").environ.get("CHUKAI_RACE_ROUNDS", "200"))
T0 = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)


def _contract(client_id: int, worker_id: int) -> tuple[int, int]:
    job = market.job_post(
        client_id=client_id, title="記事", description="d", budget_jpy=20_000, pricing="fixed", policy="lancers"
    )
    p = market.proposal_submit(worker_id=worker_id, job_id=job.pk, amount_jpy=20_000, message="m")
    c = market.proposal_accept(client_id=client_id, proposal_id=p.pk)
    mid = c.milestones.get().pk
    contracts.milestone_fund(user_id=client_id, contract_id=c.pk, milestone_id=mid)
    contracts.milestone_deliver(user_id=worker_id, contract_id=c.pk, milestone_id=mid)
    return c.pk, mid


def _in_thread(barrier: threading.Barrier, fn, out: list) -> threading.Thread:
    def run() -> None:
        try:
            barrier.wait()
            out.append(fn())
        except ChukaiError as exc:
            out.append(exc.code)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_reply_and_expiry_at_the_same_instant():
    if not is_postgres():
        pytest.skip("row locks across connections need PostgreSQL")
    with time_machine.travel(T0, tick=False):
        client = user_signup(email="race-client@example.com", password="correct horse battery", display_name="c")
        worker = user_signup(email="race-worker@example.com", password="correct horse battery", display_name="w")
    outcomes: Counter[str] = Counter()
    for i in range(ROUNDS):
        start = T0 + dt.timedelta(days=30 * i)
        with time_machine.travel(start, tick=False):
            cid, _ = _contract(client.pk, worker.pk)
            message_post(user_id=worker.pk, contract_id=cid, body="ご確認ください")
        with time_machine.travel(start + dt.timedelta(days=7), tick=False):
            reminder = reminder_file(user_id=worker.pk, contract_id=cid)
        with time_machine.travel(reminder.respond_by - dt.timedelta(seconds=1), tick=False):
            # The worker has already claimed the due row; the reply arrives one second before the deadline.
            ids = deadlines_claim(worker="race", now=reminder.respond_by, limit=10)
            expire = Deadline.objects.get(kind="contact_reminder_expire", subject_id=reminder.pk)
            assert expire.pk in ids
            barrier = threading.Barrier(2)
            results: list = []
            threads = [
                _in_thread(
                    barrier, partial(message_post, user_id=client.pk, contract_id=cid, body="失礼しました"), results
                ),
                _in_thread(barrier, partial(deadline_run, deadline_id=expire.pk, worker="race"), results),
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
            for other in set(ids) - {expire.pk}:
                deadline_run(deadline_id=other, worker="race")
        reminder.refresh_from_db()
        outcomes[reminder.status] += 1
        marks = PenaltyMark.objects.filter(contract_id=cid).count()
        if reminder.status == ContactReminder.ANSWERED:
            assert marks == 0
            assert reminder.answered_at < reminder.respond_by
        else:
            assert reminder.status == ContactReminder.EXPIRED, reminder.status
            assert marks == 1
        check_invariants()
    assert sum(outcomes.values()) == ROUNDS
    print(f"race outcomes over {ROUNDS} rounds: {dict(outcomes)}")
