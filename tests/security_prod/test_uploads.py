"""Uploads (issue 12 item 8): a per-user quota (413) and rate (429, in the shared cache), unsent
uploads deleted by the worker after a grace period, and the page download sandboxed like the API's."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chukai.messaging.models import Attachment
from chukai.messaging.uploads import attachments_delete_orphans
from tests.conftest import make_contract

T0 = dt.datetime(2026, 11, 22, 0, 0, tzinfo=dt.UTC)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


@pytest.fixture
def contract(client_api, worker_api):
    return make_contract(client_api, worker_api)


def upload(api, cid, name="見本.png", content=PNG):
    return api.client.post(
        f"/api/contracts/{cid}/attachments",
        {"file": SimpleUploadedFile(name, content)},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )


def send(api, cid, ids):
    return api.post(f"/api/contracts/{cid}/messages", {"body": "ファイルです", "attachments": ids})


def test_quota_per_user_is_a_413_problem(settings, client_api, worker_api, contract):
    cid = contract["id"]
    settings.CHUKAI_UPLOAD_QUOTA_BYTES = 2 * len(PNG) + 10
    first = upload(client_api, cid)
    assert first.status_code == 201, first.content
    assert send(client_api, cid, [first.json()["id"]]).status_code == 201  # sent files count too
    assert upload(client_api, cid).status_code == 201
    r = upload(client_api, cid)
    assert r.status_code == 413
    assert r["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "upload_quota_exceeded" and body["status"] == 413
    assert body["quota_bytes"] == 2 * len(PNG) + 10 and body["used_bytes"] == 2 * len(PNG)
    assert Attachment.objects.filter(uploader_id=client_api.user_id).count() == 2  # nothing stored
    assert upload(worker_api, cid).status_code == 201  # one user's quota is not another's


def test_rate_per_user_is_a_429_problem_counted_in_the_shared_cache(settings, client_api, worker_api, contract):
    cid = contract["id"]
    settings.CHUKAI_UPLOAD_RATE_LIMIT = (3, 60)
    with time_machine.travel(T0 + dt.timedelta(seconds=5), tick=False) as t:
        for _ in range(3):
            assert upload(client_api, cid).status_code == 201
        r = upload(client_api, cid)
        assert r.status_code == 429
        assert r["Content-Type"] == "application/problem+json"
        body = r.json()
        assert body["code"] == "rate_limited" and body["scope"] == "uploads"
        assert body["retry_after"] == 56 and body["limit"] == 3 and body["window_seconds"] == 60
        assert upload(worker_api, cid).status_code == 201  # the other party has its own count
        t.shift(dt.timedelta(seconds=56))
        assert upload(client_api, cid).status_code == 201  # a new window
        # the count lives in Django's cache (shared by every process), not in this process
        window = int((T0.timestamp() + 61) // 60)
        assert cache.get(f"messaging:uploads:{client_api.user_id}:{window}") == 1


def test_the_worker_deletes_uploads_never_sent_after_the_grace_period(
    settings, client_api, contract, django_capture_on_commit_callbacks
):
    from chukai.deadlines.worker_steps import STEPS

    assert attachments_delete_orphans in STEPS  # run by every `manage.py run_worker` loop
    settings.CHUKAI_UPLOAD_ORPHAN_SECONDS = 24 * 3600
    cid = contract["id"]
    with time_machine.travel(T0, tick=False) as t:
        sent_id = upload(client_api, cid).json()["id"]
        orphan_id = upload(client_api, cid, name="unsent.png").json()["id"]
        assert send(client_api, cid, [sent_id]).status_code == 201
        orphan_file = Attachment.objects.get(pk=orphan_id).file.name
        assert default_storage.exists(orphan_file)

        t.shift(dt.timedelta(hours=23))
        late_id = upload(client_api, cid, name="late.png").json()["id"]
        assert attachments_delete_orphans() == 0  # within the grace period

        t.shift(dt.timedelta(hours=1, seconds=1))
        with django_capture_on_commit_callbacks(execute=True):  # the file leaves after the commit
            assert attachments_delete_orphans() == 1
        assert attachments_delete_orphans() == 0
    assert not Attachment.objects.filter(pk=orphan_id).exists()
    assert not default_storage.exists(orphan_file)
    assert set(Attachment.objects.values_list("pk", flat=True)) == {sent_id, late_id}
    sent = Attachment.objects.get(pk=sent_id)
    assert default_storage.exists(sent.file.name)
    # an orphan deleted after its grace period can no longer be sent
    r = send(client_api, cid, [orphan_id])
    assert r.status_code == 422


def test_the_page_download_is_sandboxed_like_the_api_one(client_api, worker_api, contract):
    from chukai.accounts.models import User

    cid = contract["id"]
    att_id = upload(client_api, cid).json()["id"]
    assert send(client_api, cid, [att_id]).status_code == 201
    api = worker_api.get(f"/api/contracts/{cid}/attachments/{att_id}")
    browser = Client()
    browser.force_login(User.objects.get(pk=worker_api.user_id))
    page = browser.get(f"/contracts/{cid}/attachments/{att_id}")
    assert api.status_code == page.status_code == 200
    for response in (api, page):
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == PNG


def test_a_page_upload_over_the_quota_is_refused_with_a_message(settings, client_api, contract):
    from chukai.accounts.models import User

    settings.CHUKAI_UPLOAD_QUOTA_BYTES = len(PNG) - 1
    cid = contract["id"]
    browser = Client()
    browser.force_login(User.objects.get(pk=client_api.user_id))
    r = browser.post(
        f"/contracts/{cid}/messages",
        {"body": "ファイルです", "attachment": SimpleUploadedFile("見本.png", PNG)},
    )
    assert r.status_code == 422  # the page again, with the reason on the form
    assert not Attachment.objects.exists()
    assert "アップロード容量の上限を超えます" in r.content.decode()  # the user reads Japanese


def test_attachments_go_only_through_the_storage_api(
    settings, client_api, worker_api, contract, tmp_path, django_capture_on_commit_callbacks
):
    """With the default storage swapped for one in memory (as S3 would be), nothing touches the
    disk: upload, send, both downloads and the orphan clean-up all go through STORAGES."""
    from chukai.accounts.models import User

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    settings.MEDIA_ROOT = tmp_path / "must-stay-empty"
    cid = contract["id"]
    with time_machine.travel(T0, tick=False) as t:
        sent_id = upload(client_api, cid).json()["id"]
        orphan_id = upload(client_api, cid, name="unsent.png").json()["id"]
        assert send(client_api, cid, [sent_id]).status_code == 201
        got = worker_api.get(f"/api/contracts/{cid}/attachments/{sent_id}")
        assert b"".join(got.streaming_content) == PNG
        browser = Client()
        browser.force_login(User.objects.get(pk=worker_api.user_id))
        page = browser.get(f"/contracts/{cid}/attachments/{sent_id}")
        assert b"".join(page.streaming_content) == PNG
        orphan_name = Attachment.objects.get(pk=orphan_id).file.name
        assert default_storage.exists(orphan_name)
        t.shift(dt.timedelta(days=2))
        with django_capture_on_commit_callbacks(execute=True):
            assert attachments_delete_orphans() == 1
        assert not default_storage.exists(orphan_name)
    assert not (tmp_path / "must-stay-empty").exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_cannot_both_pass_the_quota(settings, tmp_path, monkeypatch):
    """Four uploads at once on four contracts with room for one: exactly one is stored. Each
    upload that passed the quota check waits for the others before it commits, so without the
    user-row lock all four would pass; with it the others wait for the first to commit."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from chukai.messaging import services as messaging_services

    together = threading.Barrier(4)
    checked = messaging_services.upload_quota_check

    def check_then_wait(**kw):
        checked(**kw)
        try:
            together.wait(timeout=1)  # the others are blocked on the lock: give up waiting
        except threading.BrokenBarrierError:
            pass

    monkeypatch.setattr(messaging_services, "upload_quota_check", check_then_wait)

    from django.db import connection

    from tests.conftest import is_postgres, signup

    if not is_postgres():
        pytest.skip("SQLite runs one writer at a time anyway")
    settings.MEDIA_ROOT = tmp_path
    settings.CHUKAI_UPLOAD_QUOTA_BYTES = len(PNG) + 10
    client_api, worker_api = signup("client"), signup("worker")
    cids = [make_contract(client_api, worker_api)["id"] for _ in range(4)]

    def one(i: int) -> int:
        try:
            return int(upload(client_api, cids[i % 4], name=f"f{i}.png").status_code)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(one, range(4)))
    assert statuses == [201] + [413] * 3, statuses
    assert Attachment.objects.filter(uploader_id=client_api.user_id).count() == 1
