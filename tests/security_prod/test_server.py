"""The production server as `make run` starts it (`manage.py serve`: gunicorn + the worker), on
PostgreSQL and on a SQLite file: parallel requests all answered, PostgreSQL connections bounded
(runserver with CONN_MAX_AGE=600 kept one per request thread: 90 idle connections, then a 500),
static files served by WhiteNoise, a Content-Security-Policy on every page."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import is_postgres
from tests.security_prod.conftest import REPO, free_port, manage, production_env

WORKERS, THREADS = 2, 4
SERVER_APP = "chukai-serve-under-test"  # libpq's application_name for every connection of the server
PARALLEL = 100


def _call(base: str, path: str, *, token: str = "", body: Any = None) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method="POST" if data is not None else "GET")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@contextmanager
def served(database_url: str) -> Iterator[str]:
    """`manage.py serve` (gunicorn, WORKERS x THREADS, plus the worker) on a free port."""
    port = free_port()
    env = production_env(
        DATABASE_URL=database_url, CHUKAI_HTTPS="0", DJANGO_ALLOWED_HOSTS="127.0.0.1", PGAPPNAME=SERVER_APP
    )
    proc = subprocess.Popen(
        manage("serve", "--addr", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--threads", str(THREADS)),
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:  # the banner comes once gunicorn accepts connections
            lines.append(line)
            if line.startswith("Stop with Ctrl-C."):
                break
        else:
            pytest.fail("serve stopped before it was ready:\n" + "".join(lines[-60:]))
        banner = "".join(lines)
        assert f"http://127.0.0.1:{port}/" in banner and "client@demo.chukai.example" in banner
        assert f"gunicorn {WORKERS} processes x {THREADS} threads" in banner
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def _token(base: str) -> str:
    email = "load@example.com"
    status, _, body = _call(
        base, "/api/auth/signup", body={"email": email, "password": "correct horse battery", "display_name": "load"}
    )
    assert status == 201, body
    status, _, body = _call(base, "/api/auth/token", body={"email": email, "password": "correct horse battery"})
    assert status == 200, body
    return str(json.loads(body)["token"])


def _pg_connections() -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            [SERVER_APP],
        )
        return int(cur.fetchone()[0])


def _pg_dump() -> list[Any]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid, application_name, state, backend_start, client_port, left(query, 60)"
            " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return list(cur.fetchall())


def _static_and_csp(base: str) -> None:
    status, headers, page = _call(base, "/")
    assert status == 200
    csp = headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp, csp
    css = re.search(rb'href="(/static/web/site\.[0-9a-f]{12}\.css)"', page)
    assert css, "pages link the hashed (collected) static file"
    status, headers, body = _call(base, css.group(1).decode())
    assert status == 200 and b".flush" in body
    assert "immutable" in headers.get("Cache-Control", ""), headers  # WhiteNoise: hashed names cached for ever


@pytest.mark.django_db(transaction=True)
def test_gunicorn_on_postgres_answers_parallel_requests_with_bounded_connections():
    if not is_postgres():
        pytest.skip("connection counting is about PostgreSQL; the SQLite server has its own test")
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    with served(url) as base:
        _static_and_csp(base)
        token = _token(base)
        paths = ["/api/me", "/api/contracts", "/api/jobs", "/jobs", "/"]
        statuses: list[int] = []
        peak = 0
        dump: list[Any] = []
        with ThreadPoolExecutor(max_workers=32) as pool:
            futures = [
                pool.submit(_call, base, paths[i % len(paths)], token=token if paths[i % 5].startswith("/api") else "")
                for i in range(PARALLEL)
            ]
            for f in as_completed(futures):
                statuses.append(f.result()[0])
                peak = max(peak, _pg_connections())
                if peak > WORKERS * THREADS + 2 and not dump:
                    dump = _pg_dump()
        after = _pg_connections()
    bound = WORKERS * THREADS + 2  # a pool of THREADS per gunicorn process, one of 2 for the worker
    print(f"\n{PARALLEL} parallel requests: statuses {sorted(set(statuses))}, peak {peak} connections, bound {bound}")
    assert statuses == [200] * PARALLEL, statuses
    assert 0 < peak <= bound, "\n".join(map(str, dump))
    assert after <= bound


def test_gunicorn_on_a_sqlite_file_answers_parallel_requests(tmp_path):
    if is_postgres():
        pytest.skip("the SQLite variant; PostgreSQL has the connection-counting one")
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    env = production_env(DATABASE_URL=url)
    subprocess.run(manage("migrate", "--noinput", "-v0"), cwd=REPO, env=env, check=True, timeout=600)
    with served(url) as base:
        _static_and_csp(base)
        token = _token(base)
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = [
                r[0] for r in pool.map(lambda i: _call(base, "/api/me" if i % 2 else "/jobs", token=token), range(50))
            ]
    assert statuses == [200] * 50, statuses
