"""Upload limits and clean-up: a per-user quota (413), a per-user rate (429, counted in the
shared cache so every web process sees the same count), and the worker step that deletes
uploads never sent in a message once their grace period is over.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum

from chukai import clock
from chukai.accounts.models import User
from chukai.deadlines.worker_steps import step
from chukai.errors import RateLimited
from chukai.messaging.models import Attachment

log = logging.getLogger("chukai.messaging.uploads")
ORPHAN_BATCH = 100


class UploadQuotaExceeded(RateLimited):
    """413: the user's stored files would pass their quota. A RateLimited, so pages show it like one."""

    status = 413
    code = "upload_quota_exceeded"
    title = "Upload quota exceeded"


def _conf(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def upload_rate_check(*, user_id: int) -> None:
    """Count this upload in the user's current window; 429 once the window's count is used up.

    A fixed window in the shared cache (real time: an abuser does not follow the manual clock).
    """
    count, seconds = _conf("CHUKAI_UPLOAD_RATE_LIMIT", (30, 3600))
    now = time.time()
    window = int(now // seconds)
    key = f"messaging:uploads:{user_id}:{window}"
    if cache.add(key, 1, timeout=seconds + 60):
        used = 1
    else:
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds + 60)
            used = 1
    if used > count:
        retry = max(1, int((window + 1) * seconds - now) + 1)
        raise RateLimited(
            f"You can upload at most {count} files in {seconds // 60} minutes. Try again in {retry} seconds.",
            retry_after=retry,
            limit=count,
            window_seconds=seconds,
            scope="uploads",
        )


def upload_quota_check(*, user_id: int, size: int) -> None:
    """Inside the upload's transaction: lock the user row (after the contract, as the house orders
    locks), so two parallel uploads cannot both pass the quota."""
    quota: int = _conf("CHUKAI_UPLOAD_QUOTA_BYTES", 200 * 1024 * 1024)
    User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).first()
    used = Attachment.objects.filter(uploader_id=user_id).aggregate(total=Sum("size"))["total"] or 0
    if used + size > quota:
        raise UploadQuotaExceeded(
            # one fixed text (pages translate it); the numbers are in the problem's fields
            "This file would take you over your upload quota. Files uploaded but never sent are deleted after a day.",
            quota_bytes=quota,
            used_bytes=used,
            size=size,
        )


def orphan_cutoff() -> dt.datetime:
    return clock.now() - dt.timedelta(seconds=_conf("CHUKAI_UPLOAD_ORPHAN_SECONDS", 24 * 3600))


@step
def attachments_delete_orphans() -> int:
    """Worker step: delete uploads never sent in a message, older than the grace period.

    Each row is locked (SKIP LOCKED) and re-checked, so a message claiming the file at the same
    moment wins or finds it gone — never a message pointing at a deleted file. The file leaves
    storage after the row's deletion commits (a crash in between leaves a stray file, never a
    row without its file).
    """
    ids = list(
        Attachment.objects.filter(message__isnull=True, created_at__lt=orphan_cutoff())
        .order_by("created_at")
        .values_list("pk", flat=True)[:ORPHAN_BATCH]
    )
    deleted = 0
    for pk in ids:
        with transaction.atomic():
            att = (
                Attachment.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, message__isnull=True, created_at__lt=orphan_cutoff())
                .first()
            )
            if att is None:
                continue
            storage, name = att.file.storage, att.file.name
            att.delete()
            transaction.on_commit(partial(_delete_file, storage, name))
        deleted += 1
    return deleted


def _delete_file(storage: Any, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # the row is gone either way; a stray file is only space
        log.warning("Could not delete the unsent upload %s", name, exc_info=True)
