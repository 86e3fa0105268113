"""要対応 — what awaits a user (DOMAIN §13): every action waiting on them, with its deadline, soonest first.

Above the apps it reads (contracts, deadlines, remedies, support, reputation), below the web and the API:
it imports them, none imports it. Seven queries whatever the number of contracts: the milestones waiting
on the user (fund, deliver, accept), their contracts' pending deadlines, open contact reminders and
termination requests, running official notices, and ended contracts still to rate.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db.models import Exists, OuterRef, Q

from chukai import clock
from chukai.contracts.models import Contract, Milestone
from chukai.deadlines.models import Deadline
from chukai.remedies.models import ContactReminder, TerminationRequest
from chukai.reputation.models import Rating
from chukai.reputation.services import rating_window_closes_at
from chukai.support.models import OfficialNotice

JST = zoneinfo.ZoneInfo("Asia/Tokyo")
ACCEPT_DEADLINES = ("auto_accept", "acceptance_due")  # the acceptance period's end, by policy
RATE_LOOKBACK = dt.timedelta(days=120)  # longer than any policy's rating window
KINDS = ("fund", "deliver", "accept", "answer_reminder", "answer_termination", "answer_notice", "rate")


def _end_of(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=JST) if day is not None else None


def _item(kind: str, contract: Contract, due_at: dt.datetime | None, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "contract_id": contract.pk, "contract_title": contract.title, "due_at": due_at, **extra}


def todo_for(*, user_id: int) -> list[dict[str, Any]]:
    now = clock.now()
    items: list[dict[str, Any]] = []
    party = Q(client_id=user_id) | Q(worker_id=user_id)

    waiting = (
        Milestone.objects.filter(contract__status__in=Contract.OPEN_STATUSES)
        .filter(
            Q(contract__client_id=user_id, status__in=[Milestone.UNFUNDED, Milestone.DELIVERED])
            | Q(contract__worker_id=user_id, status=Milestone.ESCROWED)
        )
        .order_by()
    )
    milestones = list(waiting.select_related("contract").order_by("contract_id", "position"))
    due: dict[tuple[str, int, int | None], dt.datetime] = {}
    contract_deadline: dict[int, dt.datetime] = {}  # a contract-wide pending deadline (an unfunded contract's end)
    # Always one query (a subquery, not a list of ids), so the count is the same with or without work waiting.
    for kind, contract_id, subject_id, at in Deadline.objects.filter(
        contract_id__in=waiting.values("contract_id"), status=Deadline.PENDING
    ).values_list("kind", "contract_id", "subject_id", "due_at"):
        due[(kind, contract_id, subject_id)] = at
        if "unfunded" in kind:
            contract_deadline[contract_id] = min(at, contract_deadline.get(contract_id, at))
    for m in milestones:
        c = m.contract
        if m.status == Milestone.UNFUNDED:
            items.append(_item("fund", c, contract_deadline.get(c.pk), milestone_id=m.pk, milestone_title=m.title))
        elif m.status == Milestone.DELIVERED:
            accept_by = min((due[k] for k in ((d, c.pk, m.pk) for d in ACCEPT_DEADLINES) if k in due), default=None)
            items.append(_item("accept", c, accept_by, milestone_id=m.pk, milestone_title=m.title))
        else:
            day = getattr(m, "due_date", None) or c.due_date
            items.append(_item("deliver", c, _end_of(day), milestone_id=m.pk, milestone_title=m.title))

    for r in ContactReminder.objects.filter(respondent_id=user_id, status=ContactReminder.OPEN).select_related(
        "contract"
    ):
        items.append(_item("answer_reminder", r.contract, r.respond_by, reminder_id=r.pk))
    for t in (
        TerminationRequest.objects.filter(status=TerminationRequest.OPEN)
        .filter(Q(contract__client_id=user_id) | Q(contract__worker_id=user_id))
        .exclude(requester_id=user_id)
        .select_related("contract")
    ):
        items.append(_item("answer_termination", t.contract, t.takes_effect_at, termination_request_id=t.pk))
    for n in OfficialNotice.objects.filter(to_user_id=user_id, status=OfficialNotice.RUNNING).select_related(
        "contract"
    ):
        items.append(_item("answer_notice", n.contract, n.respond_by, notice_id=n.pk, case_id=n.case_id))

    rated = Rating.objects.filter(contract=OuterRef("pk"), rater_id=user_id)
    for c in (
        Contract.objects.filter(party, ended_at__isnull=False, ended_at__gte=now - RATE_LOOKBACK)
        .annotate(rated=Exists(rated))
        .filter(rated=False)
    ):
        closes = rating_window_closes_at(c)
        if closes is not None and closes > now:
            items.append(_item("rate", c, closes))

    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: (i["due_at"] or far, KINDS.index(i["kind"]), i["contract_id"], i.get("milestone_id", 0)))
    return items
