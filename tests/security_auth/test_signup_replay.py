"""Issue 12: a sign-up replayed with the same Idempotency-Key answers the first 201 only to the
same request (same email, name, language, zone and password); anything else is a 422, and the
password check of a replay is throttled like a sign-in."""

from __future__ import annotations

import pytest
from django.test import Client

from chukai.accounts.models import User
from tests.security_auth.conftest import PW, assert_rate_limited

pytestmark = pytest.mark.django_db

BODY = {"email": "twice@example.com", "password": PW, "display_name": "二度押し"}


def _signup(body, key="signup-key-1", **extra):
    return Client().post("/api/auth/signup", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **extra)


def test_the_same_request_gets_the_first_answer():
    first = _signup(BODY)
    assert first.status_code == 201
    again = _signup(BODY)
    assert (again.status_code, again.json()) == (201, first.json())
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "other",
    [
        {"password": "someone else's guess"},
        {"display_name": "なりすまし"},
        {"locale": "en"},
        {"time_zone": "Europe/Berlin"},
    ],
)
def test_a_different_body_with_the_same_email_and_key_is_422(other):
    first = _signup(BODY)
    assert first.status_code == 201
    r = _signup({**BODY, **other})
    assert r.status_code == 422 and r["Content-Type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "idempotency_key_reused" and "Idempotency-Key" in body["fields"], body
    assert str(first.json()["id"]) not in r.content.decode()  # the first answer is not given away


def test_replays_cannot_be_used_to_guess_the_password():
    assert _signup(BODY).status_code == 201
    for i in range(5):
        assert _signup({**BODY, "password": f"guess number {i}"}).status_code == 422
    assert_rate_limited(_signup({**BODY, "password": "guess number 6"}))
    assert_rate_limited(_signup(BODY))  # the address is locked for everyone now, replays included
