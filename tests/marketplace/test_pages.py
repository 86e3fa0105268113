"""The job pages: search with the filters in the URL, the job page's buttons for each side."""

from __future__ import annotations

import re

from chukai.marketplace.models import Job, Proposal


def post_job(client, title: str, **extra: str) -> int:
    r = client.post(
        "/jobs/new",
        {"title": title, "description": "詳細", "budget_jpy": "50000", "pricing": "fixed", "policy": "chukai", **extra},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    return int(r["Location"].rstrip("/").split("/")[-1])


def test_search_page_keeps_filters_in_links(client_page, worker_page):
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    for i in range(23):
        post_job(client, f"ロゴ作成 {i}", category="design")
    refused = client.post(
        "/jobs/new",
        {
            "title": "記事作成",
            "description": "詳細",
            "budget_jpy": "50000",
            "pricing": "fixed",
            "policy": "chukai",
            "category": "writing",
            "apply_by": "2099-01-01",
        },
    )
    assert refused.status_code == 422 and "errorlist" in refused.content.decode()  # beyond 90 days
    assert not Job.objects.filter(title="記事作成").exists()
    post_job(client, "SEO記事の案件", category="writing")
    r = worker.get("/jobs", {"q": "ロゴ", "category": "design", "sort": "newest"})
    html = r.content.decode()
    assert r.status_code == 200
    assert html.count('class="card"><h2 class="flush">') == 20
    assert "SEO記事の案件" not in html and "ロゴ作成 22" in html
    nxt = re.search(r'href="(\?[^"]+)" rel="next"', html)
    assert nxt is not None
    link = nxt.group(1).replace("&amp;", "&")
    assert "q=%E3%83%AD%E3%82%B4" in link and "category=design" in link and "page=2" in link
    page2 = worker.get("/jobs" + link).content.decode()
    assert page2.count('class="card"><h2 class="flush">') == 3 and 'rel="prev"' in page2 and 'rel="next"' not in page2
    assert 'value="ロゴ"' in page2  # the form shows the search it came from
    bad = worker.get("/jobs", {"q": "x" * 300})
    assert bad.status_code == 422


def test_job_page_buttons(client_page, worker_page):
    client, _c, _ = client_page
    worker, worker_id, _ = worker_page
    job_id = post_job(client, "ロゴ作成", category="design")
    page = worker.get(f"/jobs/{job_id}").content.decode()
    assert 'id="fee-preview"' in page and "¥45,000" in page  # chukai: 10 % fee on ¥50,000
    r = worker.post(f"/jobs/{job_id}/propose", {"amount_jpy": "50000", "message": "よろしく"})
    assert r.status_code == 302
    proposal = Proposal.objects.get(job_id=job_id)
    seen = client.get(f"/jobs/{job_id}").content.decode()
    name = proposal.worker.display_name
    assert name in seen and "Penalty marks" not in seen  # Japanese page: labels translated
    r = client.post(f"/jobs/{job_id}", {"action": "decline", "proposal": proposal.pk})
    assert r.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    worker.post(f"/jobs/{job_id}/propose", {"amount_jpy": "40000", "message": "再提案"})
    again = Proposal.objects.get(job_id=job_id, status="pending")
    worker.post(f"/jobs/{job_id}", {"action": "withdraw", "proposal": again.pk})
    again.refresh_from_db()
    assert again.status == "withdrawn"
    client.post(f"/jobs/{job_id}", {"action": "close"})
    assert Job.objects.get(pk=job_id).status == "closed"
    r = worker.post(f"/jobs/{job_id}/propose", {"amount_jpy": "40000", "message": "もう一度"})
    assert r.status_code == 422
    assert worker.post(f"/jobs/{job_id}", {"action": "close"}).status_code == 404
    client.post(f"/jobs/{job_id}", {"action": "reopen"})
    assert Job.objects.get(pk=job_id).status == "open"
