"""A small world for the API fuzz tests: two parties, staff and contracts in several states.

Built once per module inside a transaction that is rolled back at the end; each test's own
transaction nests in it (a savepoint), so what one test writes does not leak into the next.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings

from tests.conftest import Api, make_contract, signup
from tests.stories.helpers import clock  # noqa: F401 - the manual clock fixture, for test_hardening

# Real ids by path parameter name, and bearer tokens by role, filled by `world`.
REAL: dict[str, list[int]] = {}
TOKENS: dict[str, str] = {}
ROLES = ("client", "worker", "staff")
# Tracebacks of the exceptions behind 500 answers of the current request (for failure messages).
ERRORS: list[str] = []

FAST = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


def _record(sender: Any, request: Any = None, **kwargs: Any) -> None:
    ERRORS.append(traceback.format_exc())


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), override_settings(**FAST), transaction.atomic():
        _build()
        # Like Django's test client (which reconnects these after each of its own requests): a
        # request must not close the connection that holds the test transaction, and the tests
        # here call the WSGI app directly.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        got_request_exception.connect(_record)
        try:
            yield
        finally:
            got_request_exception.disconnect(_record)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            transaction.set_rollback(True)


def _build() -> None:
    client, worker = signup("client"), signup("worker")
    staff = _staff()
    main = make_contract(
        client,
        worker,
        milestones=[{"title": "構成案", "amount_jpy": 20_000}, {"title": "本文", "amount_jpy": 30_000}],
    )
    cid, mids = main["id"], [m["id"] for m in main["milestones"]]
    _ok(client.post(f"/api/contracts/{cid}/milestones/{mids[0]}/fund"))
    _ok(worker.post(f"/api/contracts/{cid}/milestones/{mids[0]}/deliver", {"message": "納品しました"}))
    due = _ok(worker.post(f"/api/contracts/{cid}/due-date-changes", {"due_date": "2027-01-31"}))
    plan = _ok(
        client.post(f"/api/contracts/{cid}/plan-changes", {"milestones": [{"title": "本文", "amount_jpy": 30_000}]})
    )
    _ok(client.post(f"/api/contracts/{cid}/messages", {"body": "よろしくお願いします"}))
    case = _ok(worker.post(f"/api/contracts/{cid}/support-cases", {"kind": "other", "body": "相談です"}))
    other = make_contract(client, worker)
    _ok(client.post(f"/api/contracts/{other['id']}/milestones/{other['milestones'][0]['id']}/fund"))
    term = _ok(client.post(f"/api/contracts/{other['id']}/termination-requests", {"reason": "予定変更のため"}))
    job = _ok(
        client.post("/api/jobs", {"title": "翻訳", "description": "英日", "budget_jpy": 10_000, "pricing": "fixed"})
    )
    proposal = _ok(worker.post(f"/api/jobs/{job['id']}/proposals", {"amount_jpy": 10_000, "message": "対応できます"}))
    REAL.clear()
    REAL.update(
        user_id=[client.user_id or 0, worker.user_id or 0],
        job_id=[job["id"]],
        proposal_id=[proposal["id"]],
        contract_id=[cid, other["id"]],
        milestone_id=[*mids, other["milestones"][0]["id"]],
        change_id=[due["id"], plan["id"]],
        case_id=[case["id"]],
        request_id=[term["id"]],
    )
    TOKENS.clear()
    TOKENS.update(client=client.token or "", worker=worker.token or "", staff=staff.token or "")


def _staff() -> Api:
    from chukai.accounts.models import User

    User.objects.create_superuser("fuzz-staff@example.com", "correct horse battery")
    r = Api().post("/api/auth/token", {"email": "fuzz-staff@example.com", "password": "correct horse battery"})
    return Api(_ok(r)["token"])


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.content
    return response.json()


def assert_problem(status: int, content_type: str, body: Any, detail: str) -> None:
    """No server error; a 4xx is an RFC 9457 problem with a `code` and the status it came with."""
    assert status < 500, detail + "\n" + "\n".join(ERRORS)
    if 400 <= status < 500:
        assert content_type.startswith("application/problem+json"), (detail, content_type)
        assert isinstance(body, dict) and body.get("code") and body.get("status") == status, (detail, body)
        assert {"type", "title", "detail"} <= body.keys(), (detail, body)
