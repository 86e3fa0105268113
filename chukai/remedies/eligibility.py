"""Who may file what, and why not: the rules of DOMAIN §5.1 and §5.2 as pure functions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chukai.contracts.models import Contract
from chukai.remedies.models import ContactReminder, TerminationRequest

# Checked in this order, so that `too_soon` (the only one waiting cures) comes last.
REMINDER_ORDER = (
    "not_allowed_by_policy",
    "not_fixed_price",
    "not_in_progress",
    "already_filed",
    "counterpart_filed",
    "plan_change_pending",
    "too_soon",
)

EXPLAIN = {
    "not_allowed_by_policy": "This contract's policy has no such request.",
    "not_fixed_price": "Only fixed-price contracts can use this request.",
    "not_in_progress": "The contract is no longer in progress.",
    "already_filed": "You have already filed a contact reminder on this contract.",
    "counterpart_filed": "Your counterpart filed a contact reminder that is still open: answer it instead.",
    "plan_change_pending": "A plan change is waiting for an answer.",
    "too_soon": "Your counterpart has not been silent long enough yet.",
    "request_open": "A termination request is already open on this contract.",
    "not_your_role": "Only a party of the contract can do this.",
}


def load(contract: Contract) -> dict[str, Any]:
    """The facts the rules need, in a fixed number of queries."""
    return {
        "reminders": list(ContactReminder.objects.filter(contract=contract)),
        "terminations_open": list(TerminationRequest.objects.filter(contract=contract, status="open")),
        "plan_change_pending": contract.plan_changes.filter(status="pending").exists(),
    }


def _verdict(reason: str | None, available_at: dt.datetime | None = None) -> dict[str, Any]:
    return {"available": reason is None, "reason": reason, "available_at": available_at}


def silent_since(contract: Contract, applicant_id: int) -> dt.datetime | None:
    """When the applicant's oldest message still waiting for an answer was sent, if any."""
    role = contract.role_of(applicant_id)
    return contract.client_waiting_since if role == "client" else contract.worker_waiting_since


def contact_reminder(
    contract: Contract,
    *,
    user_id: int,
    now: dt.datetime,
    reminders: list[ContactReminder],
    plan_change_pending: bool,
    **_: Any,
) -> dict[str, Any]:
    role = contract.role_of(user_id)
    if role is None:
        return _verdict("not_your_role")
    policy = contract.policy.get("contact_reminder")
    if not policy:
        return _verdict("not_allowed_by_policy")
    if contract.pricing != "fixed":
        return _verdict("not_fixed_price")
    if not contract.is_open:
        return _verdict("not_in_progress")
    if any(r.applicant_id == user_id for r in reminders):
        return _verdict("already_filed")
    if any(r.applicant_id != user_id and r.status == ContactReminder.OPEN for r in reminders):
        return _verdict("counterpart_filed")
    if plan_change_pending:
        return _verdict("plan_change_pending")
    since = silent_since(contract, user_id)
    if since is None:
        return _verdict("too_soon", None)  # nothing of yours is waiting for an answer
    available_at = since + dt.timedelta(days=policy["silence_days"])
    if now < available_at:
        return _verdict("too_soon", available_at)
    return _verdict(None)


def termination(
    contract: Contract, *, user_id: int, terminations_open: list[TerminationRequest], **_: Any
) -> dict[str, Any]:
    if contract.role_of(user_id) is None:
        return _verdict("not_your_role")
    if not contract.policy.get("termination"):
        return _verdict("not_allowed_by_policy")
    if contract.pricing != "fixed":
        return _verdict("not_fixed_price")
    if not contract.is_open:
        return _verdict("not_in_progress")
    if terminations_open:
        return _verdict("request_open")
    return _verdict(None)
