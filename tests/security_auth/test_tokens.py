"""Issue 12: API tokens expire, can be revoked (logout), die with a password change, are stored
hashed, and authenticate in one query with last_seen written at most once a minute."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chukai.accounts import services
from chukai.accounts.models import ApiToken, User
from tests.security_auth.conftest import PW, api_signup, new_email, token, web_login

pytestmark = pytest.mark.django_db


def _me(key: str) -> int:
    return Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def _new_token(email: str) -> str:
    r = token(Client(), email)
    assert r.status_code == 200, r.content
    return str(r.json()["token"])


def test_logout_stops_that_token_only():
    email = new_email()
    api_signup(email)
    phone, laptop = _new_token(email), _new_token(email)
    r = Client().post("/api/auth/logout", HTTP_AUTHORIZATION=f"Bearer {phone}")
    assert r.status_code == 204 and r.content == b""
    assert _me(phone) == 401
    assert _me(laptop) == 200
    again = Client().post("/api/auth/logout", HTTP_AUTHORIZATION=f"Bearer {phone}")
    assert again.status_code == 401 and again.json()["code"] == "unauthorized"
    assert Client().post("/api/auth/logout").status_code == 401


def test_tokens_expire_after_the_configured_days(settings):
    settings.CHUKAI_API_TOKEN_DAYS = 30
    email = new_email()
    api_signup(email)
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        key = _new_token(email)
    assert ApiToken.objects.get().expires_at == start + dt.timedelta(days=30)
    with time_machine.travel(start + dt.timedelta(days=29, hours=23), tick=False):
        assert _me(key) == 200  # fixed expiry: using it does not extend it
    with time_machine.travel(start + dt.timedelta(days=30), tick=False):
        assert _me(key) == 401
        assert _me(_new_token(email)) == 200  # sign in again for a new one

    settings.CHUKAI_API_TOKEN_DAYS = 1
    with time_machine.travel(start, tick=False):
        short = _new_token(email)
    with time_machine.travel(start + dt.timedelta(days=1, seconds=1), tick=False):
        assert _me(short) == 401


def test_moving_the_manual_clock_expires_no_token(settings):
    """Expiry is real time, like the sign-in locks: a demo or a story that moves the manual clock
    months ahead (deadlines, auto-cancellation) does not sign its users out."""
    from chukai import clock

    settings.CHUKAI_MANUAL_CLOCK = True
    clock.manual_set(dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    email = new_email()
    api_signup(email)
    key = _new_token(email)
    clock.manual_set(dt.datetime(2027, 3, 1, tzinfo=dt.UTC))
    assert _me(key) == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
        assert _me(key) == 401


def test_a_web_password_change_revokes_every_token():
    email = new_email()
    api_signup(email)
    keys = [_new_token(email) for _ in range(3)]
    browser = Client()
    assert web_login(browser, email).status_code == 302
    r = browser.post(
        "/account/password",
        {"old_password": PW, "new_password1": "a fresh pass phrase", "new_password2": "a fresh pass phrase"},
    )
    assert r.status_code == 302
    assert [_me(k) for k in keys] == [401, 401, 401]
    assert not ApiToken.objects.exists()
    assert browser.get("/dashboard").status_code == 200  # the browser that changed it stays signed in
    assert token(Client(), email, "a fresh pass phrase").status_code == 200


def test_any_code_that_sets_a_password_revokes_tokens_but_a_hash_upgrade_does_not(settings):
    email = new_email()
    api_signup(email)
    key = _new_token(email)
    # A hash upgrade at sign-in (a new default hasher) re-saves the password: tokens stay.
    assert User.objects.get(email=email).password.startswith("counting_md5$")
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "tests.security_auth.hashers.CountingHasher",
    ]
    assert token(Client(), email).status_code == 200
    assert User.objects.get(email=email).password.startswith("md5$")
    assert _me(key) == 200
    # A service (admin, a reset, a shell) that sets a password: every token stops.
    user = User.objects.get(email=email)
    user.set_password("set by some service")
    user.save()
    assert _me(key) == 401 and not ApiToken.objects.filter(user=user).exists()


def test_tokens_are_stored_as_sha256_only():
    email = new_email()
    api_signup(email)
    key = _new_token(email)
    row = ApiToken.objects.get()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = " ".join(str(v) for v in ApiToken.objects.values_list().get())
    assert key not in stored and row.prefix == key[:8]


def test_authentication_is_one_query_and_last_seen_is_written_once_a_minute():
    email = new_email()
    api_signup(email)
    key = _new_token(email)
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        with CaptureQueriesContext(connection) as q:
            user = services.user_for_token(key)
        assert user is not None and user.email == email and len(q.captured_queries) == 1
        assert _me(key) == 200
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        with CaptureQueriesContext(connection) as q:
            assert _me(key) == 200
        assert not [x for x in q.captured_queries if x["sql"].startswith("UPDATE")]
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        with CaptureQueriesContext(connection) as q:
            assert _me(key) == 200
        assert len([x for x in q.captured_queries if x["sql"].startswith("UPDATE")]) == 1
    assert User.objects.get(email=email).last_seen_at == start + dt.timedelta(seconds=61)
