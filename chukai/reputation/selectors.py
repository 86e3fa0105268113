"""Reads of reputation. A hidden (not yet revealed) rating is shown to its author alone and
counted nowhere; every query here that is not the author's own view filters on `revealed_at`."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.apps import apps
from django.db.models import (
    Avg,
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, Least

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts.models import Contract, Event
from chukai.reputation.models import PenaltyMark, Rating
from chukai.reputation.services import rating_window_closes_at

PROFILE_RATINGS_SHOWN = 50
PROFILE_MARKS_SHOWN = 100
RESPONSE_SAMPLE = 500  # the most recent contracts the response time is measured on


def rating_dict(r: Rating) -> dict[str, Any]:
    return {
        "id": r.pk,
        "contract_id": r.contract_id,
        "rater_id": r.rater_id,
        "ratee_id": r.ratee_id,
        "rater_role": r.rater_role,
        "stars": r.stars,
        "comment": r.comment,
        "created_at": r.created_at,
        "revealed": r.revealed_at is not None,
        "revealed_at": r.revealed_at,
    }


def contract_ratings(*, contract: Contract, user: User) -> dict[str, Any]:
    """The ratings of a contract as the caller may see them: revealed ones, plus the caller's own.

    `contract` comes from `contracts.selectors.contract_for` (party or staff, else 404).
    """
    closes = rating_window_closes_at(contract)
    now = clock.now()
    rows = Rating.objects.filter(contract=contract).filter(Q(revealed_at__isnull=False) | Q(rater_id=user.pk))
    return {
        "contract_id": contract.pk,
        "window_closes_at": closes,
        "window_open": closes is not None and not contract.is_open and now < closes,
        "ratings": [rating_dict(r) for r in rows.order_by("created_at", "id")],
    }


def has_rated(*, contract_id: int, user_id: int) -> bool:
    return Rating.objects.filter(contract_id=contract_id, rater_id=user_id).exists()


# --- profile --------------------------------------------------------------------------


def _ratings_part(user: User, out: dict[str, Any]) -> None:
    visible = Rating.objects.filter(ratee=user, revealed_at__isnull=False)
    agg = visible.aggregate(avg=Avg("stars"), n=Count("id"))
    out["rating_average"] = round(float(agg["avg"]), 2) if agg["avg"] is not None else None
    out["rating_count"] = agg["n"]
    out["ratings"] = [
        {
            "stars": r.stars,
            "comment": r.comment,
            "rater_role": r.rater_role,
            "rater": {"id": r.rater_id, "display_name": r.rater.display_name},
            "contract_id": r.contract_id,
            "contract_title": r.contract.title,
            "created_at": r.created_at,
            "revealed_at": r.revealed_at,
        }
        for r in visible.select_related("rater", "contract").order_by("-revealed_at", "-id")[:PROFILE_RATINGS_SHOWN]
    ]


def _marks_part(user: User, out: dict[str, Any]) -> None:
    out["penalty_marks"] = [
        {
            "kind": m.kind,
            "contract_id": m.contract_id,
            "contract_title": m.contract.title,
            "issued_at": m.issued_at,
            "reason": m.reason,
        }
        for m in PenaltyMark.objects.filter(user=user)
        .select_related("contract")
        .order_by("-issued_at", "-id")[:PROFILE_MARKS_SHOWN]
    ]


def _contracts_part(user: User, out: dict[str, Any]) -> None:
    """Counts and the completion rate with attribution (DOMAIN §3), in one query.

    An ended contract counts for the user as a completion (`end_cause` completed),
    against them (they caused the end: their silence, their cancellation, a staff
    decision naming them), or not at all (the other party caused it, or nobody did).
    """
    uid = user.pk
    ended = Q(ended_at__isnull=False)
    not_completed = ended & ~Q(end_cause=Contract.END_COMPLETED)
    agg = Contract.objects.filter(Q(client_id=uid) | Q(worker_id=uid)).aggregate(
        total=Count("id"),
        as_client=Count("id", filter=Q(client_id=uid)),
        as_worker=Count("id", filter=Q(worker_id=uid)),
        open=Count("id", filter=Q(status__in=Contract.OPEN_STATUSES)),
        status_completed=Count("id", filter=Q(status=Contract.COMPLETED)),
        status_cancelled=Count("id", filter=Q(status=Contract.CANCELLED)),
        completed=Count("id", filter=ended & Q(end_cause=Contract.END_COMPLETED)),
        caused_by_you=Count("id", filter=not_completed & Q(ended_by_id=uid)),
        caused_by_other=Count("id", filter=not_completed & Q(ended_by__isnull=False) & ~Q(ended_by_id=uid)),
        no_one_at_fault=Count("id", filter=not_completed & Q(ended_by__isnull=True)),
    )
    counted = agg["completed"] + agg["caused_by_you"]
    out["contracts"] = {
        "total": agg["total"],
        "as_client": agg["as_client"],
        "as_worker": agg["as_worker"],
        "open": agg["open"],
        "completed": agg["status_completed"],
        "cancelled": agg["status_cancelled"],
    }
    out["completion_rate"] = round(agg["completed"] / counted, 4) if counted else None
    out["completion"] = {
        "completed": agg["completed"],
        "ended_by_you": agg["caused_by_you"],
        "ended_by_other_party": agg["caused_by_other"],
        "ended_without_fault": agg["no_one_at_fault"],
    }


def _message_model() -> type[Model] | None:
    """The messaging app's Message (contract, sender, created_at) once it exists."""
    try:
        model = apps.get_model("messaging", "Message")
    except LookupError:
        return None
    names = {f.name for f in model._meta.get_fields()}
    return model if {"contract", "sender", "created_at"} <= names else None


