"""Read-only queries the pages need and no other app offers (each a fixed number of queries)."""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from chukai.accounts.models import User
from chukai.contracts.models import Contract, Milestone
from chukai.deadlines.models import Deadline


def unread_notification_count(*, user: User) -> int:
    try:
        from chukai.messaging import selectors as messaging
    except ImportError:
        return 0
    fn = getattr(messaging, "notification_unread_count", None) or getattr(messaging, "unread_notification_count", None)
    if fn is None:
        return 0
    return int(fn(user_id=user.pk))


def dashboard_contracts(*, user: User, limit: int = 200) -> list[dict[str, Any]]:
    """My contracts with their money state and next visible deadline: 1 query."""
    next_deadline = (
        Deadline.objects.filter(contract=OuterRef("pk"), status=Deadline.PENDING, visible=True)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    next_kind = (
        Deadline.objects.filter(contract=OuterRef("pk"), status=Deadline.PENDING, visible=True)
        .order_by("due_at")
        .values("kind")[:1]
    )
    zero = Value(0, output_field=IntegerField())
    rows = (
        Contract.objects.filter(Q(client=user) | Q(worker=user))
        .select_related("client", "worker")
        .annotate(
            escrow=Coalesce(
                Sum("milestones__amount_jpy", filter=Q(milestones__status__in=Milestone.HOLDING)),
                zero,
            ),
            paid=Coalesce(Sum("milestones__worker_paid_jpy"), zero) + Coalesce(Sum("milestones__worker_fee_jpy"), zero),
            refunded=Coalesce(Sum("milestones__client_refunded_jpy"), zero),
            next_due=Subquery(next_deadline),
            next_kind=Subquery(next_kind),
        )
        .order_by("-formed_at", "-id")[:limit]
    )
    out = []
    for c in rows:
        role = c.role_of(user.pk)
        other = c.worker if role == "client" else c.client
        out.append(
            {
                "id": c.pk,
                "title": c.title,
                "role": role,
                "counterpart": other,
                "status": c.status,
                "policy": c.policy_name,
                "amount_jpy": c.amount_jpy,
                "escrow_jpy": c.escrow,  # type: ignore[attr-defined]
                "paid_jpy": c.paid,  # type: ignore[attr-defined]
                "refunded_jpy": c.refunded,  # type: ignore[attr-defined]
                "next_due": c.next_due,  # type: ignore[attr-defined]
                "next_kind": c.next_kind,  # type: ignore[attr-defined]
                "unread": c.client_unread if role == "client" else c.worker_unread,
            }
        )
    return out


def dashboard_banners(*, user: User) -> dict[str, Any]:
    """Unread messages older than 72 hours (DOMAIN §4), and an email address that bounces."""
    import datetime as dt

    from chukai import clock

    cutoff = clock.now() - dt.timedelta(hours=72)
    # The counterpart's oldest unanswered message is the oldest one I have not answered;
    # with unread messages to me, it is at least that old and unread.
    stale = list(
        Contract.objects.filter(
            Q(client=user, client_unread__gt=0, worker_waiting_since__lte=cutoff)
            | Q(worker=user, worker_unread__gt=0, client_waiting_since__lte=cutoff)
        )
        .order_by("id")
        .values("id", "title")[:20]
    )
    return {"stale_unread": stale, "email_bouncing": user.email_status == "bouncing"}


def notifications(*, user: User, limit: int = 100) -> list[dict[str, Any]]:
    try:
        from chukai.messaging.selectors import notifications_for
    except ImportError:
        return []
    return notifications_for(user_id=user.pk, limit=limit)
