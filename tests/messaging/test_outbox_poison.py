"""One bad email never holds up the others (issue 12): against a real SMTP server (aiosmtpd).

Stored data from before stricter input rules — a display name with a line break, an address
that cannot be encoded — must not stop an official contact-reminder email in the same batch:
the bad email is marked failed (or bounced) with the reason, everything else is delivered in
the same worker step, and no header can be injected.
"""

from __future__ import annotations

import datetime as dt

import time_machine

from chukai.accounts.models import User
from chukai.messaging import outbox
from chukai.messaging.models import OutboxEmail
from tests.conftest import make_contract, signup

T0 = dt.datetime(2026, 11, 22, 0, 0, tzinfo=dt.UTC)
EVIL_NAME = "受注者\r\nBcc: victim@example.com"
UNENCODABLE = "legacy@" + "ü" * 70 + ".example"  # an IDNA label over 63 characters: UnicodeError


def _post(api, cid, body):
    r = api.post(f"/api/contracts/{cid}/messages", {"body": body})
    assert r.status_code == 201, r.content


def _email(api):
    return User.objects.get(pk=api.user_id).email


def test_a_poison_email_never_delays_the_others(smtp, db):
    with time_machine.travel(T0, tick=False) as t:
        # Another contract whose parties' emails cannot be delivered: written first, so the
        # poison is first in the batch.
        legacy, refused = signup("legacy"), signup("refused")
        User.objects.filter(pk=legacy.user_id).update(email=UNENCODABLE)  # saved before validation
        smtp.box.refuse.add(_email(refused).lower())
        other = make_contract(legacy, refused)
        _post(refused, other["id"], "よろしくお願いします")
        _post(legacy, other["id"], "こちらこそ")

        client, worker = signup("client"), signup("worker")
        User.objects.filter(pk=worker.user_id).update(display_name=EVIL_NAME)  # stored before the 422 rule
        c = make_contract(client, worker)
        mid = c["milestones"][0]["id"]
        assert client.post(f"/api/contracts/{c['id']}/milestones/{mid}/fund").status_code == 200
        _post(worker, c["id"], "納品物をご確認ください")
        t.shift(dt.timedelta(days=7, minutes=1))
        r = worker.post(f"/api/contracts/{c['id']}/contact-reminders")
        assert r.status_code == 201, r.content

        rows = OutboxEmail.objects.order_by("id")
        assert rows.count() <= 20  # one batch of the worker's outbox step
        poison = list(rows.filter(to_email=UNENCODABLE).values_list("id", flat=True))
        bounce = list(rows.filter(user_id=refused.user_id).values_list("id", flat=True))
        official = rows.get(user_id=client.user_id, kind="contact_reminder_filed")
        assert poison and bounce and max(poison + bounce) < official.pk and official.official

        handled = outbox.outbox_step()  # one worker step

    assert handled == rows.count()
    states = dict(rows.values_list("id", "status"))
    assert {states[i] for i in poison} == {"failed"}
    assert {states[i] for i in bounce} == {"bounced"}
    assert {s for i, s in states.items() if i not in poison + bounce} == {"sent"}
    for row in rows.filter(pk__in=poison):
        assert row.attempts == 1 and "UnicodeError" in row.last_error and row.next_attempt_at is None
    assert rows.filter(pk__in=bounce, smtp_code=550).count() == len(bounce)
    assert User.objects.get(pk=refused.user_id).email_status == "bouncing"

    # Delivered: the official notice, and the email whose subject carries the stored line break —
    # on one line, with no header injected and no other recipient.
    to_client = smtp.box.to(_email(client))
    kinds = {m["X-Chukai-Kind"] for m in to_client}
    assert {"contact_reminder_filed", "message_new"} <= kinds
    filed = next(m for m in to_client if m["X-Chukai-Kind"] == "contact_reminder_filed")
    assert str(filed["Subject"]).strip().startswith("【chukai事務局】")
    new = next(m for m in to_client if m["X-Chukai-Kind"] == "message_new")
    subject = str(new["Subject"]).strip()  # a long encoded subject is folded
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith("受注者 Bcc: victim@example.com")
    assert new["Bcc"] is None and new["X-Envelope-To"] == _email(client)
    assert not any("victim@example.com" in m["X-Envelope-To"] for m in smtp.box.received)
    assert not [m for m in smtp.box.received if m["To"] == UNENCODABLE]


def test_server_trouble_still_defers_the_whole_batch(smtp_down, db):
    """The other side of the line: when the server is unreachable, nothing is marked failed."""
    with time_machine.travel(T0, tick=False):
        client, worker = signup("client"), signup("worker")
        make_contract(client, worker)
        make_contract(client, worker)
        n = OutboxEmail.objects.count()
        assert n >= 2
        assert outbox.outbox_step() == n
    assert set(OutboxEmail.objects.values_list("status", "attempts")) == {("deferred", 1)}


def test_one_line_headers():
    assert outbox.one_line("a\r\nb\u2028c\x00d\u202ee\tf  g") == "a b c d e f g"
    assert outbox.one_line("仕事の件") == "仕事の件"
