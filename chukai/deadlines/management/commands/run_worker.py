from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from chukai import clock
from chukai.deadlines.services import (
    deadlines_due_unfinished,
    deadlines_heartbeat,
    deadlines_run_due,
    heartbeat_interval,
    worker_id,
)
from chukai.deadlines.worker_steps import steps_run


def _heartbeat(me: str, stop: threading.Event) -> None:
    """Extend this worker's leases every third of a lease while it lives, even inside one long handler;
    a worker that dies stops extending them, and another takes its rows over when they run out."""
    try:
        while not stop.wait(heartbeat_interval().total_seconds()):
            try:
                deadlines_heartbeat(worker=me)
            except Exception:  # the database is away for a moment: try again next beat
                close_old_connections()
    finally:
        connection.close()


class Command(BaseCommand):
    help = "Apply due deadlines (and send queued email) until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one pass over what is due, then exit")
        parser.add_argument("--batch", type=int, default=50)
        parser.add_argument("--poll", type=float, default=1.0, help="seconds to wait when idle")

    def handle(self, *args: Any, **opts: Any) -> None:
        me = worker_id()
        stopping = threading.Event()

        def stop(*_: Any) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        beat = threading.Thread(target=_heartbeat, args=(me, stopping), name="lease-heartbeat", daemon=True)
        beat.start()
        self.stdout.write(f"worker {me} started")
        try:
            while not stopping.is_set():
                close_old_connections()
                done = deadlines_run_due(worker=me, limit=opts["batch"])
                done += steps_run()
                if opts["once"]:
                    if done == 0:
                        # Drain: leave only when nothing due is left, not merely nothing claimable
                        # (another worker may hold the head row of every contract for a moment).
                        if not deadlines_due_unfinished(now=clock.now()):
                            break
                        stopping.wait(min(opts["poll"], 0.05))
                    continue
                if done == 0:
                    stopping.wait(opts["poll"])
        finally:
            stopping.set()
            beat.join(timeout=5)
        self.stdout.write(f"worker {me} stopped")
