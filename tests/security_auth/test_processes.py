"""Issue 12: the sign-in count holds across processes (the database cache by default), and the
Redis backend is used, and works, when REDIS_URL is set."""

from __future__ import annotations

import json
import os
import runpy
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client, override_settings

from tests.conftest import is_postgres
from tests.security_auth.conftest import PW, api_signup, assert_rate_limited, new_email, token, web_login

REPO = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/15"


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "CHUKAI_MANUAL", "REDIS_URL"))}
    env.update(
        DATABASE_URL=database_url,
        PYTHONPATH=str(REPO),
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,  # the address hash is keyed: every process shares the key
        CHUKAI_HTTPS="0",
        CHUKAI_LOGIN_MAX_FAILURES="5",
        CHUKAI_LOGIN_LOCK_SECONDS="900",
        **extra,
    )
    return env


def _attempts(database_url: str, email: str, passwords: list[str], signup: bool = False) -> dict[str, Any]:
    env = _env(
        database_url,
        AUTH_EMAIL=email,
        AUTH_RIGHT=PW,
        AUTH_PASSWORDS=json.dumps(passwords),
        AUTH_SIGNUP="1" if signup else "0",
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.security_auth.attempts"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_count(tmp_path):
    """Process A fails 3 times, process B twice: B's right password is then refused (429), and so
    is the test process's own web login — each process has its own memory, the count is in the
    database cache they share."""
    if is_postgres():
        db = settings.DATABASES["default"]
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=REPO,
            env=_env(url),
            check=True,
            timeout=300,
        )
    email = new_email("shared")
    a = _attempts(url, email, ["wrong 1", "wrong 2", "wrong 3"], signup=True)
    b = _attempts(url, email, ["wrong 4", "wrong 5", PW])
    assert a["cache"] == b["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert a["pid"] != b["pid"]
    assert a["signup"] == 201 and a["statuses"] == [401, 401, 401]
    assert b["statuses"] == [401, 401, 429] and 0 < int(b["retry_after"]) <= 900
    if is_postgres():  # this process reads the same database: its web login is locked too
        assert web_login(Client(), email, PW).status_code == 429


def test_redis_backend_is_chosen_when_redis_url_is_set(monkeypatch):
    monkeypatch.setenv("REDIS_URL", REDIS)
    conf = runpy.run_path(str(REPO / "config" / "settings.py"))
    assert conf["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert conf["CACHES"]["default"]["LOCATION"] == REDIS
    monkeypatch.delenv("REDIS_URL")
    conf = runpy.run_path(str(REPO / "config" / "settings.py"))
    assert conf["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.django_db
def test_the_throttle_runs_on_redis():
    if not _redis_up():
        pytest.skip("no Redis at 127.0.0.1:6379")
    import redis

    prefix = f"chukai-test-{uuid.uuid4().hex[:12]}"
    backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS, "KEY_PREFIX": prefix}
    raw = redis.Redis.from_url(REDIS)
    try:
        with override_settings(CACHES={"default": backend}):
            email = new_email("redis")
            assert api_signup(email).status_code == 201
            statuses = [token(Client(), email, f"guess {i}").status_code for i in range(6)]
            assert statuses == [401] * 5 + [429]
            assert_rate_limited(token(Client(), email, PW))
            assert caches["default"].__class__.__name__ == "RedisCache"
            keys = [k.decode() for k in raw.keys(f"{prefix}:*")]
            assert any(":signin:lock:email:" in k for k in keys), keys
            ttl = max(raw.ttl(k) for k in keys if ":signin:lock:email:" in k)
            assert 890 <= ttl <= 900
            # A fresh client object (as another process would make) sees the same lock.
            from django.core.cache.backends.redis import RedisCache

            other = RedisCache(REDIS, {"KEY_PREFIX": prefix})
            assert [k for k in other.get_many([f"signin:lock:email:{k.rsplit(':', 1)[-1]}" for k in keys])]
    finally:
        for key in raw.scan_iter(f"{prefix}:*"):
            raw.delete(key)
    from chukai.accounts.models import CacheEntry

    assert not CacheEntry.objects.filter(cache_key__contains="signin").exists()  # nothing went to the database
