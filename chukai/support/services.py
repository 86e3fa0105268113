"""Every write of the support office (事務局).

Like every contract write, each runs in one transaction and locks the
contract row first, then its milestones, then the case and its notices. Every
staff action goes on the contract's timeline with `actor_role="staff"`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts import hooks
from chukai.contracts.models import Contract, Milestone
from chukai.contracts.money import escrow_settle
from chukai.contracts.services import (
    ACCEPTANCE_KINDS,
    contract_end,
    contract_lock,
    contract_sync_status,
    milestones_lock,
)
from chukai.contracts.timeline import event_add
from chukai.deadlines.registry import handler
from chukai.deadlines.services import deadline_cancel, deadline_schedule
from chukai.errors import Forbidden, Invalid, NotFound, RuleViolation
from chukai.policies.calendar import add_days
from chukai.remedies.outcomes import pay_split
from chukai.reputation.services import penalty_mark_issue
from chukai.support import rules
from chukai.support.models import OfficialNotice, StaffNote, SupportCase

NOTICE_LAPSE = "support_notice_lapse"
MAX_BODY = 10_000
MAX_NOTICE_DAYS = 60


# --- access -------------------------------------------------------------------------


def _is_staff(user_id: int) -> bool:
    return User.objects.filter(pk=user_id, is_staff=True, is_active=True).exists()


def _case_access(*, case_id: int, user_id: int) -> tuple[int, bool]:
    """(contract id, caller is staff); 404 for anyone who is neither staff nor a party."""
    row = (
        SupportCase.objects.filter(pk=case_id)
        .values_list("contract_id", "contract__client_id", "contract__worker_id")
        .first()
    )
    if row is None:
        raise NotFound("No such support case.")
    staff = _is_staff(user_id)
    if not staff and user_id not in (row[1], row[2]):
        raise NotFound("No such support case.")
    return row[0], staff


def _case_lock(case_id: int) -> SupportCase:
    return SupportCase.objects.select_for_update().get(pk=case_id)


def _staff_contract(*, case_id: int, staff_id: int, what: str) -> Contract:
    """The case's contract, locked, for the support office only (404 to outsiders, 403 to the parties)."""
    contract_id, staff = _case_access(case_id=case_id, user_id=staff_id)
    if not staff:
        raise Forbidden(f"Only the support office may {what}.")
    return contract_lock(contract_id)


def _opener_case(*, case_id: int, user_id: int, verb: str) -> tuple[Contract, SupportCase]:
    """The contract and then the case, locked, for the party that opened the case while it is not closed."""
    contract_id, _ = _case_access(case_id=case_id, user_id=user_id)
    contract = contract_lock(contract_id)
    case = _case_lock(case_id)
    if case.opened_by_id != user_id:
        raise Forbidden(f"Only the party that opened the case {verb} it.")
    _require_not_closed(case)
    return contract, case


def _require_not_closed(case: SupportCase) -> None:
    if case.status == SupportCase.CLOSED:
        raise RuleViolation("invalid_state", "This support case is closed.")


def _clean_body(body: str | None, field: str = "body", *, required: bool = True) -> str:
    text = (body or "").strip()
    if (required and not text) or len(text) > MAX_BODY:
        raise Invalid({field: f"Write 1 to {MAX_BODY:,} characters." if required else f"At most {MAX_BODY:,}."})
    return text


# --- case state -----------------------------------------------------------------------


def _running_notices(case: SupportCase) -> list[OfficialNotice]:
    return list(OfficialNotice.objects.select_for_update().filter(case=case, status=OfficialNotice.RUNNING))


def _make_ready(case: SupportCase, *, reason: str, now: dt.datetime) -> None:
    """ready_for_decision; a case already ready keeps its place in the queue."""
    if case.status != SupportCase.READY_FOR_DECISION:
        case.status = SupportCase.READY_FOR_DECISION
        case.ready_at = now
        case.ready_reason = reason
        case.attention_at = now
        case.save(update_fields=["status", "ready_at", "ready_reason", "attention_at"])


def _withdraw_notices(contract: Contract, notices: list[OfficialNotice], now: dt.datetime) -> None:
    for n in notices:
        n.status = OfficialNotice.WITHDRAWN
        n.closed_at = now
        n.save(update_fields=["status", "closed_at"])
        deadline_cancel(contract_id=contract.pk, kinds=(NOTICE_LAPSE,), subject_id=n.pk)


