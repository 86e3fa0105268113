"""A scratch PostgreSQL database for the benchmarks, made fresh on every run."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chukai_bench"


def bench_url() -> str:
    return os.environ.get("CHUKAI_BENCH_DATABASE_URL", DEFAULT_URL)


def recreate(url: str) -> None:
    """DROP and CREATE the scratch database (never the one DATABASE_URL names for the app)."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not name.startswith("chukai_bench"):
        sys.exit(f"bench: refusing to recreate {name!r}: the scratch database name must start with chukai_bench")
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        sys.exit(
            f"bench: PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} ({exc}).\n"
            "Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) "
            "or set CHUKAI_BENCH_DATABASE_URL."
        )


def setup_django(url: str) -> None:
    """Point Django at the scratch database, as production runs it (DEBUG off), and migrate."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "0"
    # DEBUG off needs a secret key; the in-process test client speaks plain http (no SSL redirect).
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "k" * 50)
    os.environ.setdefault("CHUKAI_HTTPS", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CHUKAI_LOG_LEVEL"] = "ERROR"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
