from __future__ import annotations

from typing import Any

from chukai.contracts.actions import Facts, provider
from chukai.remedies import eligibility
from chukai.remedies.models import ContactReminder, TerminationRequest

SUGGEST_AFTER_UNANSWERED = 3  # seed 004: three unanswered messages, then use the platform's remedy


@provider
def remedies(f: Facts) -> dict[str, dict[str, Any]]:
    reminders = list(ContactReminder.objects.filter(contract=f.contract))
    open_terms = list(TerminationRequest.objects.filter(contract=f.contract, status=TerminationRequest.OPEN))
    f.extra["reminders"] = reminders
    f.extra["terminations_open"] = open_terms
    cr = eligibility.contact_reminder(
        f.contract,
        user_id=f.user_id,
        now=f.now,
        reminders=reminders,
        plan_change_pending=f.pending_plan_change is not None,
    )
    tr = eligibility.termination(f.contract, user_id=f.user_id, terminations_open=open_terms)
    unanswered = 0
    if f.role == "client":
        unanswered = f.contract.client_unanswered
    elif f.role == "worker":
        unanswered = f.contract.worker_unanswered
    silent = unanswered >= SUGGEST_AFTER_UNANSWERED and f.contract.is_open
    cr["suggested"] = bool(silent and f.contract.policy.get("contact_reminder"))
    tr["suggested"] = bool(silent and not cr["suggested"] and f.contract.policy.get("termination"))
    cr["unanswered_messages"] = unanswered
    return {"contact_reminder": cr, "termination_request": tr}