def _close(case: SupportCase, *, staff_id: int | None, decision: str, reason: str, detail: dict[str, Any]) -> None:
    now = clock.now()
    case.status = SupportCase.CLOSED
    case.closed_at = now
    case.closed_by_id = staff_id
    case.attention_at = None
    case.decision = decision
    case.decision_reason = reason
    case.decision_detail = detail
    case.save(
        update_fields=[
            "status",
            "closed_at",
            "closed_by",
            "attention_at",
            "decision",
            "decision_reason",
            "decision_detail",
        ]
    )


# --- a party opens and escalates ------------------------------------------------------


def case_open(*, user_id: int, contract_id: int, kind: str, body: str) -> SupportCase:
    if kind not in SupportCase.KINDS:
        raise Invalid({"kind": f"One of {', '.join(SupportCase.KINDS)}."})
    text = _clean_body(body)
    with transaction.atomic():
        contract = contract_lock(contract_id, user_id=user_id, staff=_is_staff(user_id))
        milestones = milestones_lock(contract)
        role = contract.role_of(user_id)
        if role is None:
            raise Forbidden("Only a party of the contract opens a support case.")
        open_id = (
            SupportCase.objects.filter(contract=contract)
            .exclude(status=SupportCase.CLOSED)
            .values_list("pk", flat=True)
            .first()
        )
        now = clock.now()
        avail = rules.kind_availability(
            contract=contract, milestones=milestones, role=role, now=now, open_case_id=open_id, kind=kind
        )
        if not avail["available"]:
            extra = {"available_at": avail["available_at"]} if avail["reason"] == "too_soon" else {}
            if open_id is not None:
                extra["case_id"] = open_id
            raise RuleViolation(avail["reason"], _refusal(avail["reason"], kind), **extra)
        case = SupportCase.objects.create(
            contract=contract, opened_by_id=user_id, kind=kind, body=text, opened_at=now, attention_at=now
        )
        event_add(
            contract=contract, kind="support_case_opened", actor_id=user_id, case_id=case.pk, case_kind=kind, body=text
        )
        hooks.party_acted(contract, user_id)
        hooks.notify(
            contract=contract,
            user_id=contract.other_party_id(user_id),
            kind="support_case_opened",
            params={"case_id": case.pk, "case_kind": kind, "opened_by_role": role},
        )
    return case


def _refusal(reason: str, kind: str) -> str:
    return {
        "not_your_role": "Only the worker reports an overdue acceptance."
        if kind == SupportCase.ACCEPTANCE_OVERDUE
        else "Only a party of the contract opens a support case.",
        "not_in_progress": "The contract has ended; open a dispute or another question instead.",
        "request_open": "A support case is already open on this contract.",
        "invalid_state": "No delivered milestone is waiting for acceptance.",
        "too_soon": "The client's acceptance period has not ended yet.",
    }.get(reason, reason)


def case_escalate(*, user_id: int, case_id: int, body: str = "") -> SupportCase:
    """The opener asks staff to decide. Allowed while the case is not closed; repeating it is harmless."""
    text = _clean_body(body, required=False)
    with transaction.atomic():
        contract, case = _opener_case(case_id=case_id, user_id=user_id, verb="escalates")
        now = clock.now()
        case.escalated_at = now
        case.escalation_count += 1
        case.save(update_fields=["escalated_at", "escalation_count"])
        _make_ready(case, reason="escalated", now=now)
        event_add(
            contract=contract,
            kind="support_case_escalated",
            actor_id=user_id,
            case_id=case.pk,
            body=text,
            count=case.escalation_count,
        )
        hooks.party_acted(contract, user_id)
    return case


def case_withdraw(*, user_id: int, case_id: int) -> SupportCase:
    """The opener no longer needs the office (the counterpart answered, say)."""
    with transaction.atomic():
        contract, case = _opener_case(case_id=case_id, user_id=user_id, verb="withdraws")
        _withdraw_notices(contract, _running_notices(case), clock.now())
        _close(case, staff_id=None, decision="", reason="withdrawn by the opener", detail={"withdrawn": True})
        event_add(contract=contract, kind="support_case_withdrawn", actor_id=user_id, case_id=case.pk)
        hooks.party_acted(contract, user_id)
    return case


