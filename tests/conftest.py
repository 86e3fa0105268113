from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """argon2 costs 0.25-0.6 s a hash here; tests that are not about hashing use a fast one
    (tests/foundation/test_accounts_api.py checks argon2 itself)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Api:
    """A Django test client speaking JSON with a bearer token."""

    def __init__(self, token: str | None = None, user_id: int | None = None) -> None:
        self.client = Client()
        self.token = token
        self.user_id = user_id

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        h = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        for k, v in (extra or {}).items():
            h["HTTP_" + k.upper().replace("-", "_")] = v
        return h

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **self._headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, data: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            path, data=data if data is not None else {}, content_type="application/json", **self._headers(headers)
        )


def signup(name: str | None = None, **extra: Any) -> Api:
    n = next(_seq)
    email = f"{name or 'user'}{n}@example.com"
    anon = Api()
    r = anon.post(
        "/api/auth/signup",
        {"email": email, "password": "correct horse battery", "display_name": name or f"user{n}", **extra},
    )
    assert r.status_code == 201, r.content
    uid = r.json()["id"]
    t = anon.post("/api/auth/token", {"email": email, "password": "correct horse battery"})
    assert t.status_code == 200, t.content
    return Api(t.json()["token"], uid)


@pytest.fixture
def client_api(db: Any) -> Api:
    return signup("client")


@pytest.fixture
def worker_api(db: Any) -> Api:
    return signup("worker")


@pytest.fixture
def staff_api(db: Any) -> Api:
    from chukai.accounts.models import User

    n = next(_seq)
    User.objects.create_superuser(f"staff{n}@example.com", "correct horse battery")
    t = Api().post("/api/auth/token", {"email": f"staff{n}@example.com", "password": "correct horse battery"})
    return Api(t.json()["token"], None)


def make_contract(
    client: Api,
    worker: Api,
    *,
    policy: str = "chukai",
    pricing: str = "fixed",
    milestones: list[dict[str, Any]] | None = None,
    amount: int | None = None,
) -> dict[str, Any]:
    milestones = milestones or [{"title": "記事10本", "amount_jpy": 50_000}]
    amount = amount or sum(m["amount_jpy"] for m in milestones)
    job = client.post(
        "/api/jobs",
        {"title": "SEO記事作成", "description": "月10本", "budget_jpy": amount, "pricing": pricing, "policy": policy},
    )
    assert job.status_code == 201, job.content
    prop = worker.post(
        f"/api/jobs/{job.json()['id']}/proposals",
        {"amount_jpy": amount, "message": "よろしくお願いします", "milestones": milestones},
    )
    assert prop.status_code == 201, prop.content
    c = client.post(f"/api/proposals/{prop.json()['id']}/accept")
    assert c.status_code == 201, c.content
    return c.json()


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _fast_commits(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Test databases are thrown away: skip the fsync wait on PostgreSQL commits (not durability-tested here)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


connection_created.connect(_fast_commits)
