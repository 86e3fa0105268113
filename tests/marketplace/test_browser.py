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
