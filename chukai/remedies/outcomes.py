"""What ending a contract would do to each milestone, computed without moving money.

`end_plan` is the single source for both the preview shown before a user
confirms and the real settlement (`contracts.services.contract_end` walks the
milestones in the same order with the same fee arithmetic).
"""

from __future__ import annotations

import copy
from typing import Any

from chukai.contracts.models import Contract, Milestone
from chukai.contracts.money import pending_payments, settle_amounts


def pay_on_silence(milestones: list[Milestone]) -> dict[int, int]:
    """DOMAIN §5.1 at expiry: delivered work is paid in full; escrowed work is refunded."""
    return {m.pk: m.amount_jpy for m in milestones if m.status == Milestone.DELIVERED}


def pay_split(milestones: list[Milestone], pay_worker_jpy: int) -> dict[int, int]:
    """Spread a partial payment over the held milestones, delivered ones first, then by position."""
    held = sorted(
        (m for m in milestones if m.status in Milestone.HOLDING),
        key=lambda m: (m.status != Milestone.DELIVERED, m.position, m.pk),
    )
    left = pay_worker_jpy
    out: dict[int, int] = {}
    for m in held:
        part = min(left, m.amount_jpy)
        out[m.pk] = part
        left -= part
    return out


def end_plan(contract: Contract, milestones: list[Milestone], pay: dict[int, int]) -> dict[str, Any]:
    sim = [copy.copy(m) for m in milestones]
    rows: list[dict[str, Any]] = []
    awaiting = pending_payments(milestones)
    for m in sim:
        before = m.status
        if before == Milestone.AWAITING_PAYMENT:
            # Not funded: cancelled; what its bank transfer held goes back to the client's balance.
            m.status = Milestone.CANCELLED
            held = awaiting[m.pk].held_jpy if m.pk in awaiting else 0
            rows.append(
                {
                    "id": m.pk,
                    "title": m.title,
                    "from": before,
                    "becomes": Milestone.CANCELLED,
                    "worker_jpy": 0,
                    "worker_fee_jpy": 0,
                    "client_jpy": held,
                }
            )
        elif before in Milestone.HOLDING:
            split = settle_amounts(contract=contract, milestones=sim, milestone=m, pay_worker_jpy=pay.get(m.pk, 0))
            m.status = str(split["becomes"])
            m.worker_paid_jpy = int(split["worker_jpy"])
            m.worker_fee_jpy = int(split["worker_fee_jpy"])
            m.client_refunded_jpy = int(split["client_jpy"])
            rows.append({"id": m.pk, "title": m.title, "from": before, **_money(split)})
        elif before == Milestone.UNFUNDED:
            m.status = Milestone.CANCELLED
            rows.append(
                {
                    "id": m.pk,
                    "title": m.title,
                    "from": Milestone.UNFUNDED,
                    "becomes": Milestone.CANCELLED,
                    "worker_jpy": 0,
                    "worker_fee_jpy": 0,
                    "client_jpy": 0,
                }
            )
        else:
            rows.append(
                {
                    "id": m.pk,
                    "title": m.title,
                    "from": before,
                    "becomes": before,
                    "worker_jpy": 0,
                    "worker_fee_jpy": 0,
                    "client_jpy": 0,
                    "already_settled": True,
                }
            )
    paid = any(m.worker_paid_jpy + m.worker_fee_jpy > 0 for m in sim)
    moving = [r for r in rows if not r.get("already_settled")]
    return {
        "contract_status": Contract.COMPLETED if paid else Contract.CANCELLED,
        "milestones": rows,
        "worker_jpy": sum(r["worker_jpy"] for r in moving),
        "client_jpy": sum(r["client_jpy"] for r in moving),
        "fee_jpy": sum(r["worker_fee_jpy"] for r in moving),
    }


def _money(split: dict[str, Any]) -> dict[str, Any]:
    return {k: split[k] for k in ("becomes", "worker_jpy", "worker_fee_jpy", "client_jpy")}
