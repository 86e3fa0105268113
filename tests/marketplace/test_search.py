"""Job search (DOMAIN §13): words in Japanese and English, filters, order, pages, odd input."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chukai import clock
from chukai.marketplace.models import Job
from chukai.marketplace.search import search_text_for
from tests.conftest import Api, is_postgres

pytestmark = pytest.mark.django_db(transaction=False)


def post_job(api: Api, title: str, **kw: Any) -> dict[str, Any]:
    body = {
        "title": title,
        "description": kw.pop("description", "詳細はご相談ください。"),
        "budget_jpy": kw.pop("budget_jpy", 50_000),
        "pricing": kw.pop("pricing", "fixed"),
        **kw,
    }
    r = api.post("/api/jobs", body)
    assert r.status_code == 201, r.content
    return r.json()


def titles(api: Api, query: str = "") -> list[str]:
    r = api.get("/api/jobs" + query)
    assert r.status_code == 200, r.content
    return [j["title"] for j in r.json()]


@pytest.fixture
def board(client_api: Api) -> Api:
    with time_machine.travel(clock.now() - dt.timedelta(hours=5), tick=False) as t:
        post_job(client_api, "会社のロゴ作成", category="design", budget_jpy=30_000, policy="lancers")
        t.shift(dt.timedelta(minutes=1))
        post_job(client_api, "Logo Design for a café", description="We need a LOGO and icons.", category="design")
        t.shift(dt.timedelta(minutes=1))
        post_job(client_api, "SEO記事の作成（月10本）", category="writing", budget_jpy=80_000, policy="crowdworks")
        t.shift(dt.timedelta(minutes=1))
        post_job(
            client_api,
            "React engineer",
            description="100% remote, 週3日_稼働",
            category="development",
            budget_jpy=400_000,
            pricing="hourly",
            policy="upwork",
        )
        t.shift(dt.timedelta(minutes=1))
        post_job(
            client_api,
            "英語→日本語の翻訳",
            description='マニュアル 「quoted」 "text" 🎉 絵文字OK',
            category="translation",
        )
    return client_api


def test_japanese_two_character_word_matches(board, worker_api):
    assert titles(worker_api, "?q=ロゴ") == ["会社のロゴ作成"]
    assert titles(worker_api, "?q=作成") == ["SEO記事の作成（月10本）", "会社のロゴ作成"]
    assert titles(worker_api, "?q=翻") == ["英語→日本語の翻訳"]  # one character


def test_latin_letters_ignore_case_and_width(board, worker_api):
    assert titles(worker_api, "?q=logo") == ["Logo Design for a café"]
    assert titles(worker_api, "?q=LOGO") == ["Logo Design for a café"]
    assert titles(worker_api, "?q=ＬＯＧＯ") == ["Logo Design for a café"]  # full-width letters
    assert titles(worker_api, "?q=CAFÉ") == ["Logo Design for a café"]
    assert titles(worker_api, "?q=seo") == ["SEO記事の作成（月10本）"]


def test_every_word_must_appear(board, worker_api):
    assert titles(worker_api, "?q=logo%20icons") == ["Logo Design for a café"]
    assert titles(worker_api, "?q=logo%E3%80%80%E3%83%AD%E3%82%B4") == []  # "logo　ロゴ" (ideographic space)
    assert titles(worker_api, "?q=%20%20") == titles(worker_api)  # only spaces: no word filter


def test_wildcards_quotes_and_emoji_are_plain_characters(board, worker_api):
    assert titles(worker_api, "?q=%25") == ["React engineer"]  # "%"
    assert titles(worker_api, "?q=_") == ["React engineer"]
    assert titles(worker_api, "?q=100%25") == ["React engineer"]
    assert titles(worker_api, "?q=%E9%80%B13%E6%97%A5_") == ["React engineer"]  # 週3日_
    assert titles(worker_api, "?q=%22text%22") == ["英語→日本語の翻訳"]
    assert titles(worker_api, "?q='") == []
    assert titles(worker_api, "?q=%5C") == []  # a backslash
    assert titles(worker_api, "?q=%F0%9F%8E%89") == ["英語→日本語の翻訳"]  # 🎉
    assert titles(worker_api, "?q=%E3%80%8Cquoted%E3%80%8D") == ["英語→日本語の翻訳"]


def test_too_long_a_query_is_refused_quickly(board, worker_api):
    started = time.monotonic()
    r = worker_api.get("/api/jobs", data={"q": "あ" * 10_000})
    assert r.status_code == 422 and "q" in r.json()["fields"]
    assert time.monotonic() - started < 2
    assert worker_api.get("/api/jobs", data={"q": "a" * 200}).status_code == 200


def test_filters(board, worker_api):
    assert titles(worker_api, "?category=design") == ["Logo Design for a café", "会社のロゴ作成"]
    assert titles(worker_api, "?category=design&q=ロゴ") == ["会社のロゴ作成"]
    assert titles(worker_api, "?min_budget_jpy=60000") == ["React engineer", "SEO記事の作成（月10本）"]
    assert titles(worker_api, "?max_budget_jpy=30000") == ["会社のロゴ作成"]
    assert titles(worker_api, "?min_budget_jpy=50000&max_budget_jpy=80000") == [
        "英語→日本語の翻訳",
        "SEO記事の作成（月10本）",
        "Logo Design for a café",
    ]
    assert titles(worker_api, "?policy=crowdworks") == ["SEO記事の作成（月10本）"]
    assert titles(worker_api, "?pricing=hourly") == ["React engineer"]
    assert titles(worker_api, "?category=apps") == []


def test_order(board, worker_api):
    newest = titles(worker_api)
    assert newest[0] == "英語→日本語の翻訳" and newest[-1] == "会社のロゴ作成"
    assert titles(worker_api, "?sort=budget_desc")[:2] == ["React engineer", "SEO記事の作成（月10本）"]


def test_pages_total_and_next_link(board, worker_api):
    r = worker_api.get("/api/jobs?category=design&page_size=1")
    assert r["X-Total-Count"] == "2"
    assert [j["title"] for j in r.json()] == ["Logo Design for a café"]
    link = r["Link"]
    assert link.startswith("<http://testserver/api/jobs?") and link.endswith('>; rel="next"')
    assert "category=design" in link and "page_size=1" in link and "page=2" in link
    nxt = worker_api.get(link[1 : link.index(">")].replace("http://testserver", ""))
    assert [j["title"] for j in nxt.json()] == ["会社のロゴ作成"]
    assert nxt["X-Total-Count"] == "2" and not nxt.has_header("Link")
    beyond = worker_api.get("/api/jobs?category=design&page_size=1&page=3")
    assert beyond.status_code == 200 and beyond.json() == [] and beyond["X-Total-Count"] == "2"
    empty = worker_api.get("/api/jobs?q=存在しない言葉")
    assert empty.json() == [] and empty["X-Total-Count"] == "0" and not empty.has_header("Link")


@pytest.mark.parametrize(
    "query,field",
    [
        ("page=0", "page"),
        ("page=1001", "page"),
        ("page=x", "page"),
        ("page_size=101", "page_size"),
        ("page_size=0", "page_size"),
        ("sort=oldest", "sort"),
        ("category=cooking", "category"),
        ("policy=fiverr", "policy"),
        ("pricing=free", "pricing"),
        ("min_budget_jpy=-1", "min_budget_jpy"),
        ("min_budget_jpy=9&max_budget_jpy=8", "max_budget_jpy"),
        ("max_budget_jpy=99999999999999999999999", "max_budget_jpy"),
    ],
)
def test_bad_parameters_are_422(worker_api, query, field):
    r = worker_api.get("/api/jobs?" + query)
    assert r.status_code == 422, r.content
    assert field in str(r.json()["fields"]), r.json()


def test_closed_and_expired_jobs_are_not_listed(client_api, worker_api):
    keep = post_job(client_api, "残る案件")
    closed = post_job(client_api, "締め切る案件")
    assert client_api.post(f"/api/jobs/{closed['id']}/close").json()["status"] == "closed"
    soon = post_job(client_api, "すぐ締切", apply_by=(clock.now() + dt.timedelta(days=1)).isoformat())
    assert titles(worker_api) == ["すぐ締切", "残る案件"]
    with time_machine.travel(clock.now() + dt.timedelta(days=1, seconds=1), tick=False):
        assert titles(worker_api) == ["残る案件"]
        assert worker_api.get(f"/api/jobs/{soon['id']}").json()["status"] == "closed"
        mine = client_api.get("/api/jobs?mine=true&status=all").json()
        assert {j["id"] for j in mine} == {keep["id"], closed["id"], soon["id"]}


def test_categories_in_the_callers_language(client_api):
    from tests.conftest import signup

    ja = client_api.get("/api/categories").json()
    en = signup("english", locale="en").get("/api/categories").json()
    assert [c["code"] for c in ja] == [c["code"] for c in en]
    assert {"code": "design", "name": "デザイン・ロゴ・イラスト"} in ja
    assert {"code": "design", "name": "Design, logos and illustration"} in en
    assert ja[-1]["code"] == "other"


def _bulk_jobs(client_id: int, n: int) -> None:
    """10,000 jobs in one insert: the services would take minutes; the rows are what they would write."""
    now = clock.now()
    words = ["ロゴ作成", "Webサイト制作", "記事作成", "Logo design", "翻訳", "データ入力"]
    rows = []
    for i in range(n):
        title = f"{words[i % len(words)]} #{i}"
        description = f"案件{i}の詳細です。{words[(i * 7) % len(words)]}をお願いします。"
        rows.append(
            Job(
                client_id=client_id,
                title=title,
                description=description,
                budget_jpy=1_000 + i,
                pricing="fixed",
                policy="chukai",
                category=["design", "web", "writing", "translation"][i % 4],
                created_at=now - dt.timedelta(minutes=i),
                apply_by=now + dt.timedelta(days=14),
                search_text=search_text_for(title, description),
            )
        )
    Job.objects.bulk_create(rows, batch_size=2000)


def _queries(api: Api, path: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path)
        assert r.status_code == 200, r.content
    return len(ctx.captured_queries), r


def test_search_query_budget_at_10000_jobs(client_api, worker_api):
    paths = [
        "/api/jobs",
        "/api/jobs?q=ロゴ&category=design&sort=budget_desc&page=2",
        "/api/jobs?q=logo%20DESIGN&min_budget_jpy=2000&max_budget_jpy=9000&page_size=100",
    ]
    post_job(client_api, "ロゴ作成 small")
    worker_api.get("/api/me")  # last_seen_at is touched once a minute: not part of the budget
    small = [_queries(worker_api, p)[0] for p in paths]
    assert max(small) <= 3  # the token, the count, the page (skipped when the page is past the end)
    _bulk_jobs(client_api.user_id, 10_000)
    started = time.monotonic()
    big = []
    for p in paths:
        n, r = _queries(worker_api, p)
        big.append(n)
        assert int(r["X-Total-Count"]) > 0
    assert big == [3, 3, 3]
    assert time.monotonic() - started < 5  # three searches over 10,000 rows (SQLite scans; PostgreSQL indexes)
    n, r = _queries(worker_api, "/api/jobs?q=ロゴ")
    assert r["X-Total-Count"] == str(1 + len(range(0, 10_000, 6)))  # every 6th job, and the small one
    assert all("ロゴ" in j["title"] + j["description"] for j in r.json())


def test_postgres_search_uses_the_trigram_index(client_api):
    if not is_postgres():
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'job_open_search_trgm'")
        (definition,) = cur.fetchone()
    assert "gin_trgm_ops" in definition and "status" in definition


def test_count_stops_at_the_cap(board, worker_api, monkeypatch):
    from chukai.marketplace import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    r = worker_api.get("/api/jobs?page_size=2")
    assert r["X-Total-Count"] == "3" and r["X-Total-Count-Capped"] == "true"
    assert "page=2" in r["Link"]
    last = worker_api.get("/api/jobs?page_size=2&page=2")
    assert len(last.json()) == 2 and not last.has_header("Link")  # links end at the cap
    exact = worker_api.get("/api/jobs?category=design")
    assert exact["X-Total-Count"] == "2" and not exact.has_header("X-Total-Count-Capped")
