from __future__ import annotations

from typing import Any

import tests.foundation.worker_probe  # noqa: F401 - registers the test-only deadline handlers
from tests.conftest import Api
from tests.foundation.invariants import assert_same_state, db_state


def refused(call: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Run an API call that must fail: check the problem body and that the database did not change."""
    before = db_state()
    r = call()
    assert r.status_code == status, (r.status_code, r.content)
    assert r["Content-Type"].startswith("application/problem+json"), r["Content-Type"]
    body = r.json()
    assert {"type", "title", "status", "detail", "code"} <= set(body), body
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    if status == 422:
        assert body["code"] == "invalid" and isinstance(body["fields"], dict) and body["fields"], body
    assert_same_state(before, db_state())
    return body


def anonymous() -> Api:
    return Api()
