from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client

from tests.security_auth import hashers

PW = "correct horse battery"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _clean(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["tests.security_auth.hashers.CountingHasher"]
    settings.CHUKAI_LOGIN_MAX_FAILURES = 5
    settings.CHUKAI_LOGIN_LOCK_SECONDS = 900
    settings.CHUKAI_LOGIN_IP_FACTOR = 4
    hashers.CALLS.clear()
    # Counts live in the database cache: rolled back (or flushed) with each test. A suite run with
    # REDIS_URL keeps them in Redis, which no rollback empties.
    if "RedisCache" in settings.CACHES["default"]["BACKEND"]:
        from django.core.cache import cache

        cache.clear()


def new_email(name: str = "user") -> str:
    return f"{name}{next(_seq)}@example.com"


def api_signup(email: str, password: str = PW, **extra: Any) -> Any:
    body = {"email": email, "password": password, "display_name": extra.pop("display_name", "利用者"), **extra}
    return Client().post("/api/auth/signup", body, content_type="application/json")


def token(client: Client, email: str, password: str = PW, ip: str = "127.0.0.1") -> Any:
    return client.post(
        "/api/auth/token", {"email": email, "password": password}, content_type="application/json", REMOTE_ADDR=ip
    )


def web_login(client: Client, email: str, password: str = PW, ip: str = "127.0.0.1") -> Any:
    return client.post("/login", {"email": email, "password": password}, REMOTE_ADDR=ip)


def assert_rate_limited(r: Any) -> int:
    """A 429 problem with code, retry_after and Retry-After; returns retry_after."""
    assert r.status_code == 429, (r.status_code, r.content[:500])
    assert r["Content-Type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "rate_limited" and body["status"] == 429, body
    assert isinstance(body["retry_after"], int) and 0 < body["retry_after"] <= 900, body
    assert r["Retry-After"] == str(body["retry_after"])
    return int(body["retry_after"])
