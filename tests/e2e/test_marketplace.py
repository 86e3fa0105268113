"""The job search page in a real browser: the filters live in the URL, paging keeps them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import CHROMIUM, go, shot, signup

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"),
]


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def test_search_page_keeps_filters_in_the_url(new_page):
    from chukai.accounts.models import User
    from chukai.marketplace.services import job_post

    page = new_page(width=390, height=844)  # phone width
    email = signup(page, "発注者")
    client = User.objects.get(email=email)
    for i in range(22):
        job_post(
            client_id=client.pk,
            title=f"ロゴ作成 {i:02d}",
            description="会社のロゴ",
            budget_jpy=10_000 + i,
            pricing="fixed",
            category="design",
        )
    job_post(client_id=client.pk, title="Logo for a café", description="A LOGO", budget_jpy=99_000, pricing="fixed")
    job_post(
        client_id=client.pk, title="記事作成", description="SEO", budget_jpy=50_000, pricing="fixed", category="writing"
    )

    go(page, "/jobs")
    page.fill("#id_q", "ロゴ")
    page.select_option("#id_category", "design")
    page.select_option("#id_sort", "budget_desc")
    page.click("#job-search button[type=submit]")
    page.wait_for_url("**/jobs?*")
    q = _query(page.url)
    assert q["q"] == ["ロゴ"] and q["category"] == ["design"] and q["sort"] == ["budget_desc"]
    results = page.locator("#job-results > li")
    assert results.count() == 20
    assert results.first.locator("h2").inner_text() == "ロゴ作成 21"  # highest budget first
    assert page.get_by_text("記事作成", exact=True).count() == 0
    shot(page, "market-01-search-phone")

    page.click("a[rel=next]")
    page.wait_for_url("**page=2*")
    q = _query(page.url)
    assert q["q"] == ["ロゴ"] and q["category"] == ["design"] and q["page"] == ["2"]
    assert page.locator("#job-results > li").count() == 2
    assert page.input_value("#id_q") == "ロゴ" and page.input_value("#id_category") == "design"

    page.reload()  # the URL alone carries the search
    assert page.locator("#job-results > li").count() == 2
    page.go_back()
    page.wait_for_url(lambda url: "page=2" not in url)
    assert page.locator("#job-results > li").count() == 20

    go(page, "/jobs?q=LOGO")  # Latin letters in any case
    assert [t.strip() for t in page.locator("#job-results h2").all_inner_texts()] == ["Logo for a café"]
    shot(page, "market-02-search-latin")


def test_proposal_flow_from_both_sides_and_the_todo_panel(new_page):
    import re

    client = new_page()
    worker = new_page(width=390, height=844)  # the worker is on a phone
    rival = new_page()
    signup(client, "発注者")
    signup(worker, "デザイナー")
    signup(rival, "別のデザイナー")

    go(client, "/jobs/new")
    client.fill("#id_title", "会社ロゴの作成")
    client.fill("#id_description", "シンプルなロゴをお願いします。")
    client.fill("#id_budget_jpy", "50000")
    client.select_option("#id_category", "design")
    client.check("input[name=policy][value=lancers]")
    client.get_by_role("button", name="依頼を掲載する").click()
    client.wait_for_url(re.compile(r"/jobs/\d+$"))
    job_url = client.url

    for page, amount in ((rival, "45000"), (worker, "50000")):
        page.goto(job_url)
        assert "受取額" in page.inner_text("#fee-preview") or "you will receive" in page.inner_text("#fee-preview")
        page.fill("#id_amount_jpy", amount)
        page.fill("#id_message", "よろしくお願いします。")
        page.get_by_role("button", name="提案を送る").click()
        page.get_by_text("提案を送りました。").wait_for()
    assert worker.locator("#propose").count() == 0  # one proposal per worker: the form is gone
    shot(worker, "market-03-proposal-sent-phone")

    client.goto(job_url)
    rows = client.locator("#proposals tbody tr")
    assert rows.count() == 2
    assert "別のデザイナー" in rows.nth(0).inner_text() and "ペナルティ 0" in rows.nth(0).inner_text()
    shot(client, "market-04-proposals-client")
    rows.nth(0).get_by_role("button", name="この提案を見送る").click()
    client.get_by_text("提案を見送りました。").wait_for()
    rival.goto(job_url)
    assert "見送" in rival.inner_text("#proposals")
    go(rival, "/notifications")
    assert rival.get_by_text("提案が見送られました：会社ロゴの作成").first.is_visible()

    client.goto(job_url)
    client.get_by_role("button", name="この提案で契約する").click()
    client.wait_for_url(re.compile(r"/contracts/\d+$"))
    go(client, "/dashboard")
    panel = client.locator("#todo")
    assert (
        "要対応" in panel.inner_text() and "仮払いする" in panel.inner_text() and "会社ロゴの作成" in panel.inner_text()
    )
    shot(client, "market-05-todo-panel")
