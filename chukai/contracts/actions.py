"""The `actions` map: for the caller, each action available or not, with a reason code.

Computed from the contract's policy and state. Other apps add their actions
(contact reminders, termination, ratings …) with `provider`; each provider
loads what it needs with a fixed number of queries, whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chukai.contracts.models import Contract, Milestone


@dataclass
class Facts:
    contract: Contract
    milestones: list[Milestone]
    user_id: int
    role: str | None  # client, worker, or None for staff
    now: dt.datetime
    pending_plan_change: Any = None
    pending_due_date_change: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


Availability = dict[str, Any]
Provider = Callable[[Facts], dict[str, Availability]]
PROVIDERS: list[Provider] = []


def provider(fn: Provider) -> Provider:
    PROVIDERS.append(fn)
    return fn


def yes() -> Availability:
    return {"available": True, "reason": None, "available_at": None}


def no(reason: str, available_at: dt.datetime | None = None) -> Availability:
    return {"available": False, "reason": reason, "available_at": available_at}


def milestone_actions(f: Facts, m: Milestone) -> dict[str, Availability]:
    def check(role: str, state: str) -> Availability:
        if f.role != role:
            return no("not_your_role")
        if not f.contract.is_open:
            return no("not_in_progress")
        if m.status == Milestone.AWAITING_PAYMENT:
            # A bank transfer is on its way: not funded yet (no work, no delivery), not fundable again.
            return no("awaiting_payment")
        if m.status != state:
            return no("invalid_state")
        return yes()

    return {
        "fund": check("client", Milestone.UNFUNDED),
        "deliver": check("worker", Milestone.ESCROWED),
        "accept": check("client", Milestone.DELIVERED),
        "request_revision": check("client", Milestone.DELIVERED),
    }


def _any_of(per_milestone: list[dict[str, Availability]], name: str) -> Availability:
    if not per_milestone:
        return no("invalid_state")
    for acts in per_milestone:
        if acts[name]["available"]:
            return yes()
    reasons = [acts[name]["reason"] for acts in per_milestone]
    for preferred in ("not_your_role", "not_in_progress"):
        if preferred in reasons:
            return no(preferred)
    return no("invalid_state")


@provider
def _core(f: Facts) -> dict[str, Availability]:
    per = [milestone_actions(f, m) for m in f.milestones]
    f.extra["milestone_actions"] = {m.pk: acts for m, acts in zip(f.milestones, per, strict=True)}
    out = {name: _any_of(per, name) for name in ("fund", "deliver", "accept", "request_revision")}
    party = f.role is not None
    for name, pending in (("due_date_change", f.pending_due_date_change), ("plan_change", f.pending_plan_change)):
        if not party:
            out[name] = no("not_your_role")
        elif not f.contract.is_open:
            out[name] = no("not_in_progress")
        elif pending is not None:
            out[name] = no("request_open")
        else:
            out[name] = yes()
    out["message"] = yes() if party else no("not_your_role")
    return out


def compute(f: Facts) -> dict[str, Availability]:
    out: dict[str, Availability] = {}
    for fn in PROVIDERS:
        out.update(fn(f))
    return out
