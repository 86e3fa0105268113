"""When the counterpart goes silent: contact reminders (DOMAIN §5.1) and early termination (§5.2).

Every write locks the contract, then its milestones. Deadline handlers run
with the contract already locked by the worker and re-check their condition,
so a reply and an expiry at the same instant give exactly one outcome.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from chukai import clock
from chukai.contracts import hooks
from chukai.contracts.models import Contract, Event, Milestone
from chukai.contracts.services import contract_end, contract_lock, milestones_lock
from chukai.contracts.timeline import event_add
from chukai.deadlines.registry import handler
from chukai.deadlines.services import deadline_cancel, deadline_schedule
from chukai.errors import Forbidden, Invalid, NotFound, RuleViolation
from chukai.messaging.models import Message
from chukai.remedies import eligibility
from chukai.remedies.models import ContactReminder, TerminationRequest
from chukai.remedies.outcomes import end_plan, pay_on_silence, pay_split
from chukai.reputation.services import penalty_mark_issue

REMINDER_KINDS = ("contact_reminder_expire", "contact_reminder_nudge")
TERMINATION_KINDS = ("termination_take_effect",)
hooks.cancel_on_end(*REMINDER_KINDS, *TERMINATION_KINDS)


# --- contact reminder (連絡催促申請) -------------------------------------------------


def reminder_file(*, user_id: int, contract_id: int) -> ContactReminder:
    with transaction.atomic():
        contract = contract_lock(contract_id, user_id=user_id)
        milestones = milestones_lock(contract)
        now = clock.now()
        verdict = eligibility.contact_reminder(contract, user_id=user_id, now=now, **eligibility.load(contract))
        if not verdict["available"]:
            raise RuleViolation(
                verdict["reason"], eligibility.EXPLAIN[verdict["reason"]], available_at=verdict["available_at"]
            )
        cr = contract.policy["contact_reminder"]
        respondent_id = contract.other_party_id(user_id)
        respond_by = now + dt.timedelta(days=cr["respond_days"])
        reminder = ContactReminder.objects.create(
            contract=contract, applicant_id=user_id, respondent_id=respondent_id, filed_at=now, respond_by=respond_by
        )
        deadline_schedule(
            kind="contact_reminder_expire", due_at=respond_by, contract_id=contract.pk, subject_id=reminder.pk
        )
        for days in cr.get("notify_before_days", []):
            deadline_schedule(
                kind="contact_reminder_nudge",
                due_at=respond_by - dt.timedelta(days=days),
                contract_id=contract.pk,
                subject_id=reminder.pk,
                visible=False,
            )
        outcome = end_plan(contract, milestones, pay_on_silence(milestones))
        event_add(
            contract=contract,
            kind="contact_reminder_filed",
            actor_id=user_id,
            reminder_id=reminder.pk,
            respondent_id=respondent_id,
            respond_by=respond_by.isoformat(),
            outcome_if_silent=outcome,
        )
        hooks.notify(
            contract=contract,
            user_id=respondent_id,
            kind="contact_reminder_filed",
            params={"official": True, "respond_by": respond_by, "contract": contract.title},
        )
        hooks.notify(
            contract=contract,
            user_id=user_id,
            kind="contact_reminder_confirmed",
            params={"respond_by": respond_by, "contract": contract.title},
        )
    return reminder


def _answer_reminders(contract: Contract, user_id: int, at: dt.datetime) -> None:
    """Any message or action by the respondent stamped before the deadline answers the reminder.

    `at` is the action's own instant (read once, after the contract lock), never a second
    reading of the clock: a reply stamped before `respond_by` answers however late this runs."""
    for reminder in ContactReminder.objects.select_for_update().filter(
        contract=contract, respondent_id=user_id, status=ContactReminder.OPEN
    ):
        if at >= reminder.respond_by:
            continue  # too late: the expiry applies as of the deadline
        _answer(contract, reminder, at)


def _answer(contract: Contract, reminder: ContactReminder, at: dt.datetime) -> None:
    with clock.as_of(at):
        reminder.status = ContactReminder.ANSWERED
        reminder.answered_at = at
        reminder.response_seconds = int((at - reminder.filed_at).total_seconds())
        reminder.save(update_fields=["status", "answered_at", "response_seconds"])
        deadline_cancel(contract_id=contract.pk, kinds=REMINDER_KINDS, subject_id=reminder.pk)
        event_add(
            contract=contract,
            kind="contact_reminder_answered",
            actor_id=reminder.respondent_id,
            reminder_id=reminder.pk,
            response_seconds=reminder.response_seconds,
        )
        hooks.notify(
            contract=contract,
            user_id=reminder.applicant_id,
            kind="contact_reminder_answered",
            params={"contract": contract.title, "response_seconds": reminder.response_seconds},
        )


def _answered_in_time(contract: Contract, reminder: ContactReminder) -> dt.datetime | None:
    """The respondent's first message or action recorded in [filed_at, respond_by), if any: the rule is
    decided on what was stamped, so an action whose own check read the clock too late still counts."""
    found = [
        Message.objects.filter(
            contract=contract,
            sender_id=reminder.respondent_id,
            created_at__gte=reminder.filed_at,
            created_at__lt=reminder.respond_by,
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first(),
        Event.objects.filter(
            contract=contract, actor_id=reminder.respondent_id, at__gte=reminder.filed_at, at__lt=reminder.respond_by
        )
        .order_by("at")
        .values_list("at", flat=True)
        .first(),
    ]
    times = [t for t in found if t is not None]
    return min(times) if times else None


@handler("contact_reminder_expire")
def _reminder_expire(deadline: Any) -> None:
    contract = Contract.objects.get(pk=deadline.contract_id)
    reminder = ContactReminder.objects.select_for_update().filter(pk=deadline.subject_id).first()
    if reminder is None or reminder.status != ContactReminder.OPEN or not contract.is_open:
        return  # answered (or the contract ended) meanwhile
    answered_at = _answered_in_time(contract, reminder)
    if answered_at is not None:
        _answer(contract, reminder, answered_at)
        return
    milestones = milestones_lock(contract)
    reminder.status = ContactReminder.EXPIRED
    reminder.closed_at = clock.now()
    reminder.save(update_fields=["status", "closed_at"])
    moved = contract_end(
        contract=contract,
        milestones=milestones,
        pay=pay_on_silence(milestones),
        cause=Contract.END_SILENCE,
        caused_by_id=reminder.respondent_id,
        actor_id=None,
        reason="contact_reminder_expired",
    )
    reminder.outcome = {"contract_status": contract.status, "milestones": moved}
    reminder.save(update_fields=["outcome"])
    mark = penalty_mark_issue(
        user_id=reminder.respondent_id,
        contract_id=contract.pk,
        kind="unresponsive",
        reason="No answer to a contact reminder within its deadline.",
    )
    event_add(
        contract=contract,
        kind="contact_reminder_expired",
        actor_role="system",
        reminder_id=reminder.pk,
        penalty_mark_id=mark.pk,
        penalized_user_id=reminder.respondent_id,
    )
    for uid in (reminder.applicant_id, reminder.respondent_id):
        hooks.notify(
            contract=contract,
            user_id=uid,
            kind="contact_reminder_expired",
            params={"official": True, "contract": contract.title, "status": contract.status},
        )


@handler("contact_reminder_nudge")
def _reminder_nudge(deadline: Any) -> None:
    contract = Contract.objects.get(pk=deadline.contract_id)
    reminder = ContactReminder.objects.filter(pk=deadline.subject_id, status=ContactReminder.OPEN).first()
    if reminder is None or not contract.is_open:
        return
    hooks.notify(
        contract=contract,
        user_id=reminder.respondent_id,
        kind="contact_reminder_nudge",
        params={"official": True, "respond_by": reminder.respond_by, "contract": contract.title},
    )


def reminder_preview(*, contract: Contract, user_id: int) -> dict[str, Any]:
    """Exactly what expiry would do, for the caller as applicant (or the open reminder's outcome)."""
    milestones = list(contract.milestones.all())
    facts = eligibility.load(contract)
    now = clock.now()
    verdict = eligibility.contact_reminder(contract, user_id=user_id, now=now, **facts)
    open_one = next((r for r in facts["reminders"] if r.status == ContactReminder.OPEN), None)
    if open_one is not None:
        respond_by = open_one.respond_by
    elif contract.policy.get("contact_reminder"):
        respond_by = max(now, verdict["available_at"] or now) + dt.timedelta(
            days=contract.policy["contact_reminder"]["respond_days"]
        )
    else:
        respond_by = None
    outcome = end_plan(contract, milestones, pay_on_silence(milestones))
    advice = None
    worker_applies = (open_one.applicant_id if open_one else user_id) == contract.worker_id
    has_reminder = bool(contract.policy.get("contact_reminder"))
    if has_reminder and worker_applies and contract.is_open and any(m.status == Milestone.ESCROWED for m in milestones):
        advice = "deliver_first"  # seed 002: report completion first, then file; seed 004's warning
    return {
        "available": verdict["available"],
        "reason": verdict["reason"],
        "available_at": verdict["available_at"],
        "respond_by": respond_by,
        "open_reminder_id": open_one.pk if open_one else None,
        "outcome": outcome,
        "advice": advice,
    }


# --- early termination (途中終了リクエスト) -------------------------------------------


def termination_request(
    *, user_id: int, contract_id: int, reason: str, pay_worker_jpy: int | None = None
) -> TerminationRequest:
    reason = (reason or "").strip()
    if not reason or len(reason) > 5_000:
        raise Invalid({"reason": "Give a reason of 1 to 5,000 characters."})
    pay = pay_worker_jpy or 0
    if isinstance(pay_worker_jpy, bool) or pay < 0:
        raise Invalid({"pay_worker_jpy": "Must be zero or a positive number of yen."})
    with transaction.atomic():
        contract = contract_lock(contract_id, user_id=user_id)
        with clock.pinned():  # one instant for the action, after the lock
            milestones = milestones_lock(contract)
            verdict = eligibility.termination(contract, user_id=user_id, **eligibility.load(contract))
            if not verdict["available"]:
                raise RuleViolation(verdict["reason"], eligibility.EXPLAIN[verdict["reason"]])
            if pay and not contract.policy["termination"]["partial_payment"]:
                raise RuleViolation(
                    "not_allowed_by_policy", "Under this policy an early termination refunds the escrow in full."
                )
            held = sum(m.amount_jpy for m in milestones if m.status in Milestone.HOLDING)
            if pay > held:
                raise Invalid({"pay_worker_jpy": f"At most the escrowed ¥{held:,}."})
            now = clock.now()
            takes_effect_at = now + dt.timedelta(days=contract.policy["termination"]["takes_effect_days"])
            req = TerminationRequest.objects.create(
                contract=contract,
                requester_id=user_id,
                reason=reason,
                pay_worker_jpy=pay,
                pay_plan={str(k): v for k, v in pay_split(milestones, pay).items()},
                filed_at=now,
                takes_effect_at=takes_effect_at,
            )
            deadline_schedule(
                kind="termination_take_effect", due_at=takes_effect_at, contract_id=contract.pk, subject_id=req.pk
            )
            event_add(
                contract=contract,
                kind="termination_requested",
                actor_id=user_id,
                request_id=req.pk,
                reason=reason,
                pay_worker_jpy=pay,
                takes_effect_at=takes_effect_at.isoformat(),
                outcome=end_plan(contract, milestones, pay_split(milestones, pay)),
            )
            hooks.party_acted(contract, user_id)
            hooks.notify(
                contract=contract,
                user_id=contract.other_party_id(user_id),
                kind="termination_requested",
                params={"takes_effect_at": takes_effect_at, "pay_worker_jpy": pay, "contract": contract.title},
            )
    return req


def _locked_request(request_id: int, user_id: int) -> tuple[Contract, list[Milestone], TerminationRequest]:
    head = TerminationRequest.objects.filter(pk=request_id).values_list("contract_id", flat=True).first()
    if head is None:
        raise NotFound("No such termination request.")
    contract = contract_lock(head, user_id=user_id)
    milestones = milestones_lock(contract)
    req = TerminationRequest.objects.select_for_update().get(pk=request_id)
    return contract, milestones, req


def _settle_termination(
    contract: Contract, milestones: list[Milestone], req: TerminationRequest, *, status: str, actor_id: int | None
) -> None:
    req.status = status
    req.decided_at = clock.now()
    req.save(update_fields=["status", "decided_at"])
    if status == TerminationRequest.AGREED:
        cause, caused_by = Contract.END_AGREEMENT, req.requester_id
    else:  # took effect because the other party stayed silent
        cause, caused_by = Contract.END_SILENCE, contract.other_party_id(req.requester_id)
    moved = contract_end(
        contract=contract,
        milestones=milestones,
        pay=_still_held(req, milestones),
        cause=cause,
        caused_by_id=caused_by,
        actor_id=actor_id,
        reason=f"termination_{status}",
    )
    req.outcome = {"contract_status": contract.status, "milestones": moved}
    req.save(update_fields=["outcome"])
    event_add(
        contract=contract,
        kind=f"termination_{status}",
        actor_id=actor_id,
        actor_role=None if actor_id else "system",
        request_id=req.pk,
    )
    for uid in (contract.client_id, contract.worker_id):
        hooks.notify(
            contract=contract,
            user_id=uid,
            kind=f"termination_{status}",
            params={"contract": contract.title, "status": contract.status},
        )


def _still_held(req: TerminationRequest, milestones: list[Milestone]) -> dict[int, int]:
    """The pay fixed when the request was filed, for the milestones still held now: a milestone
    released meanwhile was paid in full already, one funded meanwhile is refunded."""
    held = {m.pk for m in milestones if m.status in Milestone.HOLDING}
    return {int(k): v for k, v in req.pay_plan.items() if int(k) in held}


def _require_before_effect(req: TerminationRequest) -> None:
    if clock.now() >= req.takes_effect_at:
        raise RuleViolation("invalid_state", "The request took effect at its deadline; it can no longer be answered.")


def termination_agree(*, user_id: int, request_id: int) -> TerminationRequest:
    with transaction.atomic():
        contract, milestones, req = _locked_request(request_id, user_id)
        with clock.pinned():  # one instant for the action, after the lock
            if req.requester_id == user_id:
                raise Forbidden("The other party agrees to a termination request.")
            if req.status != TerminationRequest.OPEN:
                raise RuleViolation("invalid_state", f"This request is already {req.status}.")
            _require_before_effect(req)
            hooks.party_acted(contract, user_id)
            _settle_termination(contract, milestones, req, status=TerminationRequest.AGREED, actor_id=user_id)
    return req


def termination_decline(*, user_id: int, request_id: int) -> TerminationRequest:
    return _close_request(user_id=user_id, request_id=request_id, status=TerminationRequest.DECLINED)


def termination_withdraw(*, user_id: int, request_id: int) -> TerminationRequest:
    return _close_request(user_id=user_id, request_id=request_id, status=TerminationRequest.WITHDRAWN)


def _close_request(*, user_id: int, request_id: int, status: str) -> TerminationRequest:
    with transaction.atomic():
        contract, _, req = _locked_request(request_id, user_id)
        with clock.pinned():  # one instant for the action, after the lock
            by_requester = req.requester_id == user_id
            if status == TerminationRequest.WITHDRAWN and not by_requester:
                raise Forbidden("Only the requester may withdraw the request.")
            if status == TerminationRequest.DECLINED and by_requester:
                raise Forbidden("The other party declines a termination request; you may withdraw it.")
            if req.status != TerminationRequest.OPEN:
                raise RuleViolation("invalid_state", f"This request is already {req.status}.")
            _require_before_effect(req)
            req.status = status
            req.decided_at = clock.now()
            req.save(update_fields=["status", "decided_at"])
            deadline_cancel(contract_id=contract.pk, kinds=TERMINATION_KINDS, subject_id=req.pk)
            event_add(contract=contract, kind=f"termination_{status}", actor_id=user_id, request_id=req.pk)
            hooks.party_acted(contract, user_id)
            hooks.notify(
                contract=contract,
                user_id=contract.other_party_id(user_id),
                kind=f"termination_{status}",
                params={"contract": contract.title, "status": contract.status},
            )
    return req


@handler("termination_take_effect")
def _termination_take_effect(deadline: Any) -> None:
    contract = Contract.objects.get(pk=deadline.contract_id)
    req = TerminationRequest.objects.select_for_update().filter(pk=deadline.subject_id).first()
    if req is None or req.status != TerminationRequest.OPEN or not contract.is_open:
        return
    milestones = milestones_lock(contract)
    _settle_termination(contract, milestones, req, status=TerminationRequest.TOOK_EFFECT, actor_id=None)


# --- listeners ----------------------------------------------------------------------


def on_party_acted(contract: Contract, user_id: int) -> None:
    _answer_reminders(contract, user_id, clock.now())  # the action's instant where it is pinned


def on_contract_ended(contract: Contract) -> None:
    """Requests still open when the contract ends another way are closed, not left dangling."""
    now = clock.now()
    ContactReminder.objects.filter(contract=contract, status=ContactReminder.OPEN).update(
        status=ContactReminder.CLOSED, closed_at=now
    )
    TerminationRequest.objects.filter(contract=contract, status=TerminationRequest.OPEN).update(
        status=TerminationRequest.CLOSED, decided_at=now
    )