# --- staff: notices and notes -----------------------------------------------------------


def notice_send(
    *, staff_id: int, case_id: int, to: str, body: str, respond_within_days: int | None = None
) -> OfficialNotice:
    """An official notice to one party with a response deadline (policy days, business days if the policy says so)."""
    if to not in ("client", "worker"):
        raise Invalid({"to": "client or worker."})
    text = _clean_body(body)
    if respond_within_days is not None and not 1 <= respond_within_days <= MAX_NOTICE_DAYS:
        raise Invalid({"respond_within_days": f"Between 1 and {MAX_NOTICE_DAYS}."})
    with transaction.atomic():
        contract = _staff_contract(case_id=case_id, staff_id=staff_id, what="send an official notice")
        case = _case_lock(case_id)
        _require_not_closed(case)
        to_user_id = contract.client_id if to == "client" else contract.worker_id
        running = _running_notices(case)
        if any(n.to_user_id == to_user_id for n in running):
            raise RuleViolation("request_open", f"A notice to the {to} is still running on this case.")
        policy = contract.policy["notice"]
        days = respond_within_days or policy["respond_days"]
        now = clock.now()
        respond_by = add_days(now, days, business=policy.get("business_days", False))
        notice = OfficialNotice.objects.create(
            case=case,
            contract=contract,
            to_role=to,
            to_user_id=to_user_id,
            body=text,
            sent_by_id=staff_id,
            sent_at=now,
            respond_by=respond_by,
        )
        deadline_schedule(kind=NOTICE_LAPSE, due_at=respond_by, contract_id=contract.pk, subject_id=notice.pk)
        case.status = SupportCase.AWAITING_RESPONSE
        case.ready_at = None
        case.ready_reason = ""
        case.attention_at = min([respond_by] + [n.respond_by for n in running])
        case.save(update_fields=["status", "ready_at", "ready_reason", "attention_at"])
        event_add(
            contract=contract,
            kind="official_notice_sent",
            actor_id=staff_id,
            actor_role="staff",
            case_id=case.pk,
            notice_id=notice.pk,
            to=to,
            respond_by=respond_by.isoformat(),
            business_days=bool(policy.get("business_days", False)),
            days=days,
            body=text,
        )
        hooks.notify(
            contract=contract,
            user_id=to_user_id,
            kind="official_notice",
            params={
                "official": True,
                "respond_by": respond_by,
                "case_id": case.pk,
                "notice_id": notice.pk,
                "body": text,
            },
        )
        if case.opened_by_id != to_user_id:
            hooks.notify(
                contract=contract,
                user_id=case.opened_by_id,
                kind="support_notice_sent",
                params={"case_id": case.pk, "to": to, "respond_by": respond_by},
            )
    return notice


def note_add(*, staff_id: int, case_id: int, body: str) -> StaffNote:
    """An internal note; the timeline records that one was added, not what it says."""
    text = _clean_body(body)
    with transaction.atomic():
        contract = _staff_contract(case_id=case_id, staff_id=staff_id, what="add notes")
        case = _case_lock(case_id)
        note = StaffNote.objects.create(case=case, author_id=staff_id, body=text, created_at=clock.now())
        event_add(
            contract=contract,
            kind="support_note_added",
            actor_id=staff_id,
            actor_role="staff",
            case_id=case.pk,
            note_id=note.pk,
        )
    return note


