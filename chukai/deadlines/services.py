from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import traceback
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from chukai import clock
from chukai.deadlines.models import Deadline
from chukai.deadlines.registry import HANDLERS
from chukai.errors import Invalid, RuleViolation

log = logging.getLogger("chukai.worker")

# A worker extends its leases while it works (`deadlines_heartbeat`: before each row, and every
# third of a lease from `run_worker`'s heartbeat thread), so a short lease only runs out when its
# worker died. CHUKAI_WORKER_LEASE_SECONDS changes it (the kill -9 test uses 2 s).
LEASE = dt.timedelta(seconds=30)
MAX_ATTEMPTS = 8
CLOCK_HORIZON = dt.datetime(2100, 12, 31, 23, 59, 59, tzinfo=dt.UTC)  # the manual clock goes no further
CLOCK_WAIT = dt.timedelta(seconds=45)  # > one lease (a dead holder is taken over), < gunicorn's 60 s timeout


def deadline_schedule(
    *,
    kind: str,
    due_at: dt.datetime,
    contract_id: int | None = None,
    subject_id: int | None = None,
    visible: bool = True,
) -> Deadline:
    return Deadline.objects.create(
        kind=kind,
        contract_id=contract_id,
        subject_id=subject_id,
        due_at=due_at,
        created_at=clock.now(),
        visible=visible,
    )


def deadline_cancel(*, contract_id: int, kinds: tuple[str, ...] | None = None, subject_id: int | None = None) -> int:
    """Cancel pending deadlines; a running one re-checks its condition and does nothing."""
    qs = Deadline.objects.filter(contract_id=contract_id, status=Deadline.PENDING)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    if subject_id is not None:
        qs = qs.filter(subject_id=subject_id)
    return qs.update(status=Deadline.CANCELLED, done_at=clock.now())


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def lease() -> dt.timedelta:
    seconds = getattr(settings, "CHUKAI_WORKER_LEASE_SECONDS", None)
    return dt.timedelta(seconds=float(seconds)) if seconds else LEASE


def heartbeat_interval() -> dt.timedelta:
    return lease() / 3


def _earlier_unfinished() -> Exists:
    """An earlier deadline (by due time, then id) of the same contract that has not finished:
    pending (waiting, or backing off after an error) or running (leased, maybe by a dead worker)."""
    return Exists(
        Deadline.objects.filter(contract_id=OuterRef("contract_id"), status__in=(Deadline.PENDING, Deadline.RUNNING))
        .filter(Q(due_at__lt=OuterRef("due_at")) | Q(due_at=OuterRef("due_at"), id__lt=OuterRef("id")))
        .exclude(pk=OuterRef("pk"))
    )


def _claimable(qs: QuerySet[Deadline]) -> QuerySet[Deadline]:
    # Per contract, deadlines run in due order: a row waits while an earlier one is unfinished.
    return qs.exclude(Q(contract__isnull=False) & _earlier_unfinished())


def deadlines_claim(*, worker: str, now: dt.datetime, limit: int = 50) -> list[int]:
    """Lease up to `limit` due rows to this worker, skipping rows another worker holds and rows
    that must wait for an earlier deadline of their contract (so at most the head of each
    contract's due rows is claimed at a time; `deadlines_run_due` claims again as heads finish)."""
    wall = clock.real_now()
    with transaction.atomic():
        due = (
            _claimable(Deadline.objects.filter(status=Deadline.PENDING, due_at__lte=now))
            .select_for_update(skip_locked=True)
            .exclude(not_before__gt=wall)
            .order_by("due_at")  # the partial index's order: the scan stops at `limit` heads
            .values_list("id", flat=True)[:limit]
        )
        ids = list(due)
        if len(ids) < limit:
            stale = (
                Deadline.objects.select_for_update(skip_locked=True)
                .filter(status=Deadline.RUNNING, lease_until__lt=wall)
                .order_by("due_at", "id")
                .values_list("id", flat=True)[: limit - len(ids)]
            )
            ids += list(stale)
        if ids:
            Deadline.objects.filter(id__in=ids).update(
                status=Deadline.RUNNING, leased_by=worker, lease_until=wall + lease()
            )
    return ids


def deadlines_heartbeat(*, worker: str) -> int:
    """Extend this worker's leases: it is alive and still working on them."""
    return Deadline.objects.filter(status=Deadline.RUNNING, leased_by=worker).update(
        lease_until=clock.real_now() + lease()
    )


def deadline_run(*, deadline_id: int, worker: str) -> bool:
    """Apply one leased deadline; True if its handler ran to the end."""
    from chukai.contracts.models import Contract

    try:
        with transaction.atomic():
            head = Deadline.objects.filter(pk=deadline_id).values("contract_id").first()
            if head is None:
                return False
            if head["contract_id"] is not None:
                # Same order as every service: the contract first, then what hangs off it.
                Contract.objects.select_for_update().filter(pk=head["contract_id"]).first()
            deadline = Deadline.objects.select_for_update().get(pk=deadline_id)
            if deadline.status != Deadline.RUNNING or deadline.leased_by != worker:
                return False  # another worker took it over, or a service cancelled it
            if deadline.contract_id is not None and _earlier_unfinished_of(deadline):
                # An earlier deadline of this contract is not done (its worker died, or it is
                # backing off): give the lease back, this one runs after it. Decided under the
                # contract lock, so no two workers can both think they are next.
                deadline.status = Deadline.PENDING
                deadline.leased_by = ""
                deadline.lease_until = None
                deadline.save(update_fields=["status", "leased_by", "lease_until"])
                return False
            fn = HANDLERS.get(deadline.kind)
            if fn is None:
                raise LookupError(f"no handler for deadline kind {deadline.kind!r}")
            with clock.as_of(max(deadline.due_at, deadline.created_at)):
                fn(deadline)
            deadline.status = Deadline.DONE
            deadline.done_at = clock.now()
            deadline.attempts += 1
            deadline.save(update_fields=["status", "done_at", "attempts"])
        return True
    except Exception as exc:  # recorded on the row; the row is never lost
        log.exception("deadline %s failed", deadline_id)
        with transaction.atomic():
            row = Deadline.objects.select_for_update().filter(pk=deadline_id).first()
            if row is not None and row.status == Deadline.RUNNING:
                row.attempts += 1
                row.last_error = "".join(traceback.format_exception_only(type(exc), exc))[-2000:]
                row.leased_by = ""
                row.lease_until = None
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = Deadline.FAILED
                else:
                    row.status = Deadline.PENDING
                    row.not_before = clock.real_now() + dt.timedelta(seconds=min(3600, 5 * 2**row.attempts))
                row.save()
        return False


