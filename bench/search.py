"""Job search at 500,000 jobs on PostgreSQL: EXPLAIN ANALYZE of the exact SQL that GET /api/jobs runs.

    .venv/bin/python -m bench.search                 # 500,000 jobs (about 5 minutes to build)
    .venv/bin/python -m bench.search --jobs 50000    # a smoke run

Drops and re-creates the scratch database chukai_bench_search (CHUKAI_BENCH_SEARCH_DATABASE_URL to
change; the name must start with chukai_bench), migrates it (the migration creates pg_trgm and the
GIN index), fills it with generate_series (a benchmark fixture, not domain data: titles and
descriptions drawn from a fixed vocabulary of Japanese and English job words), ANALYZEs, then runs
each search through the real selector with the queries captured and EXPLAIN (ANALYZE, BUFFERS)s them.
Every job is open (the worst case: nothing is filtered out before the words). Loopback only.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time

from bench import db

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chukai_bench_search"

# (Japanese, English) pairs; the title takes one, the description three. 量子暗号 is rare (1 job in 1,000).
WORDS = [
    ("ロゴ作成", "Logo design"),
    ("Webサイト制作", "Website build"),
    ("SEO記事の執筆", "SEO articles"),
    ("英日翻訳", "English to Japanese translation"),
    ("データ入力", "Data entry"),
    ("動画編集", "Video editing"),
    ("アプリ開発", "App development"),
    ("LP制作", "Landing page"),
    ("名刺デザイン", "Business card design"),
    ("ECサイト構築", "Online shop setup"),
    ("ナレーション収録", "Voice narration"),
    ("経理代行", "Bookkeeping"),
    ("イラスト制作", "Illustration"),
    ("Python自動化", "Python automation"),
    ("WordPress保守", "WordPress maintenance"),
    ("採用ページ", "Careers page"),
    ("SNS運用代行", "Social media management"),
    ("商品撮影", "Product photography"),
    ("バナー作成", "Banner design"),
    ("議事録作成", "Meeting minutes"),
]
CATEGORIES = ["design", "web", "writing", "translation", "admin", "video", "development", "marketing"]


def populate(n: int) -> None:
    from django.db import connection

    ja = "ARRAY[" + ",".join(f"'{j}'" for j, _e in WORDS) + "]"
    en = "ARRAY[" + ",".join(f"'{e}'" for _j, e in WORDS) + "]"
    cats = "ARRAY[" + ",".join(f"'{c}'" for c in CATEGORIES) + "]"
    k = len(WORDS)
    from chukai.accounts.models import User

    client_id = User.objects.create_user("bench@example.com", None, display_name="bench").pk
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute(
            f"""
            INSERT INTO marketplace_job (client_id, title, description, budget_jpy, pricing, policy, category, status,
                                         created_at, apply_by, due_date, edited_at, search_text)
            SELECT {client_id}, t.title, t.description, 5000 + (i::bigint * 7919) % 995000,
                   CASE WHEN i % 7 = 0 THEN 'hourly' ELSE 'fixed' END,
                   (ARRAY['chukai','lancers','crowdworks','upwork'])[1 + i % 4],
                   ({cats})[1 + i % {len(CATEGORIES)}], 'open',
                   now() - make_interval(secs => i * 60), now() + interval '30 days', NULL, NULL,
                   lower(t.title || E'\\n' || t.description)
            FROM generate_series(1, {n}) AS i,
            LATERAL (SELECT
                CASE WHEN i % 2 = 0 THEN ({ja})[1 + i % {k}] ELSE ({en})[1 + i % {k}] END
                    || ' のお仕事 #' || i AS title,
                'ご依頼内容：' || ({ja})[1 + (i * 3) % {k}] || 'と' || ({ja})[1 + (i * 11) % {k}]
                    || '。We also need ' || ({en})[1 + (i * 13) % {k}] || '. 納期は相談可、継続案件です。'
                    || CASE WHEN i % 1000 = 0 THEN '量子暗号の知識がある方歓迎。' ELSE '' END AS description
            ) AS t
            """
        )
        cur.execute("ANALYZE marketplace_job")


SEARCHES: list[tuple[str, dict[str, object]]] = [
    ("newest, no words", {}),
    ("q=ロゴ (2 characters)", {"q": "ロゴ"}),
    ("q=ロゴ作成 (4 characters)", {"q": "ロゴ作成"}),
    ("q=logo design (2 Latin words)", {"q": "logo design"}),
    ("q=量子暗号 (rare: 1 in 1,000)", {"q": "量子暗号"}),
    ("q=存在しない言葉 (no match)", {"q": "存在しない言葉"}),
    ("q=translation + category=translation", {"q": "translation", "category": "translation"}),
    ("budget 100k–200k, budget_desc", {"min_budget_jpy": 100_000, "max_budget_jpy": 200_000, "sort": "budget_desc"}),
    ("q=% (odd input)", {"q": "%"}),
    ("q=ロゴ作成, page 50", {"q": "ロゴ作成", "page": 50}),
]


def explain(sql: str) -> tuple[float, str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [r[0] for r in cur.fetchall()]
    total = next(float(m.group(1)) for ln in lines if (m := re.match(r"Execution Time: ([\d.]+) ms", ln)))
    return total, "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    p.add_argument("--jobs", type=int, default=500_000)
    p.add_argument("--plans", action="store_true", help="print every plan in full")
    a = p.parse_args()
    url = os.environ.get("CHUKAI_BENCH_SEARCH_DATABASE_URL", DEFAULT_URL)
    print(f"chukai search bench — {url} (recreated), {a.jobs:,} open jobs, Python {platform.python_version()}")
    db.recreate(url)
    db.setup_django(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chukai.marketplace import selectors

    started = time.perf_counter()
    populate(a.jobs)
    print(f"filled in {time.perf_counter() - started:.0f} s (generate_series, one INSERT, every index in place)")
    t0 = time.perf_counter()
    with connection.cursor() as cur:  # the migration made it on an empty table; rebuild it as a bulk load would
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("REINDEX INDEX job_open_search_trgm")
        cur.execute(
            "SELECT pg_size_pretty(pg_relation_size('job_open_search_trgm')), "
            "pg_size_pretty(pg_total_relation_size('marketplace_job'))"
        )
        gin, table = cur.fetchone()  # type: ignore[misc]
        cur.execute("SHOW server_version")
        (version,) = cur.fetchone()  # type: ignore[misc]
    print(f"GIN trigram index rebuilt in {time.perf_counter() - t0:.0f} s: {gin}; table with indexes {table}")
    print(f"PostgreSQL {version}; load average {os.getloadavg()[0]:.1f}\n")
    print(f"{'search':<36} {'total':>8} {'count ms':>9} {'page ms':>8}  plan of the count")
    for name, params in SEARCHES:
        s = selectors.Search(**params)  # type: ignore[arg-type]
        with CaptureQueriesContext(connection) as ctx:
            found = selectors.job_search(s)
        total = f"{found.total:,}{'+' if found.capped else ''}"
        sqls = [q["sql"] for q in ctx.captured_queries]
        timings = []
        plans = []
        for sql in sqls:
            best = float("inf")
            for _ in range(3):  # warm: best of three
                ms, plan = explain(sql)
                best = min(best, ms)
            timings.append(best)
            plans.append(plan)
        shape = " / ".join(
            sorted(
                {
                    m
                    for m in re.findall(
                        r"(Bitmap Index Scan on \w+|Index Scan(?: Backward)? using \w+|"
                        r"Parallel Seq Scan on \w+|Seq Scan on \w+)",
                        plans[0],
                    )
                }
            )
        )
        page_ms = f"{timings[1]:8.1f}" if len(timings) > 1 else "       —"
        print(f"{name:<36} {total:>8} {timings[0]:9.1f} {page_ms}  {shape}", flush=True)
        if a.plans:
            for sql, plan in zip(sqls, plans, strict=True):
                print("\n" + sql + "\n" + plan + "\n")
    print(f"\ndone in {time.perf_counter() - started:.0f} s; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
