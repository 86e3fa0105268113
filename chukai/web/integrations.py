"""How the contract page shows what other apps add (messages, remedies, support, ratings).

Each panel calls that app's selectors; until an app ships them the panel is empty.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from chukai.accounts.models import User
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
        if isinstance(d.get(key), int) and d[key]:
            parts.append(f"{key.replace('_jpy', '').replace('_', ' ')} ¥{d[key]:,}")
    money = d.get("money")
    if isinstance(money, dict) and money.get("amount_jpy"):
        parts.append(f"¥{money['amount_jpy']:,}")
    for key in ("due_date", "status", "reason", "message", "decision", "to"):
        v = d.get(key)
        if isinstance(v, str) and v:
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


def contract_panels(*, request: HttpRequest, contract: Contract, user: User, forms: dict[str, Any]) -> dict[str, Any]:
    return {}
