from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from chukai.deadlines.services import deadlines_run_due, worker_id
from chukai.deadlines.worker_steps import STEPS


class Command(BaseCommand):
    help = "Apply due deadlines (and send queued email) until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one pass over what is due, then exit")
        parser.add_argument("--batch", type=int, default=50)
        parser.add_argument("--poll", type=float, default=1.0, help="seconds to wait when idle")

    def handle(self, *args: Any, **opts: Any) -> None:
        me = worker_id()
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"worker {me} started")
        while not stopping:
            close_old_connections()
            done = deadlines_run_due(worker=me, limit=opts["batch"])
            for step in STEPS:
                done += step()
            if opts["once"]:
                if done == 0:
                    break
                continue
            if done == 0:
                time.sleep(opts["poll"])
        self.stdout.write(f"worker {me} stopped")
