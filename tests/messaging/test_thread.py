"""The thread: posting, reading, keyset pages, the facts kept on the contract, limits."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from chukai.contracts.models import Contract
from tests.conftest import make_contract, signup

T0 = dt.datetime(2026, 11, 22, 0, 0, tzinfo=dt.UTC)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def contract(client_api, worker_api):
    return make_contract(client_api, worker_api)


def post(api, cid, body, **extra):
    return api.post(f"/api/contracts/{cid}/messages", {"body": body, **extra})


def row(cid):
    return Contract.objects.get(pk=cid)


def test_post_list_and_read_marks(client_api, worker_api, contract):
    cid = contract["id"]
    r = post(client_api, cid, "今月分の詳細です。<b>よろしく</b> & ありがとう")
    assert r.status_code == 201, r.content
    msg = r.json()
    assert msg["sender_id"] == client_api.user_id
    assert msg["body"] == "今月分の詳細です。<b>よろしく</b> & ありがとう"  # stored and returned as written
    assert msg["read_at"] is None

    listed = worker_api.get(f"/api/contracts/{cid}/messages").json()
    assert [m["id"] for m in listed] == [msg["id"]]
    assert row(cid).worker_unread == 1

    r = worker_api.post(f"/api/contracts/{cid}/messages/read")
    assert r.status_code == 200 and r.json() == {"marked": 1}
    assert worker_api.get(f"/api/contracts/{cid}/messages").json()[0]["read_at"] is not None
    assert row(cid).worker_unread == 0
    # Reading again marks nothing; the sender's own messages are never "to" them.
    assert worker_api.post(f"/api/contracts/{cid}/messages/read").json() == {"marked": 0}
    assert client_api.post(f"/api/contracts/{cid}/messages/read").json() == {"marked": 0}


def test_contract_keeps_waiting_unanswered_and_unread(client_api, worker_api, contract):
    cid = contract["id"]
    with time_machine.travel(T0, tick=False) as t:
        for _ in range(3):
            assert post(worker_api, cid, "ご確認ください").status_code == 201
            t.shift(dt.timedelta(hours=1))
        c = row(cid)
        assert c.worker_unanswered == 3
        assert c.worker_waiting_since == T0  # the earliest unanswered one
        assert c.worker_last_message_at == T0 + dt.timedelta(hours=2)
        assert c.client_unread == 3
        assert c.client_waiting_since is None

        assert post(client_api, cid, "遅くなりました").status_code == 201  # answers the worker
        c = row(cid)
        assert (c.worker_unanswered, c.worker_waiting_since) == (0, None)
        assert c.client_unanswered == 1
        assert c.client_waiting_since == T0 + dt.timedelta(hours=3)
        assert c.worker_unread == 1
        assert c.client_unread == 3  # answering is not reading


def test_body_limits_and_who_may_post(client_api, worker_api, staff_api, contract):
    cid = contract["id"]
    for bad in ("", "   \n", "あ" * 10_001):
        r = post(client_api, cid, bad)
        assert r.status_code == 422, bad[:5]
        assert r.json()["code"] == "invalid" and "body" in r.json()["fields"]
    assert post(client_api, cid, "あ" * 10_000).status_code == 201
    stranger = signup("stranger")
    assert post(stranger, cid, "hello").status_code == 404
    assert stranger.get(f"/api/contracts/{cid}/messages").status_code == 404
    assert staff_api.get(f"/api/contracts/{cid}/messages").status_code == 200  # staff read the evidence
    assert post(staff_api, cid, "staff").status_code in (403, 404)
    assert Contract.objects.get(pk=cid).worker_unread == 1


def test_keyset_pages_oldest_first(client_api, worker_api, contract):
    cid = contract["id"]
    ids = [post(client_api if i % 2 else worker_api, cid, f"m{i}").json()["id"] for i in range(7)]
    r = client_api.get(f"/api/contracts/{cid}/messages?limit=3")
    assert [m["id"] for m in r.json()] == ids[:3]
    assert f"after={ids[2]}" in r["Link"]
    r = client_api.get(f"/api/contracts/{cid}/messages?limit=3&after={ids[2]}")
    assert [m["id"] for m in r.json()] == ids[3:6]
    r = client_api.get(f"/api/contracts/{cid}/messages?limit=3&after={ids[5]}")
    assert [m["id"] for m in r.json()] == ids[6:]
    assert 'rel="next"' not in r.get("Link", "")
    r = client_api.get(f"/api/contracts/{cid}/messages?limit=3&latest=true")
    assert [m["id"] for m in r.json()] == ids[4:]
    assert client_api.get(f"/api/contracts/{cid}/messages?limit=0").status_code == 422


def test_ended_contract_thread_open_for_14_days(client_api, worker_api, contract):
    cid = contract["id"]
    mid = contract["milestones"][0]["id"]
    with time_machine.travel(T0, tick=False) as t:
        client_api.post(f"/api/contracts/{cid}/milestones/{mid}/fund")
        worker_api.post(f"/api/contracts/{cid}/milestones/{mid}/deliver")
        assert client_api.post(f"/api/contracts/{cid}/milestones/{mid}/accept").json()["status"] == "completed"
        t.shift(dt.timedelta(days=13))
        assert post(worker_api, cid, "ありがとうございました").status_code == 201
        t.shift(dt.timedelta(days=2))
        r = post(worker_api, cid, "まだ送れますか")
        assert r.status_code == 409 and r.json()["code"] == "not_in_progress"
        assert worker_api.get(f"/api/contracts/{cid}/messages").status_code == 200


def test_rate_limit_is_a_429_problem(settings, client_api, worker_api, contract):
    settings.CHUKAI_MESSAGE_RATE_LIMIT = (3, 60)
    cid = contract["id"]
    with time_machine.travel(T0, tick=False) as t:
        for i in range(3):
            assert post(client_api, cid, f"m{i}").status_code == 201
        r = post(client_api, cid, "one too many")
        assert r.status_code == 429
        assert r["Content-Type"] == "application/problem+json"
        assert r.json()["code"] == "rate_limited" and r.json()["retry_after"] == 61
        assert post(worker_api, cid, "the other party is not limited").status_code == 201
        t.shift(dt.timedelta(seconds=61))
        assert post(client_api, cid, "later").status_code == 201
    assert row(cid).client_unanswered == 1  # the worker answered in between


def _upload(api, cid, name, content):
    return api.client.post(
        f"/api/contracts/{cid}/attachments",
        {"file": SimpleUploadedFile(name, content)},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )


def test_attachments_type_size_and_download(settings, tmp_path, client_api, worker_api, contract):
    settings.MEDIA_ROOT = tmp_path
    settings.CHUKAI_ATTACHMENT_MAX_BYTES = 1024
    cid = contract["id"]
    up = _upload(client_api, cid, "見本.png", PNG)
    assert up.status_code == 201, up.content
    att = up.json()
    assert att["content_type"] == "image/png" and att["size"] == len(PNG)

    r = _upload(client_api, cid, "tool.exe", b"MZ\x90\x00")
    assert r.status_code == 422 and "file" in r.json()["fields"]
    r = _upload(client_api, cid, "page.png", b"<html><script>alert(1)</script></html>")
    assert r.status_code == 422  # the content is not what the name claims
    r = _upload(client_api, cid, "big.txt", b"a" * 1025)
    assert r.status_code == 422 and "MB" in r.json()["fields"]["file"][0]

    # Someone else's upload cannot be sent, nor can one be sent twice.
    assert post(worker_api, cid, "盗用", attachments=[att["id"]]).status_code == 422
    msg = post(client_api, cid, "見本です", attachments=[att["id"]]).json()
    assert [a["name"] for a in msg["attachments"]] == ["見本.png"]
    assert post(client_api, cid, "again", attachments=[att["id"]]).status_code == 422

    listed = worker_api.get(f"/api/contracts/{cid}/messages").json()
    url = listed[0]["attachments"][0]["url"]
    got = worker_api.get(url)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == PNG
    assert got["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in got["Content-Disposition"]
    assert signup("stranger").get(url).status_code == 404


def test_wired_into_the_worker_and_the_openapi_document(client_api):
    from chukai.deadlines.registry import HANDLERS
    from chukai.deadlines.worker_steps import STEPS
    from chukai.messaging.outbox import outbox_step

    assert outbox_step in STEPS and "message_unread_nudge" in HANDLERS
    paths = client_api.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/contracts/{contract_id}/messages",
        "/api/contracts/{contract_id}/messages/read",
        "/api/contracts/{contract_id}/reachability",
        "/api/contracts/{contract_id}/attachments",
        "/api/me/notifications",
        "/api/me/notifications/read",
    ):
        assert path in paths, path
