"""A test-only deadline kind that takes a moment inside its transaction (so a SIGKILL lands while
a worker holds leases and row locks), and the command that starts a worker knowing it."""

from __future__ import annotations

import sys
from typing import Any

from chukai.deadlines.registry import handler

SLOW_PROBE = "test_slow_probe"  # like `test_probe`, but 30 ms of database work before it commits


@handler(SLOW_PROBE)
def _slow_probe(deadline: Any) -> None:
    from django.db import connection

    from chukai.contracts.models import Contract
    from chukai.contracts.timeline import event_add

    contract = Contract.objects.get(pk=deadline.contract_id)  # the worker holds its lock
    event_add(contract=contract, kind="test_probe_fired", actor_role="system", deadline_id=deadline.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.03)" if connection.vendor == "postgresql" else "SELECT 1")


def forkserver() -> None:
    """Boot Django once, then fork `run_worker` processes on request (one command a line on stdin:
    `spawn` → prints the child's pid; `kill PID` → SIGKILL, reaped, prints `killed PID`; `exited` →
    prints the pids of children that ended by themselves; `stop` → SIGTERM to all, then exit).

    A forked worker is a real `manage.py run_worker` process (its own pid, its own database
    connections, killed with SIGKILL like any other) that starts in milliseconds instead of the
    seconds a fresh interpreter needs to import Django, so many kills fit in a test's time."""
    import os
    import signal

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    import tests.foundation.worker_probe  # noqa: F401 - the probe handlers

    children: set[int] = set()
    out = sys.stdout
    for line in sys.stdin:
        cmd, *args = line.split()
        if cmd == "spawn":
            connections.close_all()  # nothing shared with the child
            pid = os.fork()
            if pid == 0:  # the worker
                code = 0
                try:
                    devnull = os.open(os.devnull, os.O_RDWR)
                    for fd in (0, 1, 2):
                        os.dup2(devnull, fd)
                    call_command("run_worker", *args)
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            children.add(pid)
            print(pid, file=out, flush=True)
        elif cmd == "kill":
            pid = int(args[0])
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            children.discard(pid)
            print("killed", pid, file=out, flush=True)
        elif cmd == "exited":
            gone = [pid for pid in children if os.waitpid(pid, os.WNOHANG)[0] == pid]
            children.difference_update(gone)
            print(*gone, file=out, flush=True)
        elif cmd == "stop":
            for pid in children:
                os.kill(pid, signal.SIGTERM)
            for pid in children:
                os.waitpid(pid, 0)
            print("stopped", file=out, flush=True)
            return
