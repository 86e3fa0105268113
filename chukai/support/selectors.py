"""Reads of the support office. Staff see every case; a party sees the cases on its contracts;
anyone else gets 404. Staff notes are for staff only."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet

from chukai.accounts.models import User
from chukai.errors import NotFound
from chukai.support.models import OfficialNotice, StaffNote, SupportCase


def case_for(*, user: User, case_id: int) -> SupportCase:
    case = SupportCase.objects.select_related("contract").filter(pk=case_id).first()
    if case is None or (not user.is_staff and case.contract.role_of(user.pk) is None):
        raise NotFound("No such support case.")
    return case


def cases_for(*, user: User, status: str | None = None, contract_id: int | None = None) -> QuerySet[SupportCase]:
    """The staff queue (every case, the most urgent first) or a party's own cases."""
    qs = SupportCase.objects.select_related("contract")
    if not user.is_staff:
        qs = qs.filter(Q(contract__client=user) | Q(contract__worker=user))
    if status:
        qs = qs.filter(status=status)
    if contract_id is not None:
        qs = qs.filter(contract_id=contract_id)
    return qs.order_by(F("attention_at").asc(nulls_last=True), "-closed_at", "id")


def open_case_id(contract_id: int) -> int | None:
    return (
        SupportCase.objects.filter(contract_id=contract_id)
        .exclude(status=SupportCase.CLOSED)
        .values_list("pk", flat=True)
        .first()
    )


def open_cases_of(contract_id: int, user_id: int | None = None) -> list[dict[str, Any]]:
    """Open cases with the deadline of their running notice (for reachability's open_requests)."""
    cases = list(SupportCase.objects.filter(contract_id=contract_id).exclude(status=SupportCase.CLOSED))
    running: dict[int, list[Any]] = {}
    for case_id, to_user_id, respond_by in OfficialNotice.objects.filter(
        case__in=cases, status=OfficialNotice.RUNNING
    ).values_list("case_id", "to_user_id", "respond_by"):
        running.setdefault(case_id, []).append((respond_by, to_user_id))
    out = []
    for case in cases:
        notices = sorted(running.get(case.pk, []))
        out.append(
            {
                "kind": "support_case",
                "id": case.pk,
                "status": case.status,
                "case_kind": case.kind,
                "deadline_at": notices[0][0] if notices else None,
                "filed_by_you": case.opened_by_id == user_id,
                "notice_to_you": any(to == user_id for _, to in notices),
            }
        )
    return out


def notice_dict(n: OfficialNotice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "case_id": n.case_id,
        "to": n.to_role,
        "to_user_id": n.to_user_id,
        "body": n.body,
        "sent_by_id": n.sent_by_id,
        "sent_at": n.sent_at,
        "respond_by": n.respond_by,
        "status": n.status,
        "answered_at": n.answered_at,
        "closed_at": n.closed_at,
        "official": True,
    }


def note_dict(n: StaffNote) -> dict[str, Any]:
    return {"id": n.pk, "case_id": n.case_id, "author_id": n.author_id, "body": n.body, "created_at": n.created_at}


def case_summary(case: SupportCase) -> dict[str, Any]:
    return {
        "id": case.pk,
        "status": case.status,
        "kind": case.kind,
        "contract_id": case.contract_id,
        "opened_by_id": case.opened_by_id,
        "opened_at": case.opened_at,
        "attention_at": case.attention_at,
        "ready_at": case.ready_at,
        "ready_reason": case.ready_reason or None,
        "closed_at": case.closed_at,
        "decision": case.decision or None,
    }


def case_list(*, user: User, status: str | None = None, contract_id: int | None = None) -> list[dict[str, Any]]:
    cases = list(cases_for(user=user, status=status, contract_id=contract_id)[:500])
    running: dict[int, list[Any]] = {}
    for case_id, respond_by in OfficialNotice.objects.filter(case__in=cases, status=OfficialNotice.RUNNING).values_list(
        "case_id", "respond_by"
    ):
        running.setdefault(case_id, []).append(respond_by)
    out = []
    for case in cases:
        row = case_summary(case)
        row["contract_title"] = case.contract.title
        row["contract_status"] = case.contract.status
        row["respond_by"] = min(running[case.pk]) if case.pk in running else None
        out.append(row)
    return out


def case_detail(*, case: SupportCase, user: User) -> dict[str, Any]:
    notices = list(OfficialNotice.objects.filter(case=case).order_by("sent_at", "id"))
    running = [n.respond_by for n in notices if n.status == OfficialNotice.RUNNING]
    contract = case.contract
    out = case_summary(case)
    out.update(
        {
            "body": case.body,
            "contract": {"id": contract.pk, "title": contract.title, "status": contract.status},
            "respond_by": min(running) if running else None,
            "escalated_at": case.escalated_at,
            "escalation_count": case.escalation_count,
            "closed_by_id": case.closed_by_id,
            "decision_reason": case.decision_reason or None,
            "decision_detail": case.decision_detail or None,
            "notices": [notice_dict(n) for n in notices],
            "timeline_url": f"/api/contracts/{contract.pk}/timeline",
        }
    )
    if user.is_staff:
        out["notes"] = [note_dict(n) for n in StaffNote.objects.filter(case=case).order_by("created_at", "id")]
    return out
