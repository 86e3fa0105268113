"""`make run`: the production server (gunicorn) with the deadline/email worker beside it.

What users run is what production runs: gunicorn with a bounded number of processes and
threads, static files by WhiteNoise (collected here at start), PostgreSQL connections from a
bounded pool per process (CHUKAI_DB_POOL_MAX = threads). The command refuses to start with
DEBUG off and no DJANGO_SECRET_KEY.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from config.production import require_safe_settings


def default_workers() -> int:
    """Two to four processes: enough to use the cores, few enough to bound database connections."""
    return int(os.environ.get("CHUKAI_WEB_WORKERS", str(min(4, max(2, os.cpu_count() or 2)))))


def gunicorn_argv(*, addr: str, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        addr,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        "--max-requests",
        "5000",
        "--max-requests-jitter",
        "500",
        "--no-control-socket",  # several servers on one machine (tests, make run) must not share one
    ]


def wait_for_port(host: str, port: int, *, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> bool:
    """True once the server accepts connections; False when it died or never came up."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


class Command(BaseCommand):
    help = "Serve the site and API with gunicorn and the deadline/email worker beside it (for `make run`)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=None, help="gunicorn processes (default 2-4)")
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("CHUKAI_WEB_THREADS", "4")), help="threads a process"
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start the deadline/email worker")
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            require_safe_settings()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        addr: str = opts["addr"]
        host, _, port = addr.rpartition(":")
        workers = opts["workers"] or default_workers()
        threads = max(1, opts["threads"])
        if not opts["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        env = {**os.environ, "CHUKAI_DB_POOL_MAX": os.environ.get("CHUKAI_DB_POOL_MAX", str(threads))}
        children: list[subprocess.Popen[bytes]] = []
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            if not opts["no_worker"]:
                # one thread; a second pooled connection covers the pool's returning the first
                worker_env = {**env, "CHUKAI_DB_POOL_MAX": os.environ.get("CHUKAI_DB_POOL_MAX_WORKER", "2")}
                children.append(subprocess.Popen([sys.executable, "manage.py", "run_worker"], env=worker_env))
            server = subprocess.Popen(gunicorn_argv(addr=addr, workers=workers, threads=threads), env=env)
            children.append(server)
            if not wait_for_port(host or "127.0.0.1", int(port), proc=server):
                raise CommandError(f"gunicorn did not start on {addr} (see its messages above)")
            self._banner(addr, workers, threads)
            while not stopping and all(c.poll() is None for c in children):
                time.sleep(0.5)
        finally:
            for c in children:
                if c.poll() is None:
                    c.terminate()
            for c in children:
                try:
                    c.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    c.kill()
        failed = [c.returncode for c in children if c.returncode not in (0, -signal.SIGTERM)]
        if failed and not stopping:
            raise CommandError(f"a process stopped (exit {failed[0]}); everything was stopped")

    def _banner(self, addr: str, workers: int, threads: int) -> None:
        from chukai.common import demo

        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        w = self.stdout.write
        w("")
        w(
            f"chukai: http://{addr}/   (gunicorn {workers} processes x {threads} threads, {engine}, DEBUG={settings.DEBUG})"
        )
        w(f"  API docs:        http://{addr}/api/docs")
        w(f"  staff console:   http://{addr}/staff/   (Django admin: http://{addr}/admin/)")
        w(f"Demo logins (password for all three: {demo.PASSWORD})")
        w(f"  client (発注者): {demo.CLIENT_EMAIL}")
        w(f"  worker (受注者): {demo.WORKER_EMAIL}")
        w(f"  staff  (事務局): {demo.STAFF_EMAIL}")
        w("Stop with Ctrl-C.")
