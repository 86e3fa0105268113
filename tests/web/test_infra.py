"""Sign up / in / out, throttling, CSRF, language, static files."""

from __future__ import annotations

from pathlib import Path

from django.test import Client

from tests.web.conftest import PASSWORD, page_signup


def test_signup_signs_in_and_shows_dashboard_in_japanese(db):
    c, _uid, _email = page_signup("alice")
    r = c.get("/dashboard")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="ja">' in html
    assert "ダッシュボード" in html


def test_signup_with_bad_input_shows_messages_and_creates_nothing(db):
    from chukai.accounts.models import User

    c = Client()
    r = c.post("/signup", {"email": "not-an-email", "display_name": "", "password": "x", "time_zone": "Mars/Base"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "有効なメールアドレス" in html
    assert "不明なタイムゾーン" in html
    assert "このパスワードは短すぎます" in html
    assert User.objects.count() == 0


def test_signup_twice_with_one_address_is_refused(db):
    _c, _uid, email = page_signup("bob")
    r = Client().post("/signup", {"email": email, "display_name": "x", "password": PASSWORD, "time_zone": "Asia/Tokyo"})
    assert r.status_code == 422
    assert "このメールアドレスはすでに登録されています" in r.content.decode()


def test_login_wrong_password_then_throttled(db, settings):
    settings.CHUKAI_LOGIN_MAX_FAILURES = 3
    _c, _uid, email = page_signup("carol")
    anon = Client()
    for _ in range(3):
        r = anon.post("/login", {"email": email, "password": "wrong password"})
        assert r.status_code == 422
        assert "メールアドレスまたはパスワードが違います" in r.content.decode()
    r = anon.post("/login", {"email": email, "password": PASSWORD})
    assert r.status_code == 429
    assert "15分" in r.content.decode()
    assert "_auth_user_id" not in anon.session


def test_login_and_logout(db):
    _c, uid, email = page_signup("dave")
    anon = Client()
    r = anon.post("/login?next=/jobs", {"email": email.upper(), "password": PASSWORD, "next": "/jobs"})
    assert r.status_code == 302 and r["Location"] == "/jobs"
    assert int(anon.session["_auth_user_id"]) == uid
    r = anon.get("/logout")
    assert r.status_code == 405  # sign out is a POST with a CSRF token
    r = anon.post("/logout")
    assert r.status_code == 302
    assert "_auth_user_id" not in anon.session


def test_forms_need_csrf(db):
    _c, _uid, email = page_signup("erin")
    strict = Client(enforce_csrf_checks=True)
    r = strict.post("/login", {"email": email, "password": PASSWORD})
    assert r.status_code == 403
    page = strict.get("/login")
    token = page.cookies["csrftoken"].value
    r = strict.post("/login", {"email": email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert r.status_code == 302


def test_password_change(db):
    c, _uid, email = page_signup("frank")
    r = c.post(
        "/account/password", {"old_password": "nope", "new_password1": "another horse 123", "new_password2": "x"}
    )
    assert r.status_code == 422
    r = c.post(
        "/account/password",
        {"old_password": PASSWORD, "new_password1": "another horse 123", "new_password2": "another horse 123"},
    )
    assert r.status_code == 302
    assert Client().login(username=email, password="another horse 123")


def test_language_switch_to_english_is_remembered(db):
    from chukai.accounts.models import User

    c, uid, _email = page_signup("gina")
    r = c.post("/language", {"language": "en", "next": "/dashboard"})
    assert r.status_code == 302 and r["Location"] == "/dashboard"
    html = c.get("/dashboard").content.decode()
    assert '<html lang="en">' in html and "Dashboard" in html
    assert User.objects.get(pk=uid).locale == "en"
    # A new session (no cookie) uses the saved locale.
    fresh = Client()
    fresh.force_login(User.objects.get(pk=uid))
    assert '<html lang="en">' in fresh.get("/dashboard").content.decode()


def test_anonymous_is_japanese_whatever_the_browser_says(db):
    html = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ja">' in html


def test_unknown_language_changes_nothing(db):
    c, _uid, _email = page_signup("hana")
    r = c.post("/language", {"language": "xx", "next": "/dashboard"}, follow=True)
    assert "不明な言語" in r.content.decode()
    assert '<html lang="ja">' in r.content.decode()


def test_htmx_is_served_locally():
    import chukai.web

    path = Path(chukai.web.__file__).parent / "static" / "web" / "htmx.min.js"
    assert path.stat().st_size > 10_000
    html_base = (Path(chukai.web.__file__).parent / "templates" / "web" / "base.html").read_text()
    assert "web/htmx.min.js" in html_base and "https://" not in html_base


def test_pages_need_login(db):
    r = Client().get("/dashboard")
    assert r.status_code == 302 and r["Location"].startswith("/login")


def test_yen_field_accepts_what_people_type():
    from chukai.web.forms import JobForm

    for typed in ("30000", "30,000", "¥30,000", "３００００", "30000円"):
        f = JobForm({"title": "t", "description": "d", "budget_jpy": typed, "pricing": "fixed", "policy": "chukai"})
        assert f.is_valid(), (typed, f.errors)
        assert f.cleaned_data["budget_jpy"] == 30000
    f = JobForm({"title": "t", "description": "d", "budget_jpy": "3万", "pricing": "fixed", "policy": "chukai"})
    assert not f.is_valid() and "budget_jpy" in f.errors
