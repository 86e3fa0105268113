from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import traceback
import uuid

from django.db import transaction

from chukai import clock
from chukai.deadlines.models import Deadline
from chukai.deadlines.registry import HANDLERS

log = logging.getLogger("chukai.worker")

LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 8


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


def deadlines_claim(*, worker: str, now: dt.datetime, limit: int = 50) -> list[int]:
    """Lease up to `limit` due rows to this worker, skipping rows another worker holds."""
    wall = clock.real_now()
    with transaction.atomic():
        due = (
            Deadline.objects.select_for_update(skip_locked=True)
            .filter(status=Deadline.PENDING, due_at__lte=now)
            .exclude(not_before__gt=wall)
            .order_by("due_at", "id")
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
                status=Deadline.RUNNING, leased_by=worker, lease_until=wall + LEASE
            )
    return ids


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


def deadlines_run_due(*, worker: str | None = None, limit: int = 50) -> int:
    """Claim and apply what is due now; returns how many handlers ran."""
    me = worker or worker_id()
    ids = deadlines_claim(worker=me, now=clock.now(), limit=limit)
    return sum(1 for i in ids if deadline_run(deadline_id=i, worker=me))


def clock_advance(*, to: dt.datetime) -> int:
    """Move the manual clock to `to`, applying every deadline due on the way in due order."""
    me = f"clock:{worker_id()}"
    fired = 0
    start = clock.manual_now()
    while True:
        nxt = (
            Deadline.objects.filter(status=Deadline.PENDING, due_at__lte=to)
            .exclude(not_before__gt=clock.real_now())
            .order_by("due_at", "id")
            .values_list("id", "due_at")
            .first()
        )
        if nxt is None:
            break
        clock.manual_set(max(start, nxt[1]))
        claimed = deadlines_claim(worker=me, now=clock.now(), limit=1)
        if not claimed:
            break  # another worker holds it; it will apply it
        for i in claimed:
            fired += deadline_run(deadline_id=i, worker=me)
    clock.manual_set(to)
    return fired
