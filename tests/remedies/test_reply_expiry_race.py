"""A reply and the contact reminder's expiry at the same instant.

The rule (DOMAIN §5.1): a message or action by the respondent stamped before
`respond_by` answers the reminder, whatever the clock says a moment later.

- With a tick injected between the stamp and the check (any database): the
  old code stamped the message with one `clock.now()` and asked "answered in
  time?" with another, so a reply stamped one second early could still let
  the reminder expire and cost its sender a penalty mark.
- PostgreSQL: two threads, two connections, a clock that keeps running across
  `respond_by` (time-machine ticking), the worker polling as it does in
  production, many rounds. A reply stamped before the deadline is answered
  and unpenalized; one stamped at or after it loses to the expiry.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import threading
from collections import Counter
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
import time_machine
from django.db import connection

from chukai import clock
from chukai.accounts.services import user_signup
from chukai.contracts import hooks
from chukai.contracts import services as contracts
from chukai.deadlines.models import Deadline
from chukai.deadlines.services import deadline_run, deadlines_claim, deadlines_run_due
from chukai.errors import ChukaiError
from chukai.marketplace import services as market
from chukai.messaging.models import Message
from chukai.messaging.services import message_post
from chukai.remedies.models import ContactReminder
from chukai.remedies.services import reminder_file
from chukai.reputation.models import PenaltyMark
from tests.conftest import is_postgres
from tests.stories.helpers import check_invariants

ROUNDS = int(os.environ.get("CHUKAI_RACE_ROUNDS", "200"))
T0 = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
PW = "correct horse battery"


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


def _reminder(client_id: int, worker_id: int, start: dt.datetime) -> tuple[int, int, ContactReminder]:
    """The worker delivered, wrote, heard nothing for 7 days and filed against the client."""
    with time_machine.travel(start, tick=False):
        cid, mid = _contract(client_id, worker_id)
        message_post(user_id=worker_id, contract_id=cid, body="ご確認ください")
    with time_machine.travel(start + dt.timedelta(days=7), tick=False):
        reminder = reminder_file(user_id=worker_id, contract_id=cid)
    with time_machine.travel(reminder.respond_by - dt.timedelta(seconds=1), tick=False):
        deadlines_run_due()  # the nudges before the deadline, and anything else already due
    return cid, mid, reminder


@pytest.fixture
def tick_after_stamp() -> Iterator[list[time_machine.Coordinates]]:
    """A listener that runs first when a party acts (after the action is stamped) and moves the
    clock two seconds on: the slow moment between the stamp and the "answered in time?" check."""
    travellers: list[time_machine.Coordinates] = []

    def tick(contract: Any, user_id: int) -> None:
        for t in travellers:
            t.shift(dt.timedelta(seconds=2))

    hooks._acted.insert(0, tick)
    try:
        yield travellers
    finally:
        hooks._acted.remove(tick)


def _outcome(cid: int, reminder: ContactReminder) -> tuple[str, int]:
    reminder.refresh_from_db()
    return reminder.status, PenaltyMark.objects.filter(contract_id=cid).count()


@pytest.mark.django_db(transaction=True)
def test_a_reply_stamped_before_the_deadline_answers_even_if_checked_after(tick_after_stamp):
    with time_machine.travel(T0, tick=False):
        client = user_signup(email="tick-client@example.com", password=PW, display_name="c")
        worker = user_signup(email="tick-worker@example.com", password=PW, display_name="w")
    cid, _, reminder = _reminder(client.pk, worker.pk, T0)
    with time_machine.travel(reminder.respond_by - dt.timedelta(seconds=1), tick=False) as t:
        tick_after_stamp.append(t)
        reply = message_post(user_id=client.pk, contract_id=cid, body="失礼しました")
        assert clock.now() == reminder.respond_by + dt.timedelta(seconds=1)  # the tick happened
        deadlines_run_due()  # the expiry is due now
    assert reply.created_at == reminder.respond_by - dt.timedelta(seconds=1)
    assert _outcome(cid, reminder) == (ContactReminder.ANSWERED, 0)
    assert reminder.answered_at == reply.created_at
    check_invariants()


@pytest.mark.django_db(transaction=True)
def test_an_action_recorded_before_the_deadline_answers_even_if_checked_after(tick_after_stamp):
    """An action (a revision request here) whose event is stamped before `respond_by`: the expiry
    decides on that recorded time, not on when the answer check happened to read the clock."""
    with time_machine.travel(T0, tick=False):
        client = user_signup(email="tick2-client@example.com", password=PW, display_name="c")
        worker = user_signup(email="tick2-worker@example.com", password=PW, display_name="w")
    cid, mid, reminder = _reminder(client.pk, worker.pk, T0)
    with time_machine.travel(reminder.respond_by - dt.timedelta(seconds=1), tick=False) as t:
        tick_after_stamp.append(t)
        contracts.milestone_request_revision(user_id=client.pk, contract_id=cid, milestone_id=mid, reason="直して")
        deadlines_run_due()
    status, marks = _outcome(cid, reminder)
    assert (status, marks) == (ContactReminder.ANSWERED, 0)
    assert reminder.answered_at == reminder.respond_by - dt.timedelta(seconds=1)
    check_invariants()


# --- PostgreSQL: the real race ------------------------------------------------------


def _in_thread(barrier: threading.Barrier, fn: Any, out: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            barrier.wait()
            out.append(fn())
        except ChukaiError as exc:
            out.append(exc.code)
        finally:
            connection.close()

    return threading.Thread(target=run)


def _worker_polls(deadline_id: int, respond_by: dt.datetime) -> bool:
    """The worker as in production: it claims a row only once the clock says it is due."""
    while True:
        ids = deadlines_claim(worker="race", now=clock.now(), limit=5)
        if ids:
            assert clock.now() >= respond_by and deadline_id in ids, ids
            return all(deadline_run(deadline_id=i, worker="race") for i in ids)
        if Deadline.objects.filter(pk=deadline_id, status=Deadline.CANCELLED).exists():
            return False  # the reply came first and cancelled it


@pytest.mark.django_db(transaction=True)
def test_reply_and_expiry_race_across_the_deadline():
    if not is_postgres():
        pytest.skip("row locks across connections need PostgreSQL")
    with time_machine.travel(T0, tick=False):
        client = user_signup(email="race-client@example.com", password=PW, display_name="c")
        worker = user_signup(email="race-worker@example.com", password=PW, display_name="w")
    rng = random.Random(12)
    outcomes: Counter[str] = Counter()
    lags: list[float] = []  # seconds from the round's start to the reply's stamp
    close = 0  # replies stamped in the last 3 ms before the deadline
    for i in range(ROUNDS):
        cid, _, reminder = _reminder(client.pk, worker.pk, T0 + dt.timedelta(days=30 * i))
        expire = Deadline.objects.get(kind="contact_reminder_expire", subject_id=reminder.pk)
        # Start the running clock so that the deadline falls, more often than not, inside the
        # reply's transaction: between its stamp and everything it does after the stamp.
        lag = statistics.median(lags) if lags else 0.004
        offset = dt.timedelta(seconds=max(0.0, lag + rng.uniform(-0.5, 2.5) * 0.001))
        with time_machine.travel(reminder.respond_by - offset, tick=True):
            barrier = threading.Barrier(2)
            results: list[Any] = []
            threads = [
                _in_thread(
                    barrier, partial(message_post, user_id=client.pk, contract_id=cid, body="失礼しました"), results
                ),
                _in_thread(barrier, partial(_worker_polls, expire.pk, reminder.respond_by), results),
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
        reply = Message.objects.filter(contract_id=cid, sender_id=client.pk).order_by("-id").first()
        assert reply is not None, results
        lags.append((reply.created_at - (reminder.respond_by - offset)).total_seconds())
        status, marks = _outcome(cid, reminder)
        outcomes[status] += 1
        in_time = reply.created_at < reminder.respond_by
        close += in_time and reply.created_at >= reminder.respond_by - dt.timedelta(milliseconds=3)
        assert (status, marks) == ((ContactReminder.ANSWERED, 0) if in_time else (ContactReminder.EXPIRED, 1)), (
            f"round {i}: reply stamped {reply.created_at.isoformat()}, deadline {reminder.respond_by.isoformat()}, "
            f"reminder {status}, {marks} penalty mark(s)"
        )
        if in_time:
            assert reminder.answered_at == reply.created_at
        assert Deadline.objects.get(pk=expire.pk).status in (Deadline.DONE, Deadline.CANCELLED)
        check_invariants()
    assert sum(outcomes.values()) == ROUNDS
    print(
        f"race outcomes over {ROUNDS} rounds: {dict(outcomes)}; {close} replies in the last 3 ms; "
        f"median stamp lag {statistics.median(lags) * 1000:.1f} ms"
    )