@handler(NOTICE_LAPSE)
def _notice_lapse(deadline: Any) -> None:
    """The addressee let the deadline pass: the case is ready for a decision."""
    contract = Contract.objects.get(pk=deadline.contract_id)  # locked by the worker
    case_id = OfficialNotice.objects.filter(pk=deadline.subject_id).values_list("case_id", flat=True).first()
    if case_id is None:
        return
    case = _case_lock(case_id)
    notice = OfficialNotice.objects.select_for_update().get(pk=deadline.subject_id)
    if notice.status != OfficialNotice.RUNNING or case.status == SupportCase.CLOSED:
        return  # answered, withdrawn or decided meanwhile
    now = clock.now()
    notice.status = OfficialNotice.LAPSED
    notice.closed_at = now
    notice.save(update_fields=["status", "closed_at"])
    event_add(
        contract=contract,
        kind="official_notice_lapsed",
        actor_role="system",
        case_id=case.pk,
        notice_id=notice.pk,
        to=notice.to_role,
        respond_by=notice.respond_by.isoformat(),
    )
    _make_ready(case, reason="notice_lapsed", now=now)
    hooks.notify(
        contract=contract,
        user_id=notice.to_user_id,
        kind="official_notice_lapsed",
        params={"official": True, "case_id": case.pk, "notice_id": notice.pk, "respond_by": notice.respond_by},
    )
    if case.opened_by_id != notice.to_user_id:
        hooks.notify(
            contract=contract,
            user_id=case.opened_by_id,
            kind="support_case_ready",
            params={"case_id": case.pk, "notice_id": notice.pk},
        )


# --- listeners (registered in SupportConfig.ready) -------------------------------------


def on_party_acted(contract: Contract, user_id: int) -> None:
    """A message or contract action by the addressee before the deadline answers their notice."""
    running = list(
        OfficialNotice.objects.filter(contract=contract, to_user_id=user_id, status=OfficialNotice.RUNNING).values_list(
            "pk", "case_id"
        )
    )
    if not running:
        return
    now = clock.now()
    for notice_id, case_id in running:
        case = _case_lock(case_id)
        notice = OfficialNotice.objects.select_for_update().get(pk=notice_id)
        if notice.status != OfficialNotice.RUNNING or notice.respond_by <= now:
            continue  # too late: the lapse applies as of its due time
        notice.status = OfficialNotice.ANSWERED
        notice.answered_at = now
        notice.closed_at = now
        notice.save(update_fields=["status", "answered_at", "closed_at"])
        deadline_cancel(contract_id=contract.pk, kinds=(NOTICE_LAPSE,), subject_id=notice.pk)
        event_add(
            contract=contract,
            kind="official_notice_answered",
            actor_id=user_id,
            case_id=case.pk,
            notice_id=notice.pk,
            response_seconds=int((now - notice.sent_at).total_seconds()),
        )
        if case.status == SupportCase.AWAITING_RESPONSE:
            others = [n.respond_by for n in _running_notices(case)]
            if not others:
                case.status = SupportCase.OPEN  # staff look at the answer
            case.attention_at = min(others) if others else now
            case.save(update_fields=["status", "attention_at"])
        if case.opened_by_id != user_id:
            hooks.notify(
                contract=contract,
                user_id=case.opened_by_id,
                kind="official_notice_answered",
                params={"case_id": case.pk, "notice_id": notice.pk},
            )


def on_contract_ended(contract: Contract) -> None:
    """The contract ended by another route (acceptance, termination …): running notices are moot;
    an open case stays in the queue as ready for staff to close."""
    cases = list(SupportCase.objects.select_for_update().filter(contract=contract).exclude(status=SupportCase.CLOSED))
    now = clock.now()
    for case in cases:
        running = _running_notices(case)
        _withdraw_notices(contract, running, now)
        _make_ready(case, reason="contract_ended", now=now)
        for n in running:
            event_add(
                contract=contract,
                kind="official_notice_withdrawn",
                actor_role="system",
                case_id=case.pk,
                notice_id=n.pk,
                to=n.to_role,
                why="contract_ended",
            )


# --- staff: decisions ---------------------------------------------------------------------


def _fault_user_id(contract: Contract, case: SupportCase, at_fault: str | None) -> int | None:
    """The party the decision holds responsible; by default the one who let a notice lapse."""
    if at_fault == "client":
        return contract.client_id
    if at_fault == "worker":
        return contract.worker_id
    if at_fault == "none":
        return None
    lapsed = set(
        OfficialNotice.objects.filter(case=case, status=OfficialNotice.LAPSED).values_list("to_user_id", flat=True)
    )
    return lapsed.pop() if len(lapsed) == 1 else None


