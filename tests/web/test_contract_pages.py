"""The contract page and its forms, through the pages (Django test client)."""

from __future__ import annotations

import datetime as dt

import time_machine

from chukai.contracts.models import Contract, Event, Milestone
from tests.web.conftest import page_contract


def _html(r) -> str:
    return r.content.decode()


def test_job_board_post_propose_accept_and_fund(client_page, worker_page):
    client, _cid, _ = client_page
    worker, _wid, _ = worker_page
    contract_id = page_contract(client, worker, milestones="構成案, 10000\n本文, 40000")
    c = Contract.objects.get(pk=contract_id)
    assert c.status == "awaiting_escrow" and c.milestones.count() == 2
    html = _html(worker.get(f"/contracts/{contract_id}"))
    assert "作業を始めないでください" in html  # nothing funded: the worker must not start
    assert "仮払い前" in html
    first = c.milestones.order_by("position").first()
    assert first is not None
    r = client.post(f"/contracts/{contract_id}/milestones/{first.pk}/fund")
    assert r.status_code == 302
    html = _html(client.get(f"/contracts/{contract_id}"))
    assert "仮払いしました" in html
    assert "¥10,000" in html and "仮払い済み" in html
    dash = _html(client.get("/dashboard"))
    assert "SEO記事作成" in dash and "進行中" in dash


def test_worker_cannot_fund_and_sees_no_fund_button(client_page, worker_page):
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    contract_id = page_contract(client, worker)
    m = Milestone.objects.get(contract_id=contract_id)
    r = worker.post(f"/contracts/{contract_id}/milestones/{m.pk}/fund")
    assert r.status_code == 409
    assert "クライアント" in _html(r) or "立場" in _html(r)
    assert Milestone.objects.get(pk=m.pk).status == "unfunded"


def test_deliver_accept_and_disabled_reasons(client_page, worker_page):
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    contract_id = page_contract(client, worker)
    m = Milestone.objects.get(contract_id=contract_id)
    html = _html(worker.get(f"/contracts/{contract_id}"))
    assert "仮払い前に作業を始めないでください" in html  # delivering waits for escrow, and says so
    client.post(f"/contracts/{contract_id}/milestones/{m.pk}/fund")
    html = _html(client.get(f"/contracts/{contract_id}"))
    # Accepting is shown disabled with its reason while nothing is delivered.
    assert "検収して支払いを確定する" in html and "まだ納品がありません" in html
    r = worker.post(f"/contracts/{contract_id}/milestones/{m.pk}/deliver", {"message": "納品します"})
    assert r.status_code == 302
    html = _html(client.get(f"/contracts/{contract_id}"))
    assert "自動検収" in html  # the acceptance deadline with its countdown
    assert "あと" in html
    r = client.post(f"/contracts/{contract_id}/milestones/{m.pk}/accept")
    assert r.status_code == 302
    assert Contract.objects.get(pk=contract_id).status == "completed"
    html = _html(worker.get(f"/contracts/{contract_id}"))
    assert "¥45,000" in html  # 50,000 less the 10 % fee


def test_revision_without_reason_changes_nothing(client_page, worker_page):
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    contract_id = page_contract(client, worker)
    m = Milestone.objects.get(contract_id=contract_id)
    client.post(f"/contracts/{contract_id}/milestones/{m.pk}/fund")
    worker.post(f"/contracts/{contract_id}/milestones/{m.pk}/deliver", {"message": ""})
    events = Event.objects.filter(contract_id=contract_id).count()
    r = client.post(f"/contracts/{contract_id}/milestones/{m.pk}/revision", {"reason": "  "})
    assert r.status_code == 422
    assert "この項目は必須です" in _html(r)
    assert "何も保存されていません" in _html(r)
    assert Milestone.objects.get(pk=m.pk).status == "delivered"
    assert Event.objects.filter(contract_id=contract_id).count() == events


