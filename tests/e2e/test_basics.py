"""Sign up, switch the language, bad input on forms, a phone-width dashboard."""

from __future__ import annotations

from tests.e2e.conftest import go, shot, signup


def test_signup_and_switch_language_to_english(new_page):
    page = new_page()
    go(page, "/")
    assert page.locator("html").get_attribute("lang") == "ja"
    shot(page, "01-home-ja")
    signup(page, "由美")
    assert page.get_by_role("heading", name="ダッシュボード").is_visible()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    shot(page, "02-dashboard-en")
    go(page, "/policies")
    assert page.get_by_role("heading", name="Policies: the rules a contract follows").is_visible()
    shot(page, "03-policies-en")
    page.get_by_role("button", name="日本語").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"


def test_bad_input_on_signup_and_login_shows_a_message(new_page):
    from chukai.accounts.models import User

    page = new_page(width=390, height=844)  # phone width
    go(page, "/signup")
    page.fill("#id_email", "not-an-email")
    page.fill("#id_password", "x")
    page.click("main button[type=submit]")
    assert page.get_by_text("有効なメールアドレスを入力してください。").first.is_visible()
    assert page.get_by_text("何も保存されていません").first.is_visible()
    shot(page, "04-signup-errors-phone")
    assert User.objects.count() == 0
    go(page, "/login")
    page.fill("#id_email", "nobody@example.com")
    page.fill("#id_password", "wrong")
    page.click("main button[type=submit]")
    assert page.get_by_text("メールアドレスまたはパスワードが違います。").is_visible()
