"""(a) Claiming due deadlines with SELECT … FOR UPDATE SKIP LOCKED from a table full of
finished rows: our partial index on the pending rows vs a plain index on due_at.

Both variants run the real `deadlines_claim` on the same table in the same run; only
the index differs. The finished rows are older than the pending ones, as in life
(what fell due long ago has long been done), so a plain due_at index makes every
claim step over them.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import connection, transaction

from chukai.deadlines.models import Deadline
from chukai.deadlines.registry import HANDLERS
from chukai.deadlines.services import deadline_run, deadlines_claim

TABLE = Deadline._meta.db_table
PARTIAL = "deadline_pending_due"
PLAIN = "bench_deadline_due_at_plain"
NOOP = "bench_noop"


@dataclass
class ClaimResult:
    variant: str
    rows: int
    seconds: float
    claims: int

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def _sql(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])


def populate(*, finished: int, pending: int) -> dt.datetime:
    """Bulk rows with generate_series: a benchmark fixture, not domain data."""
    now = dt.datetime.now(dt.UTC)
    _sql(f"TRUNCATE {TABLE} RESTART IDENTITY CASCADE")
    _sql(
        f"""INSERT INTO {TABLE} (kind, due_at, status, attempts, last_error, leased_by, created_at, done_at, visible)
        SELECT %s, %s - (g * interval '1 minute') - interval '2 hours', 'done', 1, '', '', %s, %s, true
        FROM generate_series(1, %s) g""",
        [NOOP, now, now, now, finished],
    )
    add_pending(pending, now)
    return now


def add_pending(pending: int, now: dt.datetime) -> None:
    """Due rows (within the last hour), newer than every finished one."""
    _sql(
        f"""INSERT INTO {TABLE} (kind, due_at, status, attempts, last_error, leased_by, created_at, visible)
        SELECT %s, %s - interval '1 hour' + (g * interval '10 milliseconds'), 'pending', 0, '', '', %s, true
        FROM generate_series(1, %s) g""",
        [NOOP, now, now, pending],
    )


def reset(pending: int, now: dt.datetime) -> None:
    """Drop the rows the last variant claimed and add fresh pending ones; same table shape."""
    _sql(f"DELETE FROM {TABLE} WHERE status <> 'done' OR done_at > %s", [now])
    add_pending(pending, now)
    vacuum()


def vacuum() -> None:
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {TABLE}")


def use_index(variant: str) -> None:
    if variant == "partial":
        _sql(f"DROP INDEX IF EXISTS {PLAIN}")
        _sql(f"CREATE INDEX IF NOT EXISTS {PARTIAL} ON {TABLE} (due_at) WHERE status = 'pending'")
    else:
        _sql(f"DROP INDEX IF EXISTS {PARTIAL}")
        _sql(f"CREATE INDEX IF NOT EXISTS {PLAIN} ON {TABLE} (due_at)")
    vacuum()


def claim_all(variant: str, *, batch: int, run_handlers: bool, max_seconds: float) -> ClaimResult:
    """Claim (and finish) every due row in batches; bounded by count and time."""
    worker = f"bench-{variant}"
    rows = claims = 0
    start = time.perf_counter()
    while time.perf_counter() - start < max_seconds:
        now = dt.datetime.now(dt.UTC)
        ids = deadlines_claim(worker=worker, now=now, limit=batch)
        claims += 1
        if not ids:
            break
        if run_handlers:
            rows += sum(1 for i in ids if deadline_run(deadline_id=i, worker=worker))
        else:
            Deadline.objects.filter(id__in=ids).update(status=Deadline.DONE, done_at=now)
            rows += len(ids)
    return ClaimResult(variant, rows, time.perf_counter() - start, claims)


def explain(batch: int) -> str:
    """The plan of one claim as the ORM sends it, executed (EXPLAIN ANALYZE, then rolled back):
    the index used and the buffers it touched, a measure the machine's load does not move."""
    now = dt.datetime.now(dt.UTC)
    qs = (
        Deadline.objects.select_for_update(skip_locked=True)
        .filter(status=Deadline.PENDING, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:batch]
    )
    with transaction.atomic(), connection.cursor() as cur:
        sql, params = qs.query.sql_with_params()
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        lines = [r[0].strip().removeprefix("->  ") for r in cur.fetchall()]
        transaction.set_rollback(True)
    scan = next((x for x in lines if "Scan" in x), lines[0]).split("  (")[0]
    buffers = next((x for x in lines if x.startswith("Buffers:")), "Buffers: ?")
    removed = next((x for x in lines if x.startswith("Rows Removed by Filter")), "Rows Removed by Filter: 0")
    timing = next((x for x in lines if x.startswith("Execution Time")), "")
    return f"{scan}; {removed}; {buffers}; {timing}"


def run(
    *, mode: str, finished: int, pending: int, batch: int, rounds: int, max_seconds: float
) -> tuple[dict[str, ClaimResult], dict[str, str]]:
    """Best of `rounds` interleaved passes per index variant; `mode` is "claim" or "claim+run"."""
    HANDLERS.setdefault(NOOP, lambda deadline: None)
    now = populate(finished=finished, pending=pending)
    results: dict[str, list[ClaimResult]] = {}
    plans: dict[str, str] = {}
    for _ in range(rounds):
        for variant in ("partial", "plain"):  # interleaved, so drift in the machine's load hits both alike
            use_index(variant)
            reset(pending, now)
            plans.setdefault(variant, explain(batch))
            r = claim_all(variant, batch=batch, run_handlers=mode == "claim+run", max_seconds=max_seconds)
            results.setdefault(variant, []).append(r)
    use_index("partial")
    return {k: max(v, key=lambda r: r.rows_per_s) for k, v in results.items()}, plans
