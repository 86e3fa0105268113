"""Every write of messaging: messages, read marks, attachments, notifications.

Message writes lock the contract first (DESIGN: one writer per contract) and
keep each party's message facts on the contract row, so rules and pages never
scan messages. Notifications and their emails are written in the transaction
of the event that caused them (transactional outbox).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts import hooks
from chukai.contracts.models import Contract
from chukai.contracts.services import contract_lock
from chukai.deadlines.models import Deadline
from chukai.deadlines.registry import handler
from chukai.deadlines.services import deadline_cancel, deadline_schedule
from chukai.errors import Forbidden, Invalid, RateLimited, RuleViolation
from chukai.messaging import outbox
from chukai.messaging.models import Attachment, Message, Notification
from chukai.messaging.texts import Viewer, render
from chukai.messaging.uploads import upload_quota_check, upload_rate_check

BODY_MAX = 10_000
EXCERPT = 500
NUDGE_AFTER = dt.timedelta(hours=48)
NUDGE_KIND = "message_unread_nudge"
MESSAGE_KINDS = ("message_new", NUDGE_KIND)


def _conf(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --- notifications ------------------------------------------------------------------


def notification_add(*, contract: Contract | None, user_id: int, kind: str, params: dict[str, Any]) -> Notification:
    """An in-app notification and its email, in the recipient's language and time zone.

    Registered as the `contracts.hooks.notify` listener: runs inside the
    caller's transaction, so nothing is announced for a rolled-back change.
    """
    user = User.objects.get(pk=user_id)
    full: dict[str, Any] = {
        "contract": contract.title if contract is not None else "",
        "contract_id": contract.pk if contract is not None else None,
        **params,
    }
    official = bool(params.get("official"))
    now = clock.now()
    shown = render(kind, full, Viewer(user.locale, user.time_zone, now), official=official)
    note = Notification.objects.create(
        user=user,
        contract=contract,
        kind=kind,
        params=full,
        title=shown.title,
        body=shown.body,
        official=official,
        created_at=now,
    )
    outbox.email_enqueue(user=user, contract=contract, kind=kind, params=full, official=official)
    return note


def notification_listener(*, contract: Contract | None, user_id: int, kind: str, params: dict[str, Any]) -> None:
    notification_add(contract=contract, user_id=user_id, kind=kind, params=params)


def notifications_mark_read(*, user_id: int, ids: Sequence[int] | None = None) -> int:
    """Mark the caller's notifications read: the given ids, or all of them."""
    qs = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=clock.now())


# --- attachments --------------------------------------------------------------------


def _sniff_ok(ext: str, head: bytes) -> bool:
    """The first bytes must match the claimed type, so a renamed page or program is refused."""
    magic: dict[str, tuple[bytes, ...]] = {
        "pdf": (b"%PDF-",),
        "png": (b"\x89PNG\r\n\x1a\n",),
        "jpg": (b"\xff\xd8\xff",),
        "jpeg": (b"\xff\xd8\xff",),
        "gif": (b"GIF87a", b"GIF89a"),
        "zip": (b"PK\x03\x04", b"PK\x05\x06"),
        "docx": (b"PK\x03\x04",),
        "xlsx": (b"PK\x03\x04",),
        "pptx": (b"PK\x03\x04",),
    }
    if ext == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if ext in ("txt", "csv"):
        return b"\x00" not in head
    return any(head.startswith(m) for m in magic.get(ext, (b"",)))