def _earliest(*values: Any) -> Any:
    """The earliest non-null of several datetime expressions (LEAST is NULL-unsafe on SQLite)."""
    if len(values) == 1:
        return values[0]
    first = values[0]
    rest = _earliest(*values[1:])
    return Least(Coalesce(first, rest), Coalesce(rest, first), output_field=DateTimeField())


def _first_at(qs: Any, field: str) -> Subquery:
    return Subquery(qs.order_by(field).values(field)[:1], output_field=DateTimeField())


def _response_part(user: User, out: dict[str, Any]) -> None:
    """Median first response on contracts, in one query.

    Per contract: from the other party's first act (a message or an action; for the
    worker that is the client forming the contract) to this user's first message or
    action at or after it. Contracts that ended with the user never answering are
    counted apart (`unanswered`), never as a made-up duration.
    """
    uid = user.pk
    message = _message_model()
    contracts = Contract.objects.filter(Q(client_id=uid) | Q(worker_id=uid)).annotate(
        other_id=Case(When(client_id=uid, then=F("worker_id")), default=F("client_id"), output_field=IntegerField())
    )
    other_acts = [_first_at(Event.objects.filter(contract=OuterRef("pk"), actor_id=OuterRef("other_id")), "at")]
    if message is not None:
        other_acts.append(
            _first_at(
                message._default_manager.filter(contract=OuterRef("pk"), sender_id=OuterRef("other_id")), "created_at"
            )
        )
    contracts = contracts.annotate(t0=_earliest(*other_acts))
    # The client's own forming of the contract is not an answer to anything.
    own_acts = [
        _first_at(
            Event.objects.filter(contract=OuterRef("pk"), actor_id=uid, at__gte=OuterRef("t0")).exclude(
                kind="contract_formed"
            ),
            "at",
        )
    ]
    if message is not None:
        own_acts.append(
            _first_at(
                message._default_manager.filter(contract=OuterRef("pk"), sender_id=uid, created_at__gte=OuterRef("t0")),
                "created_at",
            )
        )
    rows = contracts.annotate(t1=_earliest(*own_acts)).order_by("-formed_at", "-id").values("t0", "t1", "ended_at")
    seconds: list[float] = []
    unanswered = 0
    for row in rows[:RESPONSE_SAMPLE]:
        t0: dt.datetime | None = row["t0"]
        t1: dt.datetime | None = row["t1"]
        if t0 is None:
            continue  # the other party never did anything to answer
        if t1 is not None:
            seconds.append(max((t1 - t0).total_seconds(), 0.0))
        elif row["ended_at"] is not None:
            unanswered += 1
    out["median_first_response_seconds"] = round(statistics.median(seconds)) if seconds else None
    out["first_response"] = {
        "median_seconds": out["median_first_response_seconds"],
        "contracts_measured": len(seconds),
        "contracts_unanswered": unanswered,
    }


def profile_reputation(user: User, out: dict[str, Any]) -> None:
    """`accounts.selectors.PROFILE_EXTRAS` entry: five queries whatever the number of contracts."""
    _ratings_part(user, out)
    _marks_part(user, out)
    _contracts_part(user, out)
    _response_part(user, out)


def figures_for(user_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Rating average, completion rate and penalty-mark count of many users in four queries, by the
    same rules as the profile (a proposal list shows them beside each proposer)."""
    ids = list(dict.fromkeys(user_ids))
    out: dict[int, dict[str, Any]] = {
        uid: {"rating_average": None, "rating_count": 0, "completion_rate": None, "penalty_marks": 0} for uid in ids
    }
    if not ids:
        return out
    for row in (
        Rating.objects.filter(ratee_id__in=ids, revealed_at__isnull=False)
        .values("ratee_id")
        .annotate(avg=Avg("stars"), n=Count("id"))
    ):
        out[row["ratee_id"]]["rating_average"] = round(float(row["avg"]), 2)
        out[row["ratee_id"]]["rating_count"] = row["n"]
    for row in PenaltyMark.objects.filter(user_id__in=ids).values("user_id").annotate(n=Count("id")):
        out[row["user_id"]]["penalty_marks"] = row["n"]
    counts: dict[int, list[int]] = {uid: [0, 0] for uid in ids}  # completed, ended by the user
    for role in ("client_id", "worker_id"):
        ended = Q(ended_at__isnull=False)
        for row in (
            Contract.objects.filter(**{f"{role}__in": ids})
            .values(role)
            .annotate(
                completed=Count("id", filter=ended & Q(end_cause=Contract.END_COMPLETED)),
                caused=Count("id", filter=ended & ~Q(end_cause=Contract.END_COMPLETED) & Q(ended_by_id=F(role))),
            )
        ):
            counts[row[role]][0] += row["completed"]
            counts[row[role]][1] += row["caused"]
    for uid, (completed, caused) in counts.items():
        counted = completed + caused
        out[uid]["completion_rate"] = round(completed / counted, 4) if counted else None
    return out
