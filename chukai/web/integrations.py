"""How the contract page shows what other apps add (messages, remedies, support, ratings).

Each panel calls that app's selectors; until an app ships them the panel is empty.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from chukai.accounts.models import User
from chukai.contracts import selectors as contract_selectors
from chukai.contracts.models import Contract
from chukai.web import labels

# Contract-level actions shown in the "what you can do" panel, in this order.
CONTRACT_ACTIONS = (
    "contact_reminder",
    "termination_request",
    "support_case",
    "due_date_change",
    "plan_change",
    "rating",
    "rate",
)

MONEY_KEYS = ("worker_jpy", "client_jpy", "amount_jpy", "client_fee_jpy", "worker_fee_jpy", "pay_worker_jpy")


def event_view(e: dict[str, Any], *, titles: dict[int, str], names: dict[int, str]) -> dict[str, Any]:
    d = e.get("detail") or {}
    parts: list[str] = []
    mid = d.get("milestone_id")
    if mid in titles:
        parts.append(f"「{titles[mid]}」")
    for key in MONEY_KEYS:
        if isinstance(d.get(key), int) and not isinstance(d.get(key), bool) and d[key]:
            parts.append(f"{labels.label(labels.MONEY_WORDS, key)} ¥{d[key]:,}")
    money = d.get("money")
    if isinstance(money, dict) and money.get("amount_jpy"):
        parts.append(f"¥{money['amount_jpy']:,}")
    coded = {"status": labels.CONTRACT_STATUS, "decision": labels.DECISIONS, "to": labels.ROLES}
    for key in ("due_date", "status", "decision", "to", "reason", "message", "body"):
        v = d.get(key)
        if isinstance(v, str) and v:
            if key in coded:
                v = labels.label(coded[key], v)
            elif v in labels.EVENTS:
                v = labels.label(labels.EVENTS, v)
            elif key == "reason" and v.startswith(("termination_", "support case #")):
                continue  # an internal settlement memo, already said by the event's name
            parts.append(v if len(v) <= 140 else v[:140] + "…")
    ms = d.get("milestones")
    if isinstance(ms, list):
        for m in ms:
            if isinstance(m, dict) and "milestone_id" in m:
                parts.append(
                    f"「{titles.get(m['milestone_id'], m['milestone_id'])}」→ "
                    f"{labels.label(labels.MILESTONE_STATUS, m.get('becomes'))}"
                    f" (worker ¥{int(m.get('worker_jpy') or 0):,} / client ¥{int(m.get('client_jpy') or 0):,})"
                )
    actor = e.get("actor")
    who = names.get(actor) if actor else None
    return {
        "at": e["at"],
        "kind": e["kind"],
        "label": labels.label(labels.EVENTS, e["kind"]),
        "role": labels.label(labels.ROLES, e.get("actor_role")),
        "who": who,
        "summary": " · ".join(parts),
    }


def timeline_view(contract: Contract, *, titles: dict[int, str]) -> list[dict[str, Any]]:
    """The contract's timeline in words: milestone titles and the parties' names filled in."""
    names = {contract.client_id: contract.client.display_name, contract.worker_id: contract.worker.display_name}
    return [event_view(e, titles=titles, names=names) for e in contract_selectors.contract_timeline(contract=contract)]


def contract_panels(*, request: HttpRequest, contract: Contract, user: User, forms: dict[str, Any]) -> dict[str, Any]:
    """The thread, the counterpart's reachability, open requests, support cases and ratings."""
    from chukai.messaging import selectors as messaging
    from chukai.remedies import selectors as remedies
    from chukai.reputation import selectors as reputation
    from chukai.support import selectors as support
    from chukai.web.forms import MessageForm, RatingForm, SupportCaseForm, TerminationForm

    party = contract.role_of(user.pk) is not None
    thread, cursors = messaging.thread_page(contract=contract, latest=True, limit=100)
    reach = messaging.reachability(contract=contract, user=user) if party else None
    from chukai.web.selectors import remedies_of

    reminder_rows, termination_rows = remedies_of(contract=contract)
    reminders = [remedies.reminder_dict(r) for r in reminder_rows]
    terminations = [remedies.termination_dict(t) for t in termination_rows]
    cases = support.case_list(user=user, contract_id=contract.pk)
    ratings = reputation.contract_ratings(contract=contract, user=user)
    return {
        "party": party,
        "thread": thread,
        "thread_more": cursors.get("prev_before"),
        "reach": reach,
        "reminders": reminders,
        "open_reminder": next((r for r in reminders if r["status"] == "open"), None),
        "terminations": terminations,
        "open_termination": next((t for t in terminations if t["status"] == "open"), None),
        "cases": cases,
        "open_case": next((c for c in cases if c["status"] != "closed"), None),
        "ratings": ratings,
        "message_form": forms.get("message") or MessageForm(),
        "termination_form": forms.get("termination") or TerminationForm(),
        "support_form": forms.get("support") or SupportCaseForm(),
        "rating_form": forms.get("rating") or RatingForm(),
    }