def attachment_upload(*, user_id: int, contract_id: int, file: File, name: str | None = None) -> Attachment:
    """Store a file for the caller's next message on this contract (size- and type-limited)."""
    types: dict[str, str] = _conf("CHUKAI_ATTACHMENT_TYPES", {})
    max_bytes: int = _conf("CHUKAI_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    name = (name or getattr(file, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in types:
        raise Invalid({"file": f"This file type is not allowed. Allowed: {', '.join(sorted(types))}."})
    size = file.size or 0
    if size <= 0:
        raise Invalid({"file": "The file is empty."})
    if size > max_bytes:
        raise Invalid({"file": f"The file is larger than {max_bytes // (1024 * 1024)} MB."})
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not _sniff_ok(ext, head):
        raise Invalid({"file": f"The file's content is not a .{ext} file."})
    upload_rate_check(user_id=user_id)  # 429, counted in the shared cache
    with transaction.atomic():
        contract = contract_lock(contract_id, user_id=user_id)
        _require_party(contract, user_id)
        _require_can_post(contract)
        upload_quota_check(user_id=user_id, size=size)  # 413
        att = Attachment(
            contract=contract,
            uploader_id=user_id,
            token=secrets.token_hex(8),
            name=name,
            content_type=types[ext],
            size=size,
            created_at=clock.now(),
        )
        att.file.save(name, file, save=False)
        att.save()
    return att


# --- messages -----------------------------------------------------------------------


def _require_party(contract: Contract, user_id: int) -> str:
    role = contract.role_of(user_id)
    if role is None:
        raise Forbidden("Only the parties post in the thread; staff send official notices through a support case.")
    return role


def _require_can_post(contract: Contract) -> None:
    """Open contracts, and ended ones for a grace period (files, thanks, ratings)."""
    if contract.is_open:
        return
    days = _conf("CHUKAI_MESSAGES_AFTER_END_DAYS", 14)
    if contract.ended_at is None or clock.now() > contract.ended_at + dt.timedelta(days=days):
        raise RuleViolation(
            "not_in_progress", f"The contract ended more than {days} days ago; its thread is closed for new messages."
        )


def _check_body(body: str) -> None:
    if not isinstance(body, str) or not body.strip():
        raise Invalid({"body": "Write a message (1 to 10,000 characters)."})
    if len(body) > BODY_MAX:
        raise Invalid({"body": "At most 10,000 characters."})


def _check_rate(user_id: int, now: dt.datetime) -> None:
    count, seconds = _conf("CHUKAI_MESSAGE_RATE_LIMIT", (30, 600))
    since = now - dt.timedelta(seconds=seconds)
    recent = list(
        Message.objects.filter(sender_id=user_id, created_at__gt=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:count]
    )
    if len(recent) >= count:
        retry = max(1, int((recent[-1] + dt.timedelta(seconds=seconds) - now).total_seconds()) + 1)
        raise RateLimited(
            f"You can post at most {count} messages in {seconds // 60} minutes. Try again in {retry} seconds.",
            retry_after=retry,
            limit=count,
            window_seconds=seconds,
        )


def _apply_post(contract: Contract, role: str, at: dt.datetime, n: int = 1) -> list[str]:
    """Keep the message facts on the contract row: a post answers the other side."""
    other = "worker" if role == "client" else "client"
    setattr(contract, f"{role}_last_message_at", at)
    if getattr(contract, f"{role}_waiting_since") is None:
        setattr(contract, f"{role}_waiting_since", at)
    setattr(contract, f"{role}_unanswered", getattr(contract, f"{role}_unanswered") + n)
    setattr(contract, f"{other}_waiting_since", None)
    setattr(contract, f"{other}_unanswered", 0)
    setattr(contract, f"{other}_unread", getattr(contract, f"{other}_unread") + n)
    return [
        f"{role}_last_message_at",
        f"{role}_waiting_since",
        f"{role}_unanswered",
        f"{other}_waiting_since",
        f"{other}_unanswered",
        f"{other}_unread",
    ]


def message_post(
    *, user_id: int, contract_id: int, body: str, attachments: Sequence[int] = (), notify: bool = True
) -> Message:
    """Post to the contract's thread; notifies the recipient (emails batched per thread)."""
    _check_body(body)
    attachment_ids = list(dict.fromkeys(int(a) for a in attachments))
    max_count = _conf("CHUKAI_ATTACHMENT_MAX_COUNT", 5)
    if len(attachment_ids) > max_count:
        raise Invalid({"attachments": f"At most {max_count} files per message."})
    _check_rate(user_id, clock.now())
    with transaction.atomic():
        contract = contract_lock(contract_id, user_id=user_id)
        # One instant for the whole action, read after the lock: the message's stamp, the contract's
        # facts and every listener (the contact reminder's "answered before respond_by?") agree.
        with clock.pinned() as now:
            role = _require_party(contract, user_id)
            _require_can_post(contract)
            recipient_id = contract.other_party_id(user_id)
            msg = Message.objects.create(
                contract=contract, sender_id=user_id, recipient_id=recipient_id, body=body, created_at=now
            )
            if attachment_ids:
                claimed = Attachment.objects.filter(
                    pk__in=attachment_ids, contract=contract, uploader_id=user_id, message__isnull=True
                ).update(message=msg)
                if claimed != len(attachment_ids):
                    raise Invalid({"attachments": "Upload each file to this contract first; a file is sent once."})
            first_unread = getattr(contract, f"{'worker' if role == 'client' else 'client'}_unread") == 0
            contract.save(update_fields=_apply_post(contract, role, now))
            if first_unread:
                # One reminder per unread stretch, due 48 hours after its oldest message.
                deadline_schedule(
                    kind=NUDGE_KIND, due_at=now + NUDGE_AFTER, contract_id=contract.pk, subject_id=msg.pk, visible=False
                )
            hooks.party_acted(contract, user_id)
            if notify:
                sender = User.objects.filter(pk=user_id).values_list("display_name", flat=True).first() or ""
                hooks.notify(
                    contract=contract,
                    user_id=recipient_id,
                    kind="message_new",
                    params={
                        "sender": sender,
                        "message_id": msg.pk,
                        "count": 1,
                        "messages": [{"sender": sender, "at": now, "excerpt": _excerpt(body)}],
                    },
                )
    return msg


def _excerpt(body: str) -> str:
    return body if len(body) <= EXCERPT else body[:EXCERPT] + "…"


def message_bulk_add(*, contract_id: int, items: Sequence[tuple[int, str]], start: dt.datetime | None = None) -> int:
    """Import many messages at once (migrations from another tool, load tests).

    Keeps the contract's facts as `message_post` would but sends no
    notifications and skips the rate limit; messages are spaced one second
    apart from `start` (default: now).
    """
    for _, body in items:
        _check_body(body)
    with transaction.atomic():
        contract = contract_lock(contract_id)
        at = start or clock.now()
        rows = []
        fields: set[str] = set()
        for i, (sender_id, body) in enumerate(items):
            role = _require_party(contract, sender_id)
            when = at + dt.timedelta(seconds=i)
            rows.append(
                Message(
                    contract=contract,
                    sender_id=sender_id,
                    recipient_id=contract.other_party_id(sender_id),
                    body=body,
                    created_at=when,
                )
            )
            fields.update(_apply_post(contract, role, when))
        Message.objects.bulk_create(rows, batch_size=1000)
        if fields:
            contract.save(update_fields=sorted(fields))
    return len(rows)


def messages_mark_read(*, user_id: int, contract_id: int) -> int:
    """Mark every message to the caller on this contract read; the batched email that is
    still waiting for its window is dropped (they read it in the app)."""
    with transaction.atomic():
        contract = contract_lock(contract_id, user_id=user_id)
        role = _require_party(contract, user_id)
        now = clock.now()
        oldest = (
            Message.objects.filter(contract=contract, recipient_id=user_id, read_at__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        if oldest is None:
            return 0
        marked = Message.objects.filter(contract=contract, recipient_id=user_id, read_at__isnull=True).update(
            read_at=now
        )
        setattr(contract, f"{role}_unread", 0)
        contract.save(update_fields=[f"{role}_unread"])
        deadline_cancel(contract_id=contract.pk, kinds=(NUDGE_KIND,), subject_id=oldest)
        Notification.objects.filter(
            user_id=user_id, contract=contract, kind__in=MESSAGE_KINDS, read_at__isnull=True
        ).update(read_at=now)
        outbox.email_skip_batch(user_id=user_id, contract_id=contract.pk, kind="message_new")
    return marked


@handler(NUDGE_KIND)
def _unread_nudge(deadline: Deadline) -> None:
    """48 hours after the oldest of a stretch of unread messages: one reminder email."""
    if deadline.subject_id is None or deadline.contract_id is None:
        return
    msg = Message.objects.select_related("sender").filter(pk=deadline.subject_id).first()
    if msg is None or msg.read_at is not None:
        return  # read meanwhile
    contract = Contract.objects.get(pk=deadline.contract_id)  # locked by the worker
    unread = Message.objects.filter(contract=contract, recipient_id=msg.recipient_id, read_at__isnull=True)
    count = unread.count()
    oldest = unread.order_by("id").values_list("created_at", flat=True).first()
    hooks.notify(
        contract=contract,
        user_id=msg.recipient_id,
        kind=NUDGE_KIND,
        params={"sender": msg.sender.display_name, "count": count, "oldest_at": oldest},
    )


def email_bounce_record(*, user_id: int, email: str = "", reason: str = "") -> None:
    """The mail server refused this user's address permanently: their email bounces."""
    outbox.user_mark_bouncing(user_id=user_id, email=email, reason=reason)