def _earlier_unfinished_of(deadline: Deadline) -> bool:
    if deadline.contract_id is None:
        return False
    return (
        Deadline.objects.filter(contract_id=deadline.contract_id, status__in=(Deadline.PENDING, Deadline.RUNNING))
        .filter(Q(due_at__lt=deadline.due_at) | Q(due_at=deadline.due_at, id__lt=deadline.pk))
        .exists()
    )


def deadlines_due_unfinished(*, now: dt.datetime) -> bool:
    """Whether due rows remain that are not finished (pending, or held by a live worker): a
    draining worker (`run_worker --once`) waits for them instead of leaving while another worker
    holds the heads of every contract (the rows behind those heads are claimable soon)."""
    wall = clock.real_now()
    pending = _claimable(Deadline.objects.filter(status=Deadline.PENDING, due_at__lte=now)).exclude(not_before__gt=wall)
    held = Deadline.objects.filter(status=Deadline.RUNNING, due_at__lte=now, lease_until__gte=wall)
    return pending.exists() or held.exists()


def deadlines_run_due(*, worker: str | None = None, limit: int = 50) -> int:
    """Claim and apply what is due now, in due order per contract; returns how many handlers ran.

    A claim takes the head of each contract's due rows; as they finish the next ones become
    claimable, so this claims again until nothing is left or `limit` handlers ran."""
    me = worker or worker_id()
    ran = 0
    while ran < limit:
        ids = deadlines_claim(worker=me, now=clock.now(), limit=limit - ran)
        if not ids:
            break
        progress = 0
        beat = clock.real_now()
        for i in ids:
            if clock.real_now() - beat >= heartbeat_interval():
                beat = clock.real_now()
                deadlines_heartbeat(worker=me)  # the rows still waiting in this batch stay ours
            progress += deadline_run(deadline_id=i, worker=me)
        ran += progress
        if progress == 0:
            break  # everything claimed failed or had to wait: try again on the next pass
    return ran


def clock_advance(*, to: dt.datetime) -> int:
    """Move the manual clock to `to`, applying every deadline due on the way in due order.

    It answers only once every deadline due by `to` is applied, whoever applies it: a row that
    a running worker has claimed is waited for (polling the database, at most CLOCK_WAIT of real
    time, then 409 `clock_busy`), and a row whose worker died is taken over when its lease runs
    out. Rows backing off after an error are left to their retry (they stay on the contract as
    pending). The clock never moves backwards nor past CLOCK_HORIZON (422); its first setting
    (before anything read it) chooses where it starts."""
    from chukai.common.models import ManualClock

    if to > CLOCK_HORIZON:
        raise Invalid({"now": f"The clock goes no further than {CLOCK_HORIZON.isoformat()}."})
    current = ManualClock.objects.filter(pk=1).values_list("now", flat=True).first()
    if current is not None and to < current:
        raise Invalid({"now": f"The clock only moves forward (it is {current.isoformat()})."})
    # The very first setting (no clock row yet) picks the starting point, in the past if need be.
    start = current if current is not None else clock.manual_set(to)
    me = f"clock:{worker_id()}"
    fired = 0
    waited_since: float | None = None
    while True:
        wall = clock.real_now()
        backing_off = Deadline.objects.filter(
            contract_id=OuterRef("contract_id"),
            status=Deadline.PENDING,
            not_before__gt=wall,
            due_at__lte=OuterRef("due_at"),
        )
        nxt = (
            Deadline.objects.filter(due_at__lte=to, status__in=(Deadline.PENDING, Deadline.RUNNING))
            .exclude(status=Deadline.PENDING, not_before__gt=wall)
            .exclude(Q(contract__isnull=False) & Exists(backing_off))  # waits for its retry, behind that row
            .order_by("due_at", "id")
            .values_list("id", "due_at", "status")
            .first()
        )
        if nxt is None:
            break
        clock.manual_set(max(start, nxt[1]))
        claimed = deadlines_claim(worker=me, now=clock.now(), limit=1)
        for i in claimed:
            fired += deadline_run(deadline_id=i, worker=me)
        if claimed:
            waited_since = None
            continue
        # Held by a running worker (or blocked behind a row that is): wait for it to finish.
        if waited_since is None:
            waited_since = time.monotonic()
        elif time.monotonic() - waited_since > CLOCK_WAIT.total_seconds():
            raise RuleViolation(
                "clock_busy", f"Deadline {nxt[0]} is held by a worker that has not finished it; try again."
            )
        time.sleep(0.02)
    clock.manual_set(to)
    return fired