def test_due_date_and_plan_change_bad_input_then_good(client_page, worker_page):
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    contract_id = page_contract(client, worker)
    r = worker.post(f"/contracts/{contract_id}/due-date", {"due_date": "2001-01-01"})
    assert r.status_code == 422 and "過去の日付" in _html(r)
    r = worker.post(f"/contracts/{contract_id}/due-date", {"due_date": "not a date"})
    assert r.status_code == 422 and "2026-12-31 の形" in _html(r)
    r = worker.post(f"/contracts/{contract_id}/plan", {"milestones": "no amount here"})
    assert r.status_code == 422 and "1 行目" in _html(r)
    c = Contract.objects.get(pk=contract_id)
    assert c.due_date_changes.count() == 0 and c.plan_changes.count() == 0
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    assert worker.post(f"/contracts/{contract_id}/due-date", {"due_date": future}).status_code == 302
    change = c.due_date_changes.get()
    assert client.post(f"/contracts/{contract_id}/due-date/{change.pk}/whatever").status_code == 404
    assert c.due_date_changes.get().status == "pending"  # an unknown verdict declines nothing
    html = _html(client.get(f"/contracts/{contract_id}"))
    assert "提案された新しい納期" in html
    assert client.post(f"/contracts/{contract_id}/due-date/{change.pk}/accept").status_code == 302
    assert Contract.objects.get(pk=contract_id).due_date.isoformat() == future
    r = worker.post(f"/contracts/{contract_id}/plan", {"milestones": "前半, 20000\n後半, 30000"})
    assert r.status_code == 302
    plan = c.plan_changes.get()
    assert client.post(f"/contracts/{contract_id}/plan/{plan.pk}/nope").status_code == 404
    assert client.post(f"/contracts/{contract_id}/plan/{plan.pk}/accept").status_code == 302
    assert [m.amount_jpy for m in Milestone.objects.filter(contract_id=contract_id)] == [20000, 30000]


def test_messages_read_marks_and_empty_message(client_page, worker_page):
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    contract_id = page_contract(client, worker)
    r = worker.post(f"/contracts/{contract_id}/messages", {"body": ""})
    assert r.status_code == 422 and "この項目は必須です" in _html(r)
    r = worker.post(f"/contracts/{contract_id}/messages", {"body": "承知しました、後ほど仮払い対応お願いします"})
    assert r.status_code == 302
    html = _html(worker.get(f"/contracts/{contract_id}"))
    assert "未読" in html
    html = _html(client.get(f"/contracts/{contract_id}"))  # the client opens the thread
    assert "承知しました" in html
    html = _html(worker.get(f"/contracts/{contract_id}"))
    assert "既読" in html


