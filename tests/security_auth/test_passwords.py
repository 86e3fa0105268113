"""Issue 12: weak passwords are refused at API sign-up, web sign-up and password change, with
field messages in Japanese (the default) and English; the demo accounts keep the demo password."""

from __future__ import annotations

import pytest
from django.test import Client

from chukai.accounts.models import User
from chukai.accounts.services import password_problems, user_signup
from chukai.common import demo
from tests.security_auth.conftest import PW, api_signup, new_email, token, web_login

pytestmark = pytest.mark.django_db

EMAIL = "hanako.yamada@example.com"
NAME = "hanako.yamada"

WEAK = [
    ("        ", "空白だけのパスワードは使えません。", "Your password cannot be only spaces."),
    ("1234567890123", "このパスワードは数字しか使われていません。", "This password is entirely numeric."),
    (EMAIL, "メールアドレス と似すぎています", "too similar to the email address"),
    ("Hanako.Yamada!", "表示名 と似すぎています", "too similar to the Display name"),
    ("password123", "このパスワードは一般的すぎます。", "This password is too common."),
    ("short", "このパスワードは短すぎます", "This password is too short."),
    ("x7" * 64 + "y", "128文字以内", "at most 128 characters"),
    (demo.PASSWORD, "デモ用のパスワード", "it is the demo password"),
]


@pytest.mark.parametrize(("password", "ja", "en"), WEAK, ids=[w[2][:30] for w in WEAK])
def test_api_signup_refuses_weak_passwords_in_japanese_and_english(password, ja, en):
    body = {"email": EMAIL, "password": password, "display_name": NAME}
    r = Client().post("/api/auth/signup", body, content_type="application/json")
    assert r.status_code == 422 and r["Content-Type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"] == "invalid" and list(problem["fields"]) == ["password"], problem
    assert any(ja in m for m in problem["fields"]["password"]), problem
    r = Client().post("/api/auth/signup", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    assert any(en in m for m in r.json()["fields"]["password"]), r.json()
    assert not User.objects.exists()


def test_lengths_at_the_bounds_are_accepted():
    assert password_problems("kq7#mzp2", email=EMAIL, display_name=NAME) == []
    assert password_problems("kq7#mzp2" * 16, email=EMAIL, display_name=NAME) == []  # 128 characters


def test_web_signup_refuses_a_weak_password_with_a_japanese_message():
    c = Client()
    r = c.post("/signup", {"email": EMAIL, "display_name": NAME, "password": "        ", "time_zone": "Asia/Tokyo"})
    assert r.status_code == 422  # the form strips it to nothing: "choose a password"
    r = c.post(
        "/signup", {"email": EMAIL, "display_name": NAME, "password": "1234567890123", "time_zone": "Asia/Tokyo"}
    )
    assert r.status_code == 422
    assert "このパスワードは数字しか使われていません。" in r.content.decode()
    r = c.post("/signup", {"email": EMAIL, "display_name": NAME, "password": EMAIL, "time_zone": "Asia/Tokyo"})
    assert r.status_code == 422
    assert "メールアドレス と似すぎています" in r.content.decode()
    assert not User.objects.exists()


def test_web_password_change_refuses_weak_passwords():
    email = new_email("taro")
    api_signup(email)
    c = Client()
    assert web_login(c, email).status_code == 302
    for weak, text in [("98765432101", "数字しか使われていません"), (email, "メールアドレス と似すぎています")]:
        r = c.post("/account/password", {"old_password": PW, "new_password1": weak, "new_password2": weak})
        assert r.status_code == 422 and text in r.content.decode(), weak
    assert token(Client(), email).status_code == 200  # the old password still works


def test_the_demo_accounts_keep_the_demo_password():
    for email in (demo.CLIENT_EMAIL, demo.WORKER_EMAIL):
        user_signup(email=email, password=demo.PASSWORD, display_name="デモ")
        assert token(Client(), email, demo.PASSWORD).status_code == 200
    assert password_problems(demo.PASSWORD, email="someone@example.com", display_name="x")
