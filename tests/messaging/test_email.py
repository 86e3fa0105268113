"""Real email through a real SMTP server (aiosmtpd on loopback): delivery, outage, crash, bounce."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from chukai.accounts.models import User
from chukai.contracts import hooks
from chukai.contracts.models import Contract
from chukai.messaging import outbox
from chukai.messaging.models import OutboxEmail
from tests.conftest import make_contract, signup

T0 = dt.datetime(2026, 11, 22, 0, 0, tzinfo=dt.UTC)
AFTER_WINDOW = dt.timedelta(minutes=5)


@pytest.fixture
def pair(db):
    return signup("client"), signup("worker", locale="en", time_zone="America/New_York")


def email_of(api):
    return User.objects.get(pk=api.user_id).email


def subject(msg):
    return str(msg["Subject"]).strip()  # Django folds a long encoded subject onto the next line


def msgid(msg):
    return str(msg["Message-ID"]).strip()


def post(api, cid, body):
    r = api.post(f"/api/contracts/{cid}/messages", {"body": body})
    assert r.status_code == 201, r.content


def test_message_email_reaches_the_smtp_server(smtp, pair):
    client, worker = pair
    with time_machine.travel(T0, tick=False) as t:
        c = make_contract(client, worker)
        post(worker, c["id"], "承知しました、後ほど仮払い対応お願いします")
        post(client, c["id"], "Thanks, I will fund it today.")
        t.shift(AFTER_WINDOW)
        assert outbox.outbox_send_due() == 4  # proposal (client), contract formed (worker), a message each way
    to_client = [m for m in smtp.box.to(email_of(client)) if m["X-Chukai-Kind"] == "message_new"]
    assert len(to_client) == 1
    ja = to_client[0]
    assert subject(ja) == "workerさんから新しいメッセージ（1件）"
    assert ja["Content-Language"] == "ja"
    assert "承知しました、後ほど仮払い対応お願いします" in ja.get_content()
    assert f"https://chukai.test/contracts/{c['id']}" in ja.get_content().splitlines()
    assert "client 様" in ja.get_content()
    assert ja["X-Envelope-To"] == email_of(client)

    en = [m for m in smtp.box.to(email_of(worker)) if m["X-Chukai-Kind"] == "message_new"]
    assert len(en) == 1
    assert subject(en[0]) == "New message from client (1)"
    assert en[0]["Content-Language"] == "en"
    assert "Hello worker," in en[0].get_content()
    assert "7:00 PM" not in en[0].get_content() and "19:00 EST" in en[0].get_content()  # New York time
    assert f"https://chukai.test/contracts/{c['id']}" in en[0].get_content().splitlines()
    row = OutboxEmail.objects.get(message_id=msgid(en[0]))
    assert (row.status, row.attempts, row.smtp_code) == ("sent", 1, 250)


def test_smtp_down_then_back_delivers_each_email_exactly_once(smtp_down, pair):
    client, worker = pair
    with time_machine.travel(T0, tick=False) as t:
        c = make_contract(client, worker)
        for i in range(3):
            post(client, c["id"], f"連絡{i}")
        post(worker, c["id"], "reply")
        t.shift(AFTER_WINDOW)
        assert outbox.outbox_send_due() == 4  # all tried, all deferred: nobody listens
        rows = list(OutboxEmail.objects.order_by("id"))
        assert [r.status for r in rows] == ["deferred"] * 4
        assert all(r.attempts == 1 and "Connection" in r.last_error for r in rows)
        assert outbox.outbox_send_due() == 0  # back-off: not before 30 s
        t.shift(dt.timedelta(seconds=30))
        assert outbox.outbox_send_due() == 4  # still down: the delay grows
        first = OutboxEmail.objects.get(pk=rows[0].pk)
        assert first.attempts == 2 and first.next_attempt_at == T0 + AFTER_WINDOW + dt.timedelta(seconds=90)

        smtp_down.start()
        t.shift(dt.timedelta(seconds=59))
        assert outbox.outbox_send_due() == 0
        t.shift(dt.timedelta(seconds=1))
        assert outbox.outbox_send_due() == 4
        assert outbox.outbox_send_due() == 0
        t.shift(dt.timedelta(hours=2))
        assert outbox.outbox_send_due() == 0
    ids = [msgid(m) for m in smtp_down.box.received]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert {r.message_id for r in OutboxEmail.objects.filter(status="sent")} == set(ids)
    assert "連絡0" in smtp_down.box.to(email_of(worker))[-1].get_content()


class Killed(BaseException):
    """Stands for the worker process dying: nothing after it runs, no handler catches it."""


def test_worker_killed_between_send_and_commit_duplicates_with_same_message_id(smtp, pair, monkeypatch):
    client, worker = pair
    with time_machine.travel(T0, tick=False) as t:
        c = make_contract(client, worker)
        OutboxEmail.objects.update(status="skipped")  # only the message email below matters here
        post(client, c["id"], "大事な連絡")
        t.shift(AFTER_WINDOW)

        def die(row, worker_name):
            raise Killed

        with monkeypatch.context() as m:
            m.setattr(outbox, "_record_sent", die)
            with pytest.raises(Killed):
                outbox.outbox_send_due(worker="doomed")
        assert len(smtp.box.received) == 1  # the server has it …
        row = OutboxEmail.objects.get(status="sending")  # … the database does not know
        assert row.leased_by == "doomed"

        t.shift(dt.timedelta(minutes=4))
        assert outbox.outbox_send_due(worker="survivor") == 0  # the dead worker's lease still runs
        t.shift(dt.timedelta(minutes=1, seconds=1))
        assert outbox.outbox_send_due(worker="survivor") == 1  # lease over: sent again
        assert outbox.outbox_send_due(worker="survivor") == 0
    row.refresh_from_db()
    assert row.status == "sent"
    got = smtp.box.to(email_of(worker))
    assert len(got) == 2  # at most one duplicate …
    assert msgid(got[0]) == msgid(got[1]) == row.message_id  # … that clients fold into one


def test_worker_killed_before_sending_loses_nothing(smtp, pair, monkeypatch):
    client, worker = pair
    with time_machine.travel(T0, tick=False) as t:
        c = make_contract(client, worker)
        OutboxEmail.objects.update(status="skipped")
        post(client, c["id"], "大事な連絡")
        t.shift(AFTER_WINDOW)
        assert outbox.outbox_claim(worker="doomed") != []  # claimed, then the process died
        t.shift(dt.timedelta(minutes=5, seconds=1))
        assert outbox.outbox_send_due(worker="survivor") == 1
    assert len(smtp.box.to(email_of(worker))) == 1


def test_550_marks_the_address_bouncing_and_counterparts_see_it(smtp, pair):
    client, worker = pair
    smtp.box.refuse.add(email_of(client))
    with time_machine.travel(T0, tick=False) as t:
        c = make_contract(client, worker)
        post(worker, c["id"], "届いていますか")
        t.shift(AFTER_WINDOW)
        outbox.outbox_send_due()
    row = OutboxEmail.objects.get(user_id=client.user_id, kind="message_new")
    assert (row.status, row.smtp_code, row.attempts) == ("bounced", 550, 1)
    assert "User unknown" in row.last_error
    assert User.objects.get(pk=client.user_id).email_status == "bouncing"
    assert worker.get(f"/api/contracts/{c['id']}/reachability").json()["email_status"] == "bouncing"
    me = client.get("/api/me").json()
    assert me["email_bouncing"] is True and me["email_status"] == "bouncing"
    assert smtp.box.to(email_of(client)) == []

    # While it bounces, ordinary email is recorded but not sent; official notices are still tried,
    # and one that goes through clears the flag.
    post(worker, c["id"], "もう一度")
    contract = Contract.objects.get(pk=c["id"])
    assert OutboxEmail.objects.filter(user_id=client.user_id).latest("id").status == "suppressed"
    smtp.box.refuse.clear()
    from django.db import transaction

    with transaction.atomic():
        hooks.notify(contract=contract, user_id=client.user_id, kind="support_notice", params={"official": True})
    assert outbox.outbox_send_due() == 1
    assert subject(smtp.box.to(email_of(client))[0]).startswith("【chukai事務局】")
    assert User.objects.get(pk=client.user_id).email_status == "ok"


def test_temporary_refusal_is_retried(smtp, pair):
    client, worker = pair

    async def busy(server, session, envelope, address, options):
        return "451 4.7.1 Try again later"

    smtp.box.handle_RCPT = busy  # type: ignore[method-assign]
    with time_machine.travel(T0, tick=False) as t:
        c = make_contract(client, worker)
        OutboxEmail.objects.update(status="skipped")
        post(worker, c["id"], "hello")
        t.shift(AFTER_WINDOW)
        assert outbox.outbox_send_due() == 1
        row = OutboxEmail.objects.get(status="deferred")
        assert row.smtp_code == 451
        assert User.objects.get(pk=client.user_id).email_status == "ok"
