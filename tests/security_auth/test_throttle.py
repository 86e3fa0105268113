"""Issue 12: sign-in throttling shared by POST /api/auth/token and the web login; a stranger
cannot lock the owner out (known device, the NAT rule); unknown addresses cost the same work."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from chukai.accounts import signin
from tests.security_auth import hashers
from tests.security_auth.conftest import PW, api_signup, assert_rate_limited, new_email, token, web_login

pytestmark = pytest.mark.django_db


def test_token_30_wrong_passwords_then_the_right_one_is_429():
    email = new_email()
    assert api_signup(email).status_code == 201
    attacker = Client()
    statuses = [token(attacker, email, f"guess {i}").status_code for i in range(30)]
    assert statuses == [401] * 5 + [429] * 25
    wait = assert_rate_limited(token(attacker, email, PW))
    assert 890 <= wait <= 900
    assert assert_rate_limited(token(Client(), email, PW))  # another client with no history: also locked


def test_web_login_30_wrong_passwords_then_the_right_one_is_429():
    email = new_email()
    assert api_signup(email).status_code == 201
    attacker = Client()
    statuses = [web_login(attacker, email, f"guess {i}").status_code for i in range(30)]
    assert statuses == [422] * 5 + [429] * 25
    r = web_login(attacker, email, PW)
    assert r.status_code == 429 and "_auth_user_id" not in attacker.session
    assert "15分" in r.content.decode() and 890 <= int(r["Retry-After"]) <= 900


def test_api_and_web_share_one_count():
    email = new_email()
    api_signup(email)
    attacker = Client()
    for i in range(3):
        assert token(attacker, email, f"api guess {i}").status_code == 401
    for i in range(2):
        assert web_login(attacker, email, f"web guess {i}").status_code == 422
    assert web_login(attacker, email, PW).status_code == 429
    assert_rate_limited(token(attacker, email, PW))


def test_locked_attempts_hash_nothing_and_the_lock_lifts_after_the_lock_time():
    email = new_email()
    api_signup(email)
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        for i in range(5):
            token(Client(), email, f"guess {i}")
        hashers.CALLS.clear()
        assert_rate_limited(token(Client(), email, PW))
        assert hashers.CALLS == []  # a locked attempt checks no password (and so costs no hash)
    if "DatabaseCache" not in settings.CACHES["default"]["BACKEND"]:
        return  # Redis counts its expiry in real time: the clock cannot be moved for it
    with time_machine.travel(start + dt.timedelta(seconds=899), tick=False):
        assert token(Client(), email, PW).status_code == 429
    with time_machine.travel(start + dt.timedelta(seconds=901), tick=False):
        assert token(Client(), email, PW).status_code == 200


def test_a_success_clears_earlier_failures_of_the_address():
    email = new_email()
    api_signup(email)
    c = Client()
    for i in range(4):
        assert token(c, email, f"typo {i}").status_code == 401
    assert token(c, email).status_code == 200
    for i in range(4):
        assert token(Client(), email, f"typo again {i}").status_code == 401
    assert token(Client(), email).status_code == 200


def test_unknown_address_costs_the_same_hash_work_and_answer():
    email = new_email()
    api_signup(email)
    hashers.CALLS.clear()
    known = token(Client(), email, "wrong password")
    known_work = list(hashers.CALLS)
    hashers.CALLS.clear()
    unknown = token(Client(), "nobody@example.com", "wrong password")
    unknown_work = list(hashers.CALLS)
    assert known_work == unknown_work == ["encode"]  # one hash each
    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json()
    # The web login takes the same path.
    hashers.CALLS.clear()
    web_login(Client(), email, "wrong password")
    web_known = list(hashers.CALLS)
    hashers.CALLS.clear()
    web_login(Client(), "nobody@example.com", "wrong password")
    assert web_known == hashers.CALLS == ["encode"]


def test_an_inactive_account_costs_the_same_and_is_refused():
    from chukai.accounts.models import User

    email = new_email()
    api_signup(email)
    User.objects.filter(email=email).update(is_active=False)
    hashers.CALLS.clear()
    r = token(Client(), email, PW)
    assert r.status_code == 401 and hashers.CALLS == ["encode"]


def test_unknown_addresses_lock_like_known_ones():
    email = "ghost@example.com"
    statuses = [token(Client(), email, f"guess {i}").status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]


# --- a stranger cannot lock the owner out -------------------------------------------------


def test_known_browser_passes_the_lock_that_a_stranger_caused():
    email = new_email()
    api_signup(email)
    owner = Client()
    assert web_login(owner, email, ip="203.0.113.7").status_code == 302  # signs in once: a known device
    owner.post("/logout")
    assert owner.cookies[settings.CHUKAI_DEVICE_COOKIE_NAME].value

    stranger = Client()
    for i in range(30):
        web_login(stranger, email, f"guess {i}", ip="198.51.100.66")
    assert web_login(stranger, email, PW, ip="198.51.100.66").status_code == 429
    assert web_login(Client(), email, PW, ip="203.0.113.7").status_code == 429  # a new browser: locked

    r = web_login(owner, email, ip="203.0.113.7")
    assert r.status_code == 302 and "_auth_user_id" in owner.session
    # The lock stays for everyone else: the guesser may still be at it.
    assert web_login(stranger, email, PW, ip="198.51.100.66").status_code == 429


def test_known_api_client_passes_the_lock_too():
    email = new_email()
    api_signup(email)
    owner = Client()
    assert token(owner, email).status_code == 200  # the token answer sets the device cookie
    for i in range(10):
        token(Client(), email, f"guess {i}", ip="198.51.100.66")
    assert_rate_limited(token(Client(), email, PW))
    assert token(owner, email).status_code == 200


def test_a_known_device_that_guesses_is_locked_in_turn():
    email = new_email()
    api_signup(email)
    device = Client()
    assert token(device, email).status_code == 200
    for i in range(5):
        token(Client(), email, f"stranger {i}", ip="198.51.100.66")
    for i in range(5):
        assert token(device, email, f"stolen cookie guess {i}").status_code == 401
    assert_rate_limited(token(device, email, PW))


def test_a_password_change_forgets_the_known_devices():
    email = new_email()
    api_signup(email)
    old_device, changer = Client(), Client()
    assert web_login(old_device, email).status_code == 302
    assert web_login(changer, email).status_code == 302
    r = changer.post(
        "/account/password",
        {"old_password": PW, "new_password1": "a fresh pass phrase", "new_password2": "a fresh pass phrase"},
    )
    assert r.status_code == 302
    old_device.post("/logout")
    changer.post("/logout")
    for i in range(5):
        web_login(Client(), email, f"guess {i}", ip="198.51.100.66")
    assert web_login(old_device, email, "a fresh pass phrase").status_code == 429  # its cookie no longer counts
    assert web_login(changer, email, "a fresh pass phrase").status_code == 302  # re-issued at the change


def test_a_forged_device_cookie_counts_for_nothing():
    email = new_email()
    api_signup(email)
    for i in range(5):
        token(Client(), email, f"guess {i}")
    forger = Client()
    forger.cookies[settings.CHUKAI_DEVICE_COOKIE_NAME] = "eyJ1IjoxfQ:forged:signature"
    assert_rate_limited(token(forger, email, PW))


# --- one client IP: everyone behind a NAT -----------------------------------------------------


def test_ip_lock_does_not_stop_an_address_that_signed_in_from_that_ip():
    office = "192.0.2.10"
    regular, newcomer = new_email("regular"), new_email("newcomer")
    api_signup(regular)
    api_signup(newcomer)
    assert token(Client(), regular, ip=office).status_code == 200  # signed in from the office before
    # Someone in the office sprays 20 addresses (one guess each): the office IP is locked.
    for _ in range(20):
        assert token(Client(), new_email("spray"), "guess", ip=office).status_code == 401
    assert_rate_limited(token(Client(), new_email("spray"), "guess", ip=office))
    assert_rate_limited(token(Client(), newcomer, ip=office))  # never signed in from here
    assert token(Client(), regular, ip=office).status_code == 200  # the NAT rule
    assert web_login(Client(), regular, ip=office).status_code == 302
    assert token(Client(), newcomer, ip="192.0.2.99").status_code == 200  # another IP is not locked


def test_the_nat_rule_does_not_lift_the_address_lock():
    office = "192.0.2.10"
    regular = new_email("regular")
    api_signup(regular)
    assert token(Client(), regular, ip=office).status_code == 200
    for i in range(5):
        token(Client(), regular, f"guess {i}", ip=office)
    assert_rate_limited(token(Client(), regular, ip=office))


def test_ipv6_clients_are_counted_by_their_64_prefix():
    assert signin.ip_key("2001:db8:1:2:aaaa::1") == signin.ip_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert signin.ip_key("2001:db8:1:3::1") != signin.ip_key("2001:db8:1:2::1")
    assert signin.ip_key("::ffff:192.0.2.1") == signin.ip_key("192.0.2.1") == "192.0.2.1"
    email = new_email()
    api_signup(email)
    for i in range(20):
        token(Client(), new_email("spray"), "guess", ip=f"2001:db8:1:2::{i + 1:x}")
    assert_rate_limited(token(Client(), email, PW, ip="2001:db8:1:2::abcd"))


def test_the_cache_holds_no_addresses():
    from chukai.accounts.models import CacheEntry

    if "DatabaseCache" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("looks into the database cache's table")

    email = new_email("secret-name")
    api_signup(email)
    token(Client(), email, "wrong")
    keys = list(CacheEntry.objects.values_list("cache_key", flat=True))
    assert keys and not any("secret-name" in k for k in keys)


def test_the_admin_login_is_throttled_too():
    from chukai.accounts.models import User

    User.objects.create_superuser("office@example.com", PW)
    attacker = Client()
    for i in range(5):
        r = attacker.post("/admin/login/", {"username": "office@example.com", "password": f"guess {i}"})
        assert r.status_code == 200 and "_auth_user_id" not in attacker.session
    r = attacker.post("/admin/login/", {"username": "office@example.com", "password": PW, "next": "/admin/"})
    assert r.status_code == 200 and "_auth_user_id" not in attacker.session  # locked: the form again
    assert_rate_limited(token(Client(), "office@example.com", PW))  # one count for every door
    assert not Client().login(username="office@example.com", password=PW)


def test_admin_login_works_and_its_session_lasts():
    from chukai.accounts.models import User

    User.objects.create_superuser("office@example.com", PW)
    c = Client()
    r = c.post("/admin/login/", {"username": "office@example.com", "password": PW, "next": "/admin/"})
    assert r.status_code == 302 and c.get("/admin/").status_code == 200
