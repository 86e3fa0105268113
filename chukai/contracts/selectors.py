"""Reads. Every contract-scoped read goes through `contract_for` (party or staff, else 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts import actions
from chukai.contracts.models import Contract, DueDateChange, Event, Milestone, PlanChange
from chukai.contracts.money import pending_payments
from chukai.deadlines.models import Deadline
from chukai.errors import NotFound
from chukai.ledger.selectors import escrow_balance_jpy


def contract_for(*, user: User, contract_id: int) -> Contract:
    contract = Contract.objects.select_related("client", "worker").filter(pk=contract_id).first()
    if contract is None or (not user.is_staff and contract.role_of(user.pk) is None):
        raise NotFound("No such contract.")
    return contract


def contracts_of(*, user: User) -> QuerySet[Contract]:
    return (
        Contract.objects.select_related("client", "worker")
        .filter(Q(client=user) | Q(worker=user))
        .order_by("-formed_at", "-id")
    )


def facts_for(*, contract: Contract, user: User) -> actions.Facts:
    milestones = list(contract.milestones.all())
    pending_plan = contract.plan_changes.filter(status="pending").first()
    pending_due = contract.due_date_changes.filter(status="pending").first()
    return actions.Facts(
        contract=contract,
        milestones=milestones,
        user_id=user.pk,
        role=contract.role_of(user.pk),
        now=clock.now(),
        pending_plan_change=pending_plan,
        pending_due_date_change=pending_due,
    )


def _escrow_from_milestones(milestones: list[Milestone]) -> int:
    return sum(m.amount_jpy + m.client_fee_jpy for m in milestones if m.status in Milestone.HOLDING)


def contract_detail(*, contract: Contract, user: User) -> dict[str, Any]:
    f = facts_for(contract=contract, user=user)
    acts = actions.compute(f)
    per = f.extra.get("milestone_actions", {})
    deadlines = list(
        Deadline.objects.filter(contract=contract, status__in=(Deadline.PENDING, Deadline.RUNNING), visible=True)
        .order_by("due_at", "id")
        .values("kind", "due_at", "subject_id")
    )
    ms = f.milestones
    awaiting = pending_payments(ms)  # no query unless a milestone awaits a transfer
    return {
        "id": contract.pk,
        "title": contract.title,
        "status": contract.status,
        "pricing": contract.pricing,
        "policy": contract.policy_name,
        "policy_version": contract.policy_version,
        "role": f.role or ("staff" if user.is_staff else None),
        "client": {"id": contract.client_id, "display_name": contract.client.display_name},
        "worker": {"id": contract.worker_id, "display_name": contract.worker.display_name},
        "amount_jpy": contract.amount_jpy,
        "escrow_jpy": _escrow_from_milestones(ms),
        "paid_jpy": sum(m.worker_paid_jpy + m.worker_fee_jpy + (m.withholding_jpy if m.settled_at else 0) for m in ms),
        "withholding_tax": contract.withholding_tax,
        "refunded_jpy": sum(m.client_refunded_jpy for m in ms),
        "due_date": contract.due_date,
        "formed_at": contract.formed_at,
        "ended_at": contract.ended_at,
        "end_cause": contract.end_cause or None,
        "ended_by_id": contract.ended_by_id,
        "milestones": [
            {
                "id": m.pk,
                "title": m.title,
                "amount_jpy": m.amount_jpy,
                "client_fee_jpy": m.client_fee_jpy,
                "withholding_jpy": m.withholding_jpy,
                "status": m.status,
                "funded_at": m.funded_at,
                "delivered_at": m.delivered_at,
                "settled_at": m.settled_at,
                "worker_paid_jpy": m.worker_paid_jpy,
                "worker_fee_jpy": m.worker_fee_jpy,
                "client_refunded_jpy": m.client_refunded_jpy,
                "actions": per.get(m.pk, {}),
                "payment": awaiting[m.pk].as_dict() if m.pk in awaiting else None,
            }
            for m in ms
        ],
        "pending_due_date_change": change_dict(f.pending_due_date_change) if f.pending_due_date_change else None,
        "pending_plan_change": change_dict(f.pending_plan_change) if f.pending_plan_change else None,
        "actions": acts,
        "deadlines": deadlines,
    }


def change_dict(change: DueDateChange | PlanChange) -> dict[str, Any]:
    """A due-date or plan change proposal, as the API and the contract answer show it."""
    out: dict[str, Any] = {
        "id": change.pk,
        "status": change.status,
        "contract_id": change.contract_id,
        "proposed_by_id": change.proposed_by_id,
        "created_at": change.created_at,
    }
    if isinstance(change, DueDateChange):
        out["due_date"] = change.due_date
    else:
        out["milestones"] = change.milestones
    return out


def contract_timeline(*, contract: Contract) -> list[dict[str, Any]]:
    return [
        {"id": e.pk, "at": e.at, "actor": e.actor_id, "actor_role": e.actor_role, "kind": e.kind, "detail": e.detail}
        for e in Event.objects.filter(contract=contract).order_by("at", "id")
    ]


def ledger_escrow_matches(contract: Contract) -> bool:
    return escrow_balance_jpy(contract.pk) == _escrow_from_milestones(list(contract.milestones.all()))
