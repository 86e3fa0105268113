from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    # Login throttling counts live in the database cache (chukai_cache): rolled back with each test;
    # with REDIS_URL they live in Redis, which no rollback empties.
    if "RedisCache" in settings.CACHES["default"]["BACKEND"]:
        from django.core.cache import cache

        cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def page_signup(name: str, **extra: Any) -> tuple[Client, int, str]:
    """Sign up through the page; the client stays signed in."""
    from chukai.accounts.models import User

    n = next(_seq)
    email = f"{name}{n}@example.com"
    c = Client()
    r = c.post(
        "/signup",
        {
            "email": email,
            "display_name": f"{name}{n}",
            "password": PASSWORD,
            "locale": "ja",
            "time_zone": "Asia/Tokyo",
            **extra,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    uid = User.objects.get(email=email).pk
    return c, uid, email


@pytest.fixture
def client_page(db: Any) -> tuple[Client, int, str]:
    return page_signup("client")


@pytest.fixture
def worker_page(db: Any) -> tuple[Client, int, str]:
    return page_signup("worker")


def page_contract(client: Client, worker: Client, *, policy: str = "chukai", milestones: str = "") -> int:
    """Post a job, propose, accept — all through the pages. Returns the contract id."""
    from chukai.contracts.models import Contract
    from chukai.marketplace.models import Job

    r = client.post(
        "/jobs/new",
        {"title": "SEO記事作成", "description": "月10本", "budget_jpy": "50000", "pricing": "fixed", "policy": policy},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    job_id = int(r["Location"].rstrip("/").split("/")[-1])
    r = worker.post(
        f"/jobs/{job_id}/propose", {"amount_jpy": "50000", "message": "よろしくお願いします", "milestones": milestones}
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    proposal = Job.objects.get(pk=job_id).proposals.get()
    r = client.post(f"/proposals/{proposal.pk}/accept")
    assert r.status_code == 302, r.content.decode()[:3000]
    return Contract.objects.get(proposal=proposal).pk
