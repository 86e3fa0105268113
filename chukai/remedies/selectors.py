from __future__ import annotations

from typing import Any

from chukai.accounts.models import User
from chukai.contracts.models import Contract
from chukai.contracts.selectors import contract_for
from chukai.errors import NotFound
from chukai.remedies.models import ContactReminder, TerminationRequest


def reminder_dict(r: ContactReminder) -> dict[str, Any]:
    return {
        "id": r.pk,
        "contract_id": r.contract_id,
        "status": r.status,
        "applicant_id": r.applicant_id,
        "respondent_id": r.respondent_id,
        "filed_at": r.filed_at,
        "respond_by": r.respond_by,
        "answered_at": r.answered_at,
        "response_seconds": r.response_seconds,
        "outcome": r.outcome,
    }


def termination_dict(t: TerminationRequest) -> dict[str, Any]:
    return {
        "id": t.pk,
        "contract_id": t.contract_id,
        "status": t.status,
        "requester_id": t.requester_id,
        "reason": t.reason,
        "pay_worker_jpy": t.pay_worker_jpy,
        "filed_at": t.filed_at,
        "takes_effect_at": t.takes_effect_at,
        "decided_at": t.decided_at,
        "outcome": t.outcome,
    }


def reminder_for(*, user: User, reminder_id: int) -> ContactReminder:
    r = ContactReminder.objects.filter(pk=reminder_id).first()
    if r is None:
        raise NotFound("No such contact reminder.")
    contract_for(user=user, contract_id=r.contract_id)  # parties and staff only
    return r


def termination_for(*, user: User, request_id: int) -> TerminationRequest:
    t = TerminationRequest.objects.filter(pk=request_id).first()
    if t is None:
        raise NotFound("No such termination request.")
    contract_for(user=user, contract_id=t.contract_id)
    return t


def open_requests(contract: Contract, user: User) -> list[dict[str, Any]]:
    """Open remedies on the contract with their deadlines (for the reachability panel)."""
    out: list[dict[str, Any]] = []
    for r in ContactReminder.objects.filter(contract=contract, status=ContactReminder.OPEN):
        out.append(
            {
                "kind": "contact_reminder",
                "id": r.pk,
                "status": r.status,
                "deadline_at": r.respond_by,
                "filed_by_you": r.applicant_id == user.pk,
            }
        )
    for t in TerminationRequest.objects.filter(contract=contract, status=TerminationRequest.OPEN):
        out.append(
            {
                "kind": "termination_request",
                "id": t.pk,
                "status": t.status,
                "deadline_at": t.takes_effect_at,
                "filed_by_you": t.requester_id == user.pk,
            }
        )
    return out