def decision_pay(
    *, milestones: list[Milestone], decision: str, pay_worker_jpy: int | None = None, end_contract: bool = False
) -> tuple[dict[int, int], bool]:
    """What a decision pays the worker per held milestone, and whether the contract ends.

    Pure, so the staff console's preview and the decision itself cannot disagree.
    """
    if decision == SupportCase.RELEASE_DELIVERED:
        delivered = {m.pk: m.amount_jpy for m in milestones if m.status == Milestone.DELIVERED}
        rest = [m for m in milestones if m.status not in Milestone.FINAL and m.status != Milestone.DELIVERED]
        return delivered, end_contract or not rest
    if decision == SupportCase.SPLIT:
        return pay_split(milestones, pay_worker_jpy or 0), True
    return {}, decision != SupportCase.EXTEND_DUE_DATE


def case_decide(
    *,
    staff_id: int,
    case_id: int,
    decision: str,
    pay_worker_jpy: int | None = None,
    due_date: dt.date | None = None,
    at_fault: str | None = None,
    end_contract: bool = False,
    reason: str = "",
) -> SupportCase:
    """Settle the case: move the money (through contract services), close the case.

    - release_delivered: every delivered milestone is paid in full (fee applies); the contract
      ends when nothing else is left, or with `end_contract` (the rest refunded / cancelled).
    - refund_escrow: everything held goes back to the client; the contract ends.
    - split: `pay_worker_jpy` (≤ the escrowed amount) to the worker, the rest refunded; the contract ends.
    - cancel: the contract is cancelled as it stands (held money refunded, unfunded milestones cancelled).
    - extend_due_date: a new due date; the contract goes on.
    A party that let an official notice on this case lapse and is held at fault gets a penalty mark.
    """
    if decision not in SupportCase.DECISIONS:
        raise Invalid({"decision": f"One of {', '.join(SupportCase.DECISIONS)}."})
    if decision == SupportCase.SPLIT:
        if pay_worker_jpy is None or pay_worker_jpy < 0:
            raise Invalid({"pay_worker_jpy": "A split needs the yen paid to the worker (0 or more)."})
    elif pay_worker_jpy is not None:
        raise Invalid({"pay_worker_jpy": "Only a split takes pay_worker_jpy."})
    if decision == SupportCase.EXTEND_DUE_DATE:
        if due_date is None:
            raise Invalid({"due_date": "Give the new due date."})
        if due_date < clock.now().date():
            raise Invalid({"due_date": "The new due date is in the past."})
    elif due_date is not None:
        raise Invalid({"due_date": "Only extend_due_date takes a due date."})
    if at_fault not in (None, "client", "worker", "none"):
        raise Invalid({"at_fault": "client, worker or none."})
    note = _clean_body(reason, "reason", required=False)
    with transaction.atomic():
        contract = _staff_contract(case_id=case_id, staff_id=staff_id, what="decide a case")
        milestones = milestones_lock(contract)
        case = _case_lock(case_id)
        _require_not_closed(case)
        if not contract.is_open:
            raise RuleViolation("not_in_progress", f"The contract is {contract.status}; close the case instead.")
        held = [m for m in milestones if m.status in Milestone.HOLDING]
        delivered = [m for m in held if m.status == Milestone.DELIVERED]
        escrowed_jpy = sum(m.amount_jpy for m in held)
        if decision == SupportCase.RELEASE_DELIVERED:
            if not delivered:
                raise RuleViolation("invalid_state", "No milestone is delivered.")
        elif decision == SupportCase.REFUND_ESCROW:
            if not held:
                raise RuleViolation("invalid_state", "Nothing is held in escrow.")
        elif decision == SupportCase.SPLIT:
            assert pay_worker_jpy is not None
            if not held:
                raise RuleViolation("invalid_state", "Nothing is held in escrow.")
            if pay_worker_jpy > escrowed_jpy:
                raise Invalid({"pay_worker_jpy": f"At most the escrowed ¥{escrowed_jpy:,}."})
        pay, ends = decision_pay(
            milestones=milestones, decision=decision, pay_worker_jpy=pay_worker_jpy, end_contract=end_contract
        )
        fault_id = _fault_user_id(contract, case, at_fault) if decision != SupportCase.EXTEND_DUE_DATE else None
        now = clock.now()
        _withdraw_notices(contract, _running_notices(case), now)
        detail: dict[str, Any] = {"fault_user_id": fault_id, "penalty": False}
        # Close first: the contract-ended listener then finds no open case to requeue.
        _close(case, staff_id=staff_id, decision=decision, reason=note, detail=detail)
        event_add(
            contract=contract,
            kind="support_case_decided",
            actor_id=staff_id,
            actor_role="staff",
            case_id=case.pk,
            decision=decision,
            pay_worker_jpy=pay_worker_jpy,
            due_date=due_date.isoformat() if due_date else None,
            at_fault=contract.role_of(fault_id) if fault_id else None,
            reason=note,
        )
        memo = f"support case #{case.pk}: {decision}"
        moved: list[dict[str, Any]] = []
        if decision == SupportCase.EXTEND_DUE_DATE:
            assert due_date is not None
            previous = contract.due_date
            contract.due_date = due_date
            contract.save(update_fields=["due_date"])
            event_add(
                contract=contract,
                kind="due_date_set_by_staff",
                actor_id=staff_id,
                actor_role="staff",
                case_id=case.pk,
                due_date=due_date.isoformat(),
                previous=previous.isoformat() if previous else None,
            )
        elif ends:
            moved = contract_end(
                contract=contract,
                milestones=milestones,
                pay=pay,
                cause=Contract.END_STAFF,
                caused_by_id=fault_id,
                actor_id=staff_id,
                reason=memo,
            )
        else:
            for m in delivered:
                split = escrow_settle(
                    contract=contract, milestones=milestones, milestone=m, pay_worker_jpy=m.amount_jpy, reason=memo
                )
                deadline_cancel(contract_id=contract.pk, kinds=ACCEPTANCE_KINDS, subject_id=m.pk)
                moved.append({"milestone_id": m.pk, **split})
            event_add(contract=contract, kind="settled", actor_id=staff_id, reason=memo, milestones=moved)
            contract_sync_status(
                contract, milestones, cause=Contract.END_STAFF, caused_by_id=fault_id, actor_id=staff_id
            )
        if (
            fault_id is not None
            and OfficialNotice.objects.filter(case=case, to_user_id=fault_id, status=OfficialNotice.LAPSED).exists()
        ):
            penalty_mark_issue(
                user_id=fault_id,
                contract_id=contract.pk,
                kind="staff",
                reason=f"Did not answer the support office's official notice (case #{case.pk}).",
            )
            detail["penalty"] = True
        worker_jpy = sum(int(x.get("worker_jpy", 0)) for x in moved)
        client_jpy = sum(int(x.get("client_jpy", 0)) for x in moved)
        detail.update(
            {
                "pay_worker_jpy": pay_worker_jpy,
                "due_date": due_date.isoformat() if due_date else None,
                "milestones": moved,
                "worker_jpy": worker_jpy,
                "client_jpy": client_jpy,
                "contract_status": contract.status,
            }
        )
        case.decision_detail = detail
        case.save(update_fields=["decision_detail"])
        for uid in (contract.client_id, contract.worker_id):
            hooks.notify(
                contract=contract,
                user_id=uid,
                kind="support_case_decided",
                params={
                    "official": True,
                    "case_id": case.pk,
                    "decision": decision,
                    "worker_jpy": worker_jpy,
                    "client_jpy": client_jpy,
                    "due_date": due_date.isoformat() if due_date else None,
                },
            )
    return case


def case_close(*, staff_id: int, case_id: int, reason: str = "") -> SupportCase:
    """Close without moving money (settled between the parties, or the contract already ended)."""
    note = _clean_body(reason, "reason", required=False)
    with transaction.atomic():
        contract = _staff_contract(case_id=case_id, staff_id=staff_id, what="close a case")
        case = _case_lock(case_id)
        _require_not_closed(case)
        _withdraw_notices(contract, _running_notices(case), clock.now())
        _close(case, staff_id=staff_id, decision="", reason=note, detail={})
        event_add(
            contract=contract,
            kind="support_case_closed",
            actor_id=staff_id,
            actor_role="staff",
            case_id=case.pk,
            reason=note,
        )
        for uid in (contract.client_id, contract.worker_id):
            hooks.notify(
                contract=contract,
                user_id=uid,
                kind="support_case_closed",
                params={"official": True, "case_id": case.pk},
            )
    return case
