"""API.md › Accounts: signup, tokens, me, ledger, profile, staff; 401 and 422 problems."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command

from chukai.accounts.models import ApiToken, User
from tests.conftest import Api, make_contract, signup
from tests.foundation.conftest import anonymous, refused

PW = "correct horse battery"


def _signup_body(**over):
    return {"email": "hanako@example.com", "password": PW, "display_name": "花子", **over}


def test_signup_defaults_and_me(db):
    r = anonymous().post("/api/auth/signup", _signup_body())
    assert r.status_code == 201, r.content
    user = r.json()
    assert user["email"] == "hanako@example.com" and user["display_name"] == "花子"
    assert user["locale"] == "ja" and user["time_zone"] == "Asia/Tokyo" and user["balance_jpy"] == 0
    tok = anonymous().post("/api/auth/token", {"email": "HANAKO@example.com", "password": PW})
    assert tok.status_code == 200 and len(tok.json()["token"]) >= 32
    me = Api(tok.json()["token"]).get("/api/me").json()
    assert {k: me[k] for k in ("id", "email", "display_name", "is_staff", "balance_jpy")} == {
        "id": user["id"],
        "email": "hanako@example.com",
        "display_name": "花子",
        "is_staff": False,
        "balance_jpy": 0,
    }


def test_signup_english_and_zone(db):
    r = anonymous().post("/api/auth/signup", _signup_body(locale="en", time_zone="Europe/Berlin"))
    assert r.status_code == 201
    assert (r.json()["locale"], r.json()["time_zone"]) == ("en", "Europe/Berlin")


def test_password_is_argon2_and_token_stored_hashed(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    anonymous().post("/api/auth/signup", _signup_body())
    user = User.objects.get(email="hanako@example.com")
    assert user.password.startswith("argon2$") and PW not in user.password
    token = anonymous().post("/api/auth/token", {"email": user.email, "password": PW}).json()["token"]
    row = ApiToken.objects.get(user=user)
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=token).exists() and token not in row.prefix + row.key_hash[:0]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),  # too common
        ({"display_name": "   "}, "display_name"),
        ({"locale": "fr"}, "locale"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_signup_invalid_field(db, over, field):
    body = refused(lambda: anonymous().post("/api/auth/signup", _signup_body(**over)), 422)
    assert field in body["fields"], body


def test_signup_missing_and_wrong_types(db):
    body = refused(lambda: anonymous().post("/api/auth/signup", {"email": "a@example.com"}), 422)
    assert {"password", "display_name"} <= set(body["fields"])
    body = refused(lambda: anonymous().post("/api/auth/signup", _signup_body(display_name=["x"])), 422)
    assert "display_name" in body["fields"]
    refused(lambda: anonymous().client.post("/api/auth/signup", "{not json", content_type="application/json"), 422)


def test_signup_duplicate_email(db):
    assert anonymous().post("/api/auth/signup", _signup_body()).status_code == 201
    body = refused(lambda: anonymous().post("/api/auth/signup", _signup_body(email="Hanako@Example.com")), 422)
    assert "email" in body["fields"]


def test_token_wrong_password_and_unknown_user(db):
    anonymous().post("/api/auth/signup", _signup_body())
    refused(lambda: anonymous().post("/api/auth/token", {"email": "hanako@example.com", "password": "nope"}), 401)
    refused(lambda: anonymous().post("/api/auth/token", {"email": "ghost@example.com", "password": PW}), 401)


@pytest.mark.parametrize(
    "path", ["/api/me", "/api/me/ledger", "/api/jobs", "/api/contracts", "/api/contracts/1", "/api/users/1/profile"]
)
def test_anonymous_and_bad_token_get_401(db, path):
    body = refused(lambda: anonymous().get(path), 401, "unauthorized")
    assert "Bearer" in body["detail"]
    refused(lambda: Api("not-a-real-token").get(path), 401, "unauthorized")


def test_anonymous_post_gets_401(db):
    refused(
        lambda: anonymous().post(
            "/api/jobs", {"title": "t", "description": "d", "budget_jpy": 1000, "pricing": "fixed"}
        ),
        401,
    )


def test_inactive_user_token_stops_working(db):
    api = signup("gone")
    User.objects.filter(pk=api.user_id).update(is_active=False)  # staff deactivation (admin)
    refused(lambda: api.get("/api/me"), 401)


def test_me_ledger_after_release(client_api, worker_api):
    c = make_contract(client_api, worker_api, milestones=[{"title": "m", "amount_jpy": 30_000}])
    mid = c["milestones"][0]["id"]
    client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/fund")
    worker_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/deliver", {"message": "納品"})
    client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/accept")
    entries = worker_api.get("/api/me/ledger").json()
    assert [(e["kind"], e["source"], e["amount_jpy"], e["balance_jpy"]) for e in entries] == [
        ("release", "balance", 27_000, 27_000)
    ]
    assert entries[0]["contract_id"] == c["id"] and entries[0]["milestone_id"] == mid
    client_entries = client_api.get("/api/me/ledger").json()
    assert [(e["kind"], e["source"], e["amount_jpy"]) for e in client_entries] == [("fund", "card", -30_000)]
    assert worker_api.get("/api/me").json()["balance_jpy"] == 27_000
    assert client_api.get("/api/me").json()["balance_jpy"] == 0


def test_profile(client_api, worker_api):
    p = client_api.get(f"/api/users/{worker_api.user_id}/profile")
    assert p.status_code == 200
    body = p.json()
    assert body["id"] == worker_api.user_id and body["ratings"] == [] and body["penalty_marks"] == []
    assert "rating_average" in body and "email" not in body
    refused(lambda: client_api.get("/api/users/999999/profile"), 404, "not_found")


def test_createsuperuser_noinput(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "office@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PW)
    call_command("createsuperuser", "--noinput", verbosity=0)
    token = anonymous().post("/api/auth/token", {"email": "office@example.com", "password": PW}).json()["token"]
    me = Api(token).get("/api/me").json()
    assert me["is_staff"] is True and me["email"] == "office@example.com"


def test_signup_repeated_with_the_same_idempotency_key_returns_the_first_answer(db):
    body = {"email": "Twice@Example.com", "password": PW, "display_name": "二度押し"}
    first = anonymous().post("/api/auth/signup", body, headers={"Idempotency-Key": "signup-1"})
    assert first.status_code == 201, first.content
    again = anonymous().post("/api/auth/signup", body, headers={"Idempotency-Key": "signup-1"})
    assert (again.status_code, again.json()) == (201, first.json())
    other_key = anonymous().post("/api/auth/signup", body, headers={"Idempotency-Key": "signup-2"})
    assert other_key.status_code == 422 and "email" in other_key.json()["fields"]
