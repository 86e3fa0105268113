"""PostgreSQL: two `run_worker` processes over many contracts whose deadlines move money, one of
them killed with SIGKILL at random moments while it holds leases, and restarted, 24 times (issue 12).
The workers are forked from a parent that booted Django once (`kill_probe.forkserver`), so a
restart takes milliseconds and the rounds fit in the time budget.

At the end every deadline fired exactly once (one effect, one ledger posting, attempts 1), the
ledger invariants hold, and on each contract the effects are in due order — a worker's death
never lets a later deadline of a contract overtake an earlier one it held. Leases are 1.5 s here
(`CHUKAI_WORKER_LEASE_SECONDS`), so a dead worker's rows are taken over within the test's time.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from chukai.accounts.services import user_signup
from chukai.contracts import services as contracts
from chukai.contracts.models import Event, Milestone
from chukai.deadlines.models import Deadline
from chukai.deadlines.services import deadline_schedule
from chukai.ledger.models import LedgerTransaction
from chukai.marketplace import services as market
from tests.conftest import is_postgres
from tests.foundation.invariants import assert_ledger_invariants
from tests.foundation.kill_probe import SLOW_PROBE
from tests.foundation.worker_probe import PROBE, REPO, subprocess_env

ROUNDS = int(os.environ.get("CHUKAI_KILL_ROUNDS", "20"))  # the issue asks for at least 20
CONTRACTS = 16
PROBES = 8  # per contract, besides its two auto-acceptances (and their reminders)
SPREAD = 14.0  # seconds of real time over which the deadlines fall due
BUDGET = 180.0  # the whole test, seeding included (a loaded CI machine got 20 kills in 90 s)


def _seed(base: dt.datetime, rng: random.Random) -> tuple[list[int], list[int]]:
    """Contracts with two funded, delivered milestones each (auto-accepted 14 days after delivery,
    so due within SPREAD seconds of `base`) and probe deadlines in between; returns
    (contract ids, milestone ids)."""
    pw = "correct horse battery"
    with time_machine.travel(base - dt.timedelta(days=16), tick=False):
        client = user_signup(email="kill-client@example.com", password=pw, display_name="発注者")
        worker = user_signup(email="kill-worker@example.com", password=pw, display_name="受注者")
    cids, mids = [], []
    for i in range(CONTRACTS):
        with time_machine.travel(base - dt.timedelta(days=16), tick=False):
            job = market.job_post(
                client_id=client.pk,
                title=f"案件{i}",
                description="kill -9",
                budget_jpy=10_000,
                pricing="fixed",
                policy="chukai",
            )
            p = market.proposal_submit(
                worker_id=worker.pk,
                job_id=job.pk,
                amount_jpy=10_000,
                message="m",
                milestones=[{"title": "前半", "amount_jpy": 6_000}, {"title": "後半", "amount_jpy": 4_000}],
            )
            c = market.proposal_accept(client_id=client.pk, proposal_id=p.pk)
            ms = list(c.milestones.order_by("position").values_list("pk", flat=True))
            for mid in ms:
                contracts.milestone_fund(user_id=client.pk, contract_id=c.pk, milestone_id=mid)
        for mid in ms:
            due = base + dt.timedelta(seconds=rng.uniform(0, SPREAD))
            with time_machine.travel(due - dt.timedelta(days=14), tick=False):
                contracts.milestone_deliver(user_id=worker.pk, contract_id=c.pk, milestone_id=mid)
        for j in range(PROBES):
            due = base + dt.timedelta(seconds=rng.uniform(0, SPREAD))
            deadline_schedule(kind=(PROBE, SLOW_PROBE)[j % 2], due_at=due, contract_id=c.pk, visible=False)
        cids.append(c.pk)
        mids += ms
    return cids, mids


class Workers:
    """`run_worker` processes forked from a booted parent (`kill_probe.forkserver`)."""

    ARGS = ("--batch", "10", "--poll", "0.05")

    def __init__(self, env: dict[str, str]) -> None:
        code = "import tests.foundation.kill_probe as k; k.forkserver()"
        self.server = subprocess.Popen(
            [sys.executable, "-c", code], cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def _ask(self, line: str) -> str:
        assert self.server.stdin is not None and self.server.stdout is not None
        self.server.stdin.write(line + "\n")
        self.server.stdin.flush()
        answer = self.server.stdout.readline()
        assert answer, f"the fork server died ({self.server.poll()})"
        return answer.strip()

    def spawn(self) -> int:
        return int(self._ask("spawn " + " ".join(self.ARGS)))

    def kill9(self, pid: int) -> None:
        assert self._ask(f"kill {pid}") == f"killed {pid}"

    def idle(self, seconds: float) -> None:
        """Give the workers `seconds` of real time (waiting on the fork server, which stays up)."""
        try:
            self.server.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            pass
        assert not self._ask("exited"), "a worker exited by itself"

    def stop(self) -> None:
        if self.server.poll() is None:
            try:
                self._ask("stop")
                self.server.wait(timeout=20)
            except Exception:
                self.server.kill()
                self.server.wait()


def _pid_of(leased_by: str) -> int:
    parts = leased_by.split(":")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else -1


@pytest.mark.django_db(transaction=True)
def test_kill_9_loop_keeps_every_deadline_exactly_once_and_in_due_order():
    if not is_postgres():
        pytest.skip("concurrent worker processes need PostgreSQL")
    started = time.monotonic()
    rng = random.Random(9)
    base = timezone.now() + dt.timedelta(seconds=6)  # after the seeding
    cids, mids = _seed(base, rng)
    seeded = time.monotonic() - started
    ours = Deadline.objects.filter(contract_id__in=cids, due_at__lte=base + dt.timedelta(seconds=SPREAD)).exclude(
        status=Deadline.CANCELLED  # a card funding's charge_reconcile row, cancelled once the milestone is funded
    )
    total = ours.count()
    assert total == CONTRACTS * (PROBES + 2 * 3)  # probes, auto-acceptances and 2 reminders each

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = subprocess_env(url)
    env.update(
        CHUKAI_WORKER_LEASE_SECONDS="1.5",
        DJANGO_SECRET_KEY="kill-loop-test-only",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    workers = Workers(env)
    try:
        pids = [workers.spawn(), workers.spawn()]
        kills = 0
        while kills < ROUNDS:
            # Let them work for a random moment, then SIGKILL one that holds leases (mid-work).
            workers.idle(rng.uniform(0.05, 0.5))
            assert time.monotonic() - started < BUDGET, f"only {kills} kills in time"
            holding = {_pid_of(w) for w in ours.filter(status=Deadline.RUNNING).values_list("leased_by", flat=True)}
            busy = [i for i, pid in enumerate(pids) if pid in holding]
            if not busy:
                continue
            victim = rng.choice(busy)
            workers.kill9(pids[victim])
            pids[victim] = workers.spawn()
            kills += 1
        rounds_done = time.monotonic() - started
        # Then let them finish what is left.
        while ours.exclude(status=Deadline.DONE).exists():
            assert time.monotonic() - started < BUDGET, Counter(ours.values_list("status", flat=True))
            workers.idle(0.2)
    finally:
        workers.stop()

    # Exactly once: every deadline done at its first successful attempt, one effect each.
    assert set(ours.values_list("status", "attempts")) == {("done", 1)}
    probes = set(ours.filter(kind__in=(PROBE, SLOW_PROBE)).values_list("pk", flat=True))
    fired = Counter(
        Event.objects.filter(contract_id__in=cids, kind="test_probe_fired").values_list(
            "detail__deadline_id", flat=True
        )
    )
    assert set(fired) == probes and set(fired.values()) == {1}
    accepted = Counter(
        Event.objects.filter(contract_id__in=cids, kind="milestone_auto_accepted").values_list(
            "detail__milestone_id", flat=True
        )
    )
    assert set(accepted) == set(mids) and set(accepted.values()) == {1}
    settled = Counter(
        LedgerTransaction.objects.filter(idempotency_key__in=[f"settle:{m}" for m in mids]).values_list(
            "idempotency_key", flat=True
        )
    )
    assert len(settled) == len(mids) and set(settled.values()) == {1}
    assert set(Milestone.objects.filter(pk__in=mids).values_list("status", flat=True)) == {Milestone.PAID}
    assert_ledger_invariants()

    # Due order per contract: effects were written (event ids) in the due order of the deadlines
    # that made them; each applied as of its due time (or its creation, if created after it).
    rows = {
        pk: (kind, subject, due, max(due, created))
        for pk, kind, subject, due, created in ours.values_list("pk", "kind", "subject_id", "due_at", "created_at")
    }
    accept_due = {subject: due for kind, subject, due, _ in rows.values() if kind == "auto_accept"}
    by_contract: dict[int, list[dt.datetime]] = defaultdict(list)
    for cid, kind, at, detail in (
        Event.objects.filter(contract_id__in=cids, kind__in=("test_probe_fired", "milestone_auto_accepted"))
        .order_by("id")
        .values_list("contract_id", "kind", "at", "detail")
    ):
        if kind == "test_probe_fired":
            _, _, due_at, as_of = rows[detail["deadline_id"]]
        else:
            due_at = as_of = accept_due[detail["milestone_id"]]
        assert at == as_of
        by_contract[cid].append(due_at)
    out_of_order = [cid for cid, dues in by_contract.items() if dues != sorted(dues)]
    assert not out_of_order, f"effects out of due order on contracts {out_of_order}"
    elapsed = time.monotonic() - started
    print(
        f"\nkill -9 loop: {kills} kills of a worker holding leases, "
        f"{total} deadlines on {CONTRACTS} contracts, all exactly once and in due order, "
        f"in {elapsed:.1f}s ({seeded:.1f}s seeding, kills until {rounds_done:.1f}s)"
    )
