"""Real `manage.py run_worker` processes over 1,000 due deadlines: each fires exactly once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.conf import settings

from chukai.contracts.models import Event
from chukai.deadlines.models import Deadline
from tests.conftest import is_postgres
from tests.foundation.worker_probe import REPO, probe_seed, run_worker_cmd, subprocess_env

N = 1_000


def _run_workers(database_url: str, count: int) -> tuple[float, list[str]]:
    env = subprocess_env(database_url)
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            run_worker_cmd("--once", "--batch", "25"),
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-3000:]
        outputs.append(out)
    return time.monotonic() - started, outputs


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_postgres_fire_each_deadline_once():
    if not is_postgres():
        pytest.skip("concurrent workers claim with SKIP LOCKED on PostgreSQL")
    ids = probe_seed(contracts=10, deadlines=N)
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    elapsed, outputs = _run_workers(url, 2)

    fired = Counter(Event.objects.filter(kind="test_probe_fired").values_list("detail__deadline_id", flat=True))
    assert set(fired) == set(ids) and set(fired.values()) == {1}, fired.most_common(3)
    rows = Deadline.objects.filter(pk__in=ids)
    assert set(rows.values_list("status", "attempts")) == {("done", 1)}
    by_worker = Counter(rows.values_list("leased_by", flat=True))
    assert len(by_worker) == 2, f"both workers should have taken part: {by_worker}"  # they really ran at once
    print(f"\n2 workers on PostgreSQL: {N} deadlines in {elapsed:.2f}s, split {sorted(by_worker.values())}")


def test_worker_on_a_sqlite_file(tmp_path, db):
    if is_postgres():
        pytest.skip("the SQLite variant; PostgreSQL has the concurrent one")
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    env = subprocess_env(url)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True, timeout=300)
    seed = f"from tests.foundation.worker_probe import probe_seed; probe_seed(contracts=5, deadlines={N})"
    subprocess.run([*manage, "shell", "-c", seed], cwd=REPO, env=env, check=True, timeout=300)
    elapsed, _ = _run_workers(url, 2)  # on SQLite they take turns: a writer holds the whole database

    con = sqlite3.connect(tmp_path / "worker.sqlite3")
    fired = Counter(
        row[0]
        for row in con.execute(
            "SELECT json_extract(detail, '$.deadline_id') FROM contracts_event WHERE kind = 'test_probe_fired'"
        )
    )
    statuses = Counter(con.execute("SELECT status, attempts FROM deadlines_deadline WHERE kind = 'test_probe'"))
    con.close()
    assert len(fired) == N and set(fired.values()) == {1}
    assert statuses == {("done", 1): N}
    print(f"\n2 workers on a SQLite file: {N} deadlines in {elapsed:.2f}s")
