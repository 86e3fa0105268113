"""Forms posted with bad input show a clear message and change nothing (in the browser)."""

from __future__ import annotations

import re

from tests.e2e.conftest import go, shot, signup


def test_job_and_proposal_with_bad_input(new_page):
    from chukai.marketplace.models import Job, Proposal

    client = new_page()
    worker = new_page(width=390, height=844)
    signup(client, "発注者E")
    signup(worker, "ライターF")
    go(client, "/jobs/new")
    client.fill("#id_title", "")
    client.fill("#id_budget_jpy", "abc")
    client.get_by_role("button", name="依頼を掲載する").click()
    assert client.get_by_text("金額は円単位の整数（数字のみ）で入力してください。").is_visible()
    assert client.get_by_text("下のエラーを直してください。何も保存されていません。").is_visible()
    shot(client, "30-job-post-errors")
    assert Job.objects.count() == 0
    client.fill("#id_title", "ロゴ制作")
    client.fill("#id_description", "ロゴを1点")
    client.fill("#id_budget_jpy", "30000")
    client.get_by_role("button", name="依頼を掲載する").click()
    client.wait_for_url(re.compile(r"/jobs/\d+$"))
    job_url = client.url
    shot(client, "31-job-page-client")

    worker.goto(job_url)
    worker.fill("#id_amount_jpy", "30000")
    worker.fill("#id_message", "お任せください")
    worker.fill("#id_milestones", "ラフ案, 10000\n仕上げ, 10000")
    worker.get_by_role("button", name="提案を送る").click()
    assert worker.get_by_text("マイルストーンの合計は ¥20,000 で、合計金額 ¥30,000 と一致しません。").is_visible()
    shot(worker, "32-proposal-errors-phone")
    assert Proposal.objects.count() == 0
    go(worker, "/jobs")
    shot(worker, "33-jobs-board-phone")
