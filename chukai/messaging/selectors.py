"""Reads of messaging. Each answers with a fixed number of queries, whatever the data size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Min
from django.http import FileResponse

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts.models import Contract, DueDateChange, PlanChange
from chukai.errors import Forbidden, Invalid, NotFound
from chukai.messaging.models import Attachment, Message, Notification

# Other apps add the open requests they own (contact reminders, termination requests,
# support notices …): fn(contract, viewer) -> [{kind, id, status, deadline_at, …}].
REACHABILITY_EXTRAS: list[Callable[[Contract, User], list[dict[str, Any]]]] = []

PAGE_DEFAULT = 50
PAGE_MAX = 200
BANNER_AFTER = dt.timedelta(hours=72)


def _attachment_dict(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "size": a.size,
        "content_type": a.content_type,
        "url": f"/api/contracts/{a.contract_id}/attachments/{a.pk}",
    }


def message_dict(m: Message, attachments: list[Attachment] | None = None) -> dict[str, Any]:
    return {
        "id": m.pk,
        "sender_id": m.sender_id,
        "recipient_id": m.recipient_id,
        "body": m.body,  # as written; escaped by whoever renders it
        "created_at": m.created_at,
        "read_at": m.read_at,
        "attachments": [_attachment_dict(a) for a in (attachments if attachments is not None else [])],
    }


def thread_page(
    *,
    contract: Contract,
    after: int | None = None,
    before: int | None = None,
    latest: bool = False,
    limit: int = PAGE_DEFAULT,
) -> tuple[list[dict[str, Any]], dict[str, int | None]]:
    """One page of the thread, oldest first, by keyset on the id: 2 queries at most.

    `after`: the messages following that id; `before`: those preceding it;
    `latest`: the newest page. Returns the page and the cursors next to it.
    """
    if limit < 1 or limit > PAGE_MAX:
        raise Invalid({"limit": f"Between 1 and {PAGE_MAX}."})
    qs = Message.objects.filter(contract=contract)
    backwards = before is not None or (latest and after is None)
    if after is not None:
        qs = qs.filter(pk__gt=after)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.order_by("-id" if backwards else "id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    by_message: dict[int, list[Attachment]] = {}
    if rows:
        for a in Attachment.objects.filter(message_id__in=[m.pk for m in rows]).order_by("id"):
            by_message.setdefault(a.message_id or 0, []).append(a)
    page = [message_dict(m, by_message.get(m.pk, [])) for m in rows]
    cursors: dict[str, int | None] = {"next_after": None, "prev_before": None}
    if rows:
        if backwards:
            cursors["prev_before"] = rows[0].pk if more else None
            cursors["next_after"] = rows[-1].pk if before is not None else None
        else:
            cursors["next_after"] = rows[-1].pk if more else None
            cursors["prev_before"] = rows[0].pk if after is not None else None
    return page, cursors


def attachment_response(att: Attachment) -> FileResponse:
    """The one download answer (API and pages): always a download, never rendered, and sandboxed
    by its own Content-Security-Policy should a browser open it anyway."""
    response = FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name, content_type=att.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def attachment_for(*, contract: Contract, attachment_id: int) -> Attachment:
    att = Attachment.objects.filter(pk=attachment_id, contract=contract, message__isnull=False).first()
    if att is None:
        raise NotFound("No such attachment.")
    return att


# --- reachability ---------------------------------------------------------------------


def last_seen_coarse(at: dt.datetime | None, now: dt.datetime) -> tuple[str, dt.datetime | None]:
    """A code and the time floored to the hour: enough to judge silence, too coarse to stalk."""
    if at is None:
        return "never", None
    ago = now - at
    if ago <= dt.timedelta(days=1):
        code = "within_a_day"
    elif ago <= dt.timedelta(days=3):
        code = "within_3_days"
    elif ago <= dt.timedelta(days=7):
        code = "within_a_week"
    elif ago <= dt.timedelta(days=30):
        code = "within_a_month"
    else:
        code = "over_a_month"
    return code, at.replace(minute=0, second=0, microsecond=0)


def _core_open_requests(contract: Contract, viewer: User) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for kind, model in (("due_date_change", DueDateChange), ("plan_change", PlanChange)):
        for c in model.objects.filter(contract=contract, status="pending").values("id", "proposed_by_id"):
            out.append(
                {
                    "kind": kind,
                    "id": c["id"],
                    "status": "pending",
                    "deadline_at": None,
                    "filed_by_you": c["proposed_by_id"] == viewer.pk,
                }
            )
    return out


def reachability(*, contract: Contract, user: User) -> dict[str, Any]:
    """About the caller's counterpart (DOMAIN §4): can they be reached, and how long have you waited?"""
    role = contract.role_of(user.pk)
    if role is None:
        raise Forbidden("Reachability is shown to the parties of the contract.")
    other_role = "worker" if role == "client" else "client"
    other: User = getattr(contract, other_role)
    now = clock.now()
    unread_from_you = getattr(contract, f"{other_role}_unread")
    oldest_unread_at = None
    if unread_from_you:
        oldest_unread_at = (
            Message.objects.filter(contract=contract, recipient_id=other.pk, read_at__isnull=True)
            .order_by("id")
            .values_list("created_at", flat=True)
            .first()
        )
    code, seen = last_seen_coarse(other.last_seen_at, now)
    requests = _core_open_requests(contract, user)
    for fn in REACHABILITY_EXTRAS:
        requests.extend(fn(contract, user))
    requests.sort(key=lambda r: (r.get("deadline_at") is None, r.get("deadline_at") or now))
    return {
        "counterpart": {"id": other.pk, "display_name": other.display_name, "role": other_role},
        "last_seen_at": seen,
        "last_seen": code,
        "unread_from_you": unread_from_you,
        "oldest_unread_at": oldest_unread_at,
        "unanswered_from_you": getattr(contract, f"{role}_unanswered"),
        "waiting_since": getattr(contract, f"{role}_waiting_since"),
        "their_last_message_at": getattr(contract, f"{other_role}_last_message_at"),
        "unread_to_you": getattr(contract, f"{role}_unread"),
        "email_status": other.email_status,
        "open_requests": requests,
    }


# --- notifications and banners --------------------------------------------------------


def notification_dict(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "contract_id": n.contract_id,
        "created_at": n.created_at,
        "read_at": n.read_at,
        "title": n.title,
        "body": n.body,
        "official": n.official,
    }


def notifications_for(
    *, user_id: int, before: int | None = None, unread_only: bool = False, limit: int = PAGE_DEFAULT
) -> list[dict[str, Any]]:
    """Newest first, by keyset on the id."""
    if limit < 1 or limit > PAGE_MAX:
        raise Invalid({"limit": f"Between 1 and {PAGE_MAX}."})
    qs = Notification.objects.filter(user_id=user_id)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return [notification_dict(n) for n in qs.order_by("-id")[:limit]]


def notification_unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def me_banners(user: User, out: dict[str, Any]) -> None:
    """Flags for `GET /api/me`: unread messages older than 72 hours, a bouncing address (2 queries)."""
    agg = Message.objects.filter(recipient_id=user.pk, read_at__isnull=True).aggregate(
        n=Count("id"), oldest=Min("created_at")
    )
    oldest = agg["oldest"]
    out["unread_messages"] = agg["n"] or 0
    out["oldest_unread_at"] = oldest
    out["unread_over_72h"] = bool(oldest is not None and clock.now() - oldest >= BANNER_AFTER)
    out["email_bouncing"] = user.email_status == "bouncing"
    out["unread_notifications"] = notification_unread_count(user_id=user.pk)
