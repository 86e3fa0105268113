"""Run the benchmarks on a scratch PostgreSQL database and print ratios against
baselines measured in the same run. Bounded in count and time; loopback only."""

from __future__ import annotations

import argparse
import os
import platform
import time

from bench import db


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--only", choices=["claim", "write"], help="run one benchmark")
    p.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run, numbers less stable)")
    p.add_argument("--finished", type=int, default=200_000, help="finished deadline rows in the table")
    p.add_argument("--pending", type=int, default=5_000, help="due rows to claim per variant")
    p.add_argument("--run-pending", type=int, default=1_000, help="due rows to claim and run (no-op handler)")
    p.add_argument("--batch", type=int, default=50, help="rows per claim (run_worker's default)")
    p.add_argument("--requests", type=int, default=300, help="requests per endpoint per round")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--max-seconds", type=float, default=30.0, help="time bound of one claiming pass")
    a = p.parse_args()
    if a.quick:
        a.finished, a.pending, a.run_pending, a.requests, a.rounds = 20_000, 1_000, 200, 60, 1

    url = db.bench_url()
    started = time.perf_counter()
    print(f"chukai bench — database {url} (recreated), Python {platform.python_version()}, {os.cpu_count()} cpu")
    db.recreate(url)
    db.setup_django(url)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        print(f"PostgreSQL {cur.fetchone()[0]}; load average before the run {os.getloadavg()[0]:.1f}")  # type: ignore[index]

    if a.only in (None, "claim"):
        from bench import claim

        print(f"\n(a) deadline claiming with SKIP LOCKED, batch {a.batch}, {a.finished:,} finished rows in the table")
        for mode, pending in (("claim", a.pending), ("claim+run", a.run_pending)):
            best, plans = claim.run(
                mode=mode,
                finished=a.finished,
                pending=pending,
                batch=a.batch,
                rounds=a.rounds,
                max_seconds=a.max_seconds,
            )
            if mode == "claim":
                for variant, plan in plans.items():
                    print(f"  plan with the {variant} index: {plan}")
            ours, base = best["partial"], best["plain"]
            print(
                f"  {mode:<9} ({pending:,} due): partial index (ours) {ours.rows_per_s:8,.0f} rows/s, "
                f"plain due_at index {base.rows_per_s:8,.0f} rows/s, ratio {ours.rows_per_s / base.rows_per_s:.1f}x",
                flush=True,
            )

    if a.only in (None, "write"):
        from bench import write

        print(
            f"\n(b) write endpoint vs trivial read, in-process test client, {a.requests} requests x {a.rounds} rounds"
        )
        rates = write.run(requests=a.requests, rounds=a.rounds)
        base, fund = rates["GET /api/me"], rates["POST fund"]
        for r in (base, fund):
            print(
                f"  {r.name:<12} {r.per_s:8,.0f} req/s  {r.ms:6.2f} ms/req  {r.cpu_ms:6.2f} ms CPU/req  "
                f"{r.queries:3d} queries/req"
            )
        print(f"  ratio: fund runs at {fund.per_s / base.per_s:.2f}x the rate of GET /api/me")

    print(f"\ndone in {time.perf_counter() - started:.0f} s; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
