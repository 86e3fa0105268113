"""The central error answers the fuzzing relies on: every refusal is an RFC 9457 problem."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.conftest import Api


def _problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["code"] and body["type"].startswith("/problems/")
    return body


def test_wrong_method_is_a_problem_with_allow(client_api: Api) -> None:
    r = Client().put("/api/me/ledger", HTTP_AUTHORIZATION=f"Bearer {client_api.token}")
    body = _problem(r, 405)
    assert body["code"] == "method_not_allowed" and r["Allow"] == "GET"
    assert _problem(Client().delete("/api/jobs"), 405)["detail"].startswith("DELETE is not allowed")


def test_text_the_database_cannot_store_is_invalid(client_api: Api) -> None:
    for text in ("a\x00b", "\ud800"):
        r = client_api.post(
            "/api/jobs", json.dumps({"title": text, "description": "d", "budget_jpy": 1000, "pricing": "fixed"})
        )
        assert _problem(r, 422)["fields"] == {"title": ["Text may not contain NUL characters or unpaired surrogates."]}
    r = client_api.get("/api/support-cases?status=%00")
    assert list(_problem(r, 422)["fields"]) == ["status"]


def test_integers_beyond_64_bits_are_invalid(client_api: Api) -> None:
    r = client_api.post("/api/me/notifications/read", {"ids": [1, 2**63]})
    assert _problem(r, 422)["fields"] == {"ids[1]": ["Number out of range."]}
    r = client_api.get(f"/api/support-cases?contract_id={-(2**63) - 1}")
    assert _problem(r, 422)["fields"] == {"contract_id": ["Number out of range."]}
    r = client_api.post("/api/me/notifications/read", {"ids": [2**63 - 1]})  # the largest still fits
    assert r.status_code == 200 and r.json() == {"marked": 0}


def test_unparsable_body_is_invalid(client_api: Api) -> None:
    r = client_api.post("/api/jobs", "{not json")
    assert _problem(r, 422)["code"] == "invalid"
