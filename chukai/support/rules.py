"""Who may open which kind of support case, and when: pure, so the `actions` map and the
service that opens a case give the same answer."""

from __future__ import annotations

import datetime as dt

from chukai.contracts.actions import Availability, no, yes
from chukai.contracts.models import Contract, Milestone
from chukai.policies.calendar import add_days
from chukai.support.models import SupportCase

# Kinds about a contract still running; disputes and other questions may come after it ended.
WHILE_OPEN_ONLY = (SupportCase.UNRESPONSIVE, SupportCase.ACCEPTANCE_OVERDUE)


def acceptance_lapses_at(contract: Contract, milestone: Milestone) -> dt.datetime | None:
    """When the client's acceptance period for a delivered milestone ends (policy days)."""
    if milestone.delivered_at is None:
        return None
    acc = contract.policy["acceptance"]
    return add_days(milestone.delivered_at, acc["review_days"], business=acc.get("business_days", False))


def kind_availability(
    *,
    contract: Contract,
    milestones: list[Milestone],
    role: str | None,
    now: dt.datetime,
    open_case_id: int | None,
    kind: str,
) -> Availability:
    if role is None:
        return no("not_your_role")
    if kind == SupportCase.ACCEPTANCE_OVERDUE and role != "worker":
        return no("not_your_role")
    if kind in WHILE_OPEN_ONLY and not contract.is_open:
        return no("not_in_progress")
    if open_case_id is not None:
        return {**no("request_open"), "case_id": open_case_id}
    if kind == SupportCase.ACCEPTANCE_OVERDUE:
        lapses = [
            at
            for m in milestones
            if m.status == Milestone.DELIVERED and (at := acceptance_lapses_at(contract, m)) is not None
        ]
        if not lapses:
            return no("invalid_state")
        first = min(lapses)
        if first > now:
            return no("too_soon", first)
    return yes()


def all_kinds(
    *, contract: Contract, milestones: list[Milestone], role: str | None, now: dt.datetime, open_case_id: int | None
) -> Availability:
    """The `support_case` entry of the actions map: available when some kind is, with each kind's answer."""
    kinds = {
        kind: kind_availability(
            contract=contract, milestones=milestones, role=role, now=now, open_case_id=open_case_id, kind=kind
        )
        for kind in SupportCase.KINDS
    }
    # `dispute` is the most permissive kind: if it is unavailable, so is every other.
    head = dict(kinds[SupportCase.DISPUTE])
    head["kinds"] = kinds
    return head