def test_message_with_attachment_and_download(client_page, worker_page, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    contract_id = page_contract(client, worker)
    f = SimpleUploadedFile("draft.txt", "原稿です".encode(), content_type="text/plain")
    r = worker.post(f"/contracts/{contract_id}/messages", {"body": "原稿を添付します", "attachment": f})
    assert r.status_code == 302, _html(r)[:2000]
    html = _html(client.get(f"/contracts/{contract_id}"))
    assert "draft.txt" in html
    from chukai.messaging.models import Attachment

    att = Attachment.objects.get(contract_id=contract_id)
    r = client.get(f"/contracts/{contract_id}/attachments/{att.pk}")
    assert r.status_code == 200 and b"".join(r.streaming_content).decode() == "原稿です"
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    r = worker.post(f"/contracts/{contract_id}/messages", {"body": "もう一つ", "attachment": bad})
    assert r.status_code == 422
    assert Attachment.objects.filter(contract_id=contract_id).count() == 1


def test_strangers_get_404(client_page, worker_page):
    from tests.web.conftest import page_signup

    client, _c, _ = client_page
    worker, _w, _ = worker_page
    contract_id = page_contract(client, worker)
    stranger, _s, _ = page_signup("stranger")
    assert stranger.get(f"/contracts/{contract_id}").status_code == 404
    assert stranger.get(f"/contracts/{contract_id}/contact-reminder").status_code == 404


def test_contact_reminder_confirmation_shows_preview_and_advice(client_page, worker_page):
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    start = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as tm:
        contract_id = page_contract(client, worker, policy="lancers")
        m = Milestone.objects.get(contract_id=contract_id)
        client.post(f"/contracts/{contract_id}/milestones/{m.pk}/fund")
        worker.post(f"/contracts/{contract_id}/messages", {"body": "ご確認お願いします"})
        html = _html(worker.get(f"/contracts/{contract_id}/contact-reminder"))
        assert "まだできません" in html and "から利用できます" not in html
        assert "2026-11-09" in html  # available 7 days after the unanswered message
        tm.shift(dt.timedelta(days=7, minutes=1))
        html = _html(worker.get(f"/contracts/{contract_id}/contact-reminder"))
        assert "先に完了報告" in html or "完了報告を" in html  # deliver_first advice
        assert "¥50,000" in html and "返金" in html
        worker.post(f"/contracts/{contract_id}/milestones/{m.pk}/deliver", {"message": "納品しました"})
        html = _html(worker.get(f"/contracts/{contract_id}/contact-reminder"))
        assert "¥50,000" in html
        r = worker.post(f"/contracts/{contract_id}/contact-reminder")
        assert r.status_code == 302 and r["Location"].endswith("/contact-reminder/done")
        html = _html(worker.get(r["Location"]))
        assert "連絡期限" in html and "2026-11-16" in html
        html = _html(client.get(f"/contracts/{contract_id}"))
        assert "取引相手があなたの回答を待っています" in html or "連絡催促申請" in html


def test_notifications_page_count_and_mark_read(client_page, worker_page):
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    page_contract(client, worker)  # the worker is notified that a contract formed
    html = _html(worker.get("/dashboard"))
    assert 'id="nav-notifications"' in html and 'class="count"' in html
    html = _html(worker.get("/notifications"))
    assert "新着" in html
    assert worker.post("/notifications/read").status_code == 302
    html = _html(worker.get("/notifications"))
    assert "新着" not in html and "既読" in html
    assert 'class="count"' not in _html(worker.get("/dashboard"))


def test_unread_banner_after_72_hours(client_page, worker_page):
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    with time_machine.travel(dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC), tick=False) as tm:
        contract_id = page_contract(client, worker)
        worker.post(f"/contracts/{contract_id}/messages", {"body": "ご確認ください"})
        assert "72時間以上未読" not in _html(client.get("/dashboard"))
        tm.shift(dt.timedelta(hours=73))
        assert "72時間以上未読" in _html(client.get("/dashboard"))


def test_termination_with_bad_partial_payment_changes_nothing(client_page, worker_page):
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    contract_id = page_contract(client, worker)
    m = Milestone.objects.get(contract_id=contract_id)
    client.post(f"/contracts/{contract_id}/milestones/{m.pk}/fund")
    r = worker.post(f"/contracts/{contract_id}/termination", {"reason": "体調不良のため", "pay_worker_jpy": "999999"})
    assert r.status_code == 422
    assert "50,000" in _html(r)  # at most the escrowed amount
    r = worker.post(f"/contracts/{contract_id}/termination", {"reason": "", "pay_worker_jpy": "-5"})
    assert r.status_code == 422
    from chukai.remedies.models import TerminationRequest

    assert not TerminationRequest.objects.filter(contract_id=contract_id).exists()
    r = worker.post(f"/contracts/{contract_id}/termination", {"reason": "体調不良のため", "pay_worker_jpy": "20000"})
    assert r.status_code == 302
    html = _html(client.get(f"/contracts/{contract_id}"))
    assert "同意して契約を終了する" in html and "¥20,000" in html
    t = TerminationRequest.objects.get(contract_id=contract_id)
    assert client.post(f"/contracts/{contract_id}/termination/{t.pk}/agree").status_code == 302
    c = Contract.objects.get(pk=contract_id)
    assert c.status == "completed"
    assert Milestone.objects.get(pk=m.pk).status == "settled"


def test_support_case_bad_input_then_opened(client_page, worker_page):
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    contract_id = page_contract(client, worker)
    r = worker.post(f"/contracts/{contract_id}/support", {"kind": "nonsense", "body": ""})
    assert r.status_code == 422
    from chukai.support.models import SupportCase

    assert not SupportCase.objects.exists()
    r = worker.post(f"/contracts/{contract_id}/support", {"kind": "unresponsive", "body": "連絡がとれません"})
    assert r.status_code == 302
    assert SupportCase.objects.get().kind == "unresponsive"


def test_header_count_fragment_for_htmx(client_page, worker_page):
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    page_contract(client, worker)
    r = worker.get("/notifications/count", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'class="count"' in _html(r) and "<html" not in _html(r)
    assert 'hx-get="/notifications/count"' in _html(worker.get("/dashboard"))
