"""Notifications in the recipient's language and time zone, batching, the 48-hour nudge, banners."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from chukai.accounts.models import User
from chukai.contracts import hooks
from chukai.contracts.models import Contract
from chukai.deadlines.models import Deadline
from chukai.deadlines.services import deadlines_run_due
from chukai.messaging.models import Notification, OutboxEmail
from chukai.messaging.texts import register_texts
from tests.conftest import make_contract, signup

T0 = dt.datetime(2026, 11, 22, 0, 0, tzinfo=dt.UTC)  # 09:00 in Tokyo


@pytest.fixture
def pair(db):
    client = signup("client")  # ja, Asia/Tokyo by default
    worker = signup("worker", locale="en", time_zone="Europe/London")
    return client, worker


def post(api, cid, body):
    r = api.post(f"/api/contracts/{cid}/messages", {"body": body})
    assert r.status_code == 201, r.content
    return r.json()


def emails(user_id, kind=None):
    qs = OutboxEmail.objects.filter(user_id=user_id).order_by("id")
    return list(qs.filter(kind=kind) if kind else qs)


def test_notify_renders_in_recipient_language_and_time_zone(pair):
    client, worker = pair
    register_texts(
        "test_deadline",
        ja="期限は {due_at} です",
        en="Due {due_at}",
        ja_body="「{contract}」の期限：{due_at}",
        en_body="“{contract}” is due {due_at}",
    )
    with time_machine.travel(T0, tick=False):
        c = make_contract(client, worker)
        contract = Contract.objects.get(pk=c["id"])
        due = T0 + dt.timedelta(days=7, hours=6)  # 2026-11-29 06:00 UTC
        with transaction.atomic():
            for uid in (client.user_id, worker.user_id):
                hooks.notify(contract=contract, user_id=uid, kind="test_deadline", params={"due_at": due})
    ja = Notification.objects.get(user_id=client.user_id, kind="test_deadline")
    en = Notification.objects.get(user_id=worker.user_id, kind="test_deadline")
    assert ja.title == "期限は 2026年11月29日(日) 15:00 JST（あと7日6時間） です"
    assert en.title == "Due Sun, 29 Nov 2026 06:00 GMT (in 7 days 6 h)"
    mail = emails(worker.user_id, "test_deadline")[0]
    assert mail.subject == en.title and mail.locale == "en" and mail.to_email.startswith("worker")
    assert "“SEO記事作成” is due Sun, 29 Nov 2026 06:00 GMT" in mail.body
    assert f"/contracts/{c['id']}" in mail.body


def test_official_prefix_and_unknown_kind_fallback(pair):
    client, worker = pair
    c = make_contract(client, worker)
    contract = Contract.objects.get(pk=c["id"])
    with transaction.atomic():
        hooks.notify(contract=contract, user_id=client.user_id, kind="no_such_kind", params={"official": True})
        hooks.notify(contract=contract, user_id=worker.user_id, kind="no_such_kind", params={"official": True})
    assert Notification.objects.get(user_id=client.user_id, kind="no_such_kind").title == (
        "【chukai事務局】契約「SEO記事作成」に更新があります（no_such_kind）"
    )
    mail = emails(worker.user_id, "no_such_kind")[0]
    assert mail.subject == "[chukai official notice] Update on contract “SEO記事作成” (no_such_kind)"
    assert mail.official and "chukai support office" in mail.body


def test_nothing_is_announced_for_a_rolled_back_change(pair):
    client, worker = pair
    c = make_contract(client, worker)
    contract = Contract.objects.get(pk=c["id"])
    before = (Notification.objects.count(), OutboxEmail.objects.count())
    with pytest.raises(RuntimeError), transaction.atomic():
        hooks.notify(contract=contract, user_id=client.user_id, kind="milestone_delivered", params={"milestone": "x"})
        raise RuntimeError("the action failed after notifying")
    assert (Notification.objects.count(), OutboxEmail.objects.count()) == before


def test_core_events_notify_with_texts(pair):
    client, worker = pair
    c = make_contract(client, worker, milestones=[{"title": "記事10本", "amount_jpy": 50_000}])
    mid = c["milestones"][0]["id"]
    client.post(f"/api/contracts/{c['id']}/milestones/{mid}/fund")
    worker.post(f"/api/contracts/{c['id']}/milestones/{mid}/deliver")
    client.post(f"/api/contracts/{c['id']}/milestones/{mid}/accept")
    worker_titles = [n["title"] for n in worker.get("/api/me/notifications").json()]
    assert worker_titles == [
        "Payment confirmed: 記事10本 (¥45,000)",
        "¥45,000 added to your balance (SEO記事作成)",
        "Escrow funded: 記事10本 (¥50,000)",
        "Contract formed: SEO記事作成",
    ]
    client_titles = [n["title"] for n in client.get("/api/me/notifications").json()]
    assert client_titles == [
        "完了報告が届きました：記事10本",
        "仮払いが完了しました：記事10本（50,000円）",  # both parties are told when escrow is in place
        "新しい提案が届きました：SEO記事作成（50,000円）",
    ]


def test_notification_list_and_mark_read(pair):
    client, worker = pair
    c = make_contract(client, worker)
    for i in range(3):
        post(client, c["id"], f"m{i}")
    listed = worker.get("/api/me/notifications").json()
    assert [n["kind"] for n in listed] == ["message_new"] * 3 + ["contract_formed"]
    assert set(listed[0]) >= {"id", "kind", "contract_id", "created_at", "read_at", "title"}
    assert listed[0]["contract_id"] == c["id"] and listed[0]["read_at"] is None
    assert worker.get("/api/me").json()["unread_notifications"] == 4
    r = worker.post("/api/me/notifications/read", {"ids": [listed[-1]["id"]]})
    assert r.json() == {"marked": 1}
    assert len(worker.get("/api/me/notifications?unread=true").json()) == 3
    # Reading the thread marks its message notifications read too.
    worker.post(f"/api/contracts/{c['id']}/messages/read")
    assert worker.get("/api/me").json()["unread_notifications"] == 0
    assert client.post("/api/me/notifications/read").json() == {"marked": 1}  # the proposal received
    assert client.post("/api/me/notifications/read").json() == {"marked": 0}


def test_messages_within_the_window_make_one_email(pair):
    client, worker = pair
    with time_machine.travel(T0, tick=False) as t:
        c = make_contract(client, worker)
        for i in range(3):
            post(client, c["id"], f"メッセージ{i}")
            t.shift(dt.timedelta(minutes=1))
        batch = emails(worker.user_id, "message_new")
        assert len(batch) == 1
        assert batch[0].send_after == T0 + dt.timedelta(minutes=5)
        assert batch[0].subject == "New message from client (3)"
        assert all(f"メッセージ{i}" in batch[0].body for i in range(3))
        # Once the window has passed and the email left, the next message starts a new one.
        t.shift(dt.timedelta(minutes=3))
        from chukai.messaging.outbox import outbox_send_due

        assert outbox_send_due() == 3  # with the earlier "proposal received" and "contract formed"
        batch[0].refresh_from_db()
        assert batch[0].status == "sent"
        post(client, c["id"], "追伸")
        assert len(emails(worker.user_id, "message_new")) == 2
        assert emails(worker.user_id, "message_new")[1].subject == "New message from client (1)"


def test_reading_in_the_app_drops_the_waiting_email(pair):
    client, worker = pair
    c = make_contract(client, worker)
    post(client, c["id"], "見ましたか")
    worker.post(f"/api/contracts/{c['id']}/messages/read")
    assert [e.status for e in emails(worker.user_id, "message_new")] == ["skipped"]


def test_unread_48h_nudge_and_72h_banner(pair):
    client, worker = pair
    with time_machine.travel(T0, tick=False) as t:
        c = make_contract(client, worker)
        post(worker, c["id"], "1本目をお送りしました")
        t.shift(dt.timedelta(hours=1))
        post(worker, c["id"], "ご確認ください")
        assert Deadline.objects.filter(kind="message_unread_nudge", status="pending").count() == 1
        t.shift(dt.timedelta(hours=46, minutes=59))
        assert deadlines_run_due() == 0
        assert emails(client.user_id, "message_unread_nudge") == []
        t.shift(dt.timedelta(minutes=1))  # 48 hours after the first unread message
        assert deadlines_run_due() == 1
        nudge = emails(client.user_id, "message_unread_nudge")
        assert len(nudge) == 1
        assert nudge[0].subject == "未読メッセージがあります：workerさんから（2件）"
        assert "2026年11月22日(日) 09:00 JST" in nudge[0].body  # the oldest, in Tokyo time
        me = client.get("/api/me").json()
        assert me["unread_messages"] == 2 and me["unread_over_72h"] is False
        assert me["oldest_unread_at"].startswith("2026-11-22T00:00")
        t.shift(dt.timedelta(hours=24))
        assert client.get("/api/me").json()["unread_over_72h"] is True
        assert worker.get("/api/me").json()["unread_over_72h"] is False
        assert deadlines_run_due() == 0  # one reminder per unread stretch
        client.post(f"/api/contracts/{c['id']}/messages/read")
        assert client.get("/api/me").json()["unread_over_72h"] is False


def test_no_nudge_when_read_in_time(pair):
    client, worker = pair
    with time_machine.travel(T0, tick=False) as t:
        c = make_contract(client, worker)
        post(worker, c["id"], "hello")
        t.shift(dt.timedelta(hours=47))
        client.post(f"/api/contracts/{c['id']}/messages/read")
        t.shift(dt.timedelta(hours=2))
        assert deadlines_run_due() == 0
        assert Deadline.objects.get(kind="message_unread_nudge").status == "cancelled"
        # A new unread stretch gets its own reminder.
        post(worker, c["id"], "again")
        t.shift(dt.timedelta(hours=48))
        assert deadlines_run_due() == 1
    assert len(emails(client.user_id, "message_unread_nudge")) == 1


def test_reachability(pair):
    client, worker = pair
    with time_machine.travel(T0, tick=False) as t:
        c = make_contract(client, worker)
        cid = c["id"]
        client.get("/api/me")  # the client was seen at T0
        t.shift(dt.timedelta(days=2, minutes=30))
        for body in ("a", "b", "c"):
            post(worker, cid, body)
            t.shift(dt.timedelta(hours=1))
        worker.post(f"/api/contracts/{cid}/due-date-changes", {"due_date": "2026-12-31"})
        r = worker.get(f"/api/contracts/{cid}/reachability")
        assert r.status_code == 200, r.content
        got = r.json()
        assert got["last_seen"] == "within_3_days"
        assert got["last_seen_at"].startswith("2026-11-22T00:00")
        assert got["unread_from_you"] == 3
        assert got["oldest_unread_at"].startswith("2026-11-24T00:30")
        assert got["unanswered_from_you"] == 3
        assert got["email_status"] == "ok"
        assert [(x["kind"], x["filed_by_you"]) for x in got["open_requests"]] == [("due_date_change", True)]
        other = client.get(f"/api/contracts/{cid}/reachability").json()
        assert other["last_seen"] == "within_a_day"
        assert other["unread_from_you"] == 0 and other["oldest_unread_at"] is None
        assert other["unread_to_you"] == 3
    assert signup("stranger").get(f"/api/contracts/{cid}/reachability").status_code == 404
    assert User.objects.get(pk=client.user_id).last_seen_at is not None
