"""Read-only queries the pages need and no other app offers (each a fixed number of queries)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
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
    """Contracts with messages to me unread for more than 72 hours (DOMAIN §4); a bouncing address."""
    import datetime as dt

    from chukai import clock
    from chukai.messaging.models import Message

    cutoff = clock.now() - dt.timedelta(hours=72)
    stale = list(
        Message.objects.filter(recipient_id=user.pk, read_at__isnull=True, created_at__lte=cutoff)
        .values("contract_id", "contract__title")
        .distinct()
        .order_by("contract_id")[:20]
    )
    return {
        "stale_unread": [{"id": r["contract_id"], "title": r["contract__title"]} for r in stale],
        "email_bouncing": user.email_status == "bouncing",
    }


def notifications(*, user: User, limit: int = 100) -> list[dict[str, Any]]:
    try:
        from chukai.messaging.selectors import notifications_for
    except ImportError:
        return []
    return notifications_for(user_id=user.pk, limit=limit)


def decision_preview(*, contract: Contract, decision: str, pay_worker_jpy: int | None) -> dict[str, Any]:
    """What a staff decision would do to each milestone, in yen, before it is confirmed.

    Uses the decision's own split (`support.services.decision_pay`) and the settlement
    arithmetic (`remedies.outcomes.end_plan`); nothing is written.
    """
    from chukai.remedies.outcomes import end_plan
    from chukai.support.services import decision_pay

    milestones = list(contract.milestones.all())
    pay, ends = decision_pay(milestones=milestones, decision=decision, pay_worker_jpy=pay_worker_jpy)
    plan = end_plan(contract, milestones, pay)
    only = None if ends else set(pay)  # the contract goes on; the rest stays as it is
    if only is not None:
        for row in plan["milestones"]:
            if row["id"] not in only and not row.get("already_settled"):
                row.update(becomes=row["from"], worker_jpy=0, worker_fee_jpy=0, client_jpy=0, unchanged=True)
        moving = [r for r in plan["milestones"] if not r.get("already_settled") and not r.get("unchanged")]
        plan["worker_jpy"] = sum(r["worker_jpy"] for r in moving)
        plan["client_jpy"] = sum(r["client_jpy"] for r in moving)
        plan["fee_jpy"] = sum(r["worker_fee_jpy"] for r in moving)
        plan["contract_status"] = contract.status
    amounts = {m.pk: m.amount_jpy for m in milestones}
    for row in plan["milestones"]:
        row["amount_jpy"] = amounts.get(row["id"])
    plan["escrowed_jpy"] = sum(m.amount_jpy for m in milestones if m.status in Milestone.HOLDING)
    return plan


def reminder_stats(*, weeks: int = 8) -> dict[str, Any]:
    """For the staff dashboard: reminders filed per week, how they ended, response times (3 queries)."""
    import datetime as dt

    from chukai import clock
    from chukai.remedies.models import ContactReminder

    now = clock.now()
    start = (now - dt.timedelta(weeks=weeks)).replace(hour=0, minute=0, second=0, microsecond=0)
    filed = list(ContactReminder.objects.filter(filed_at__gte=start).values_list("filed_at", flat=True))
    per_week = [0] * weeks
    for at in filed:
        i = min(weeks - 1, max(0, int((at - start).total_seconds() // (7 * 86400))))
        per_week[i] += 1
    week_labels = [(start + dt.timedelta(weeks=i)).date() for i in range(weeks)]
    endings: dict[str, int] = {"open": 0, "answered": 0, "expired": 0, "closed": 0}
    for row in ContactReminder.objects.values("status").annotate(n=Count("id")):
        endings[row["status"]] = row["n"]
    buckets = [
        ("< 1h", 3600),
        ("1–6h", 6 * 3600),
        ("6–24h", 86400),
        ("1–3d", 3 * 86400),
        ("3–7d", 7 * 86400),
        ("> 7d", None),
    ]
    dist = [0] * len(buckets)
    seconds = [
        int(s)
        for s in ContactReminder.objects.filter(response_seconds__isnull=False).values_list(
            "response_seconds", flat=True
        )
        if s is not None
    ]
    for s in seconds:
        for i, (_label, upper) in enumerate(buckets):
            if upper is None or s < upper:
                dist[i] += 1
                break
    fastest = min(seconds) if seconds else None
    return {
        "per_week": list(zip(week_labels, per_week, strict=True)),
        "endings": endings,
        "response": [(label, n) for (label, _u), n in zip(buckets, dist, strict=True)],
        "answered_count": len(seconds),
        "fastest_seconds": fastest,
        "median_seconds": sorted(seconds)[len(seconds) // 2] if seconds else None,
    }


def remedies_of(*, contract: Contract) -> tuple[list[Any], list[Any]]:
    """The contract's contact reminders and termination requests, oldest first (2 queries)."""
    from chukai.remedies.models import ContactReminder, TerminationRequest

    return (
        list(ContactReminder.objects.filter(contract=contract).order_by("filed_at", "id")),
        list(TerminationRequest.objects.filter(contract=contract).order_by("filed_at", "id")),
    )
