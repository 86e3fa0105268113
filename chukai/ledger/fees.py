"""Fee schedules: flat or marginal tiers, in basis points, rounded down to the yen."""

from __future__ import annotations

from typing import Any


def fee_on_total(schedule: dict[str, Any] | None, total: int) -> int:
    if schedule is None or total <= 0:
        return 0
    if schedule["kind"] == "flat":
        return total * schedule["bp"] // 10_000
    # Marginal tiers: each band of the amount at its own rate; round once at the end.
    hundredths = 0
    lower = 0
    for tier in schedule["tiers"]:
        upper = tier["up_to"]
        band = (min(total, upper) if upper is not None else total) - lower
        if band <= 0:
            break
        hundredths += band * tier["bp"]
        if upper is None or total <= upper:
            break
        lower = upper
    return hundredths // 10_000


def fee_for_part(schedule: dict[str, Any] | None, amount: int, *, already: int = 0) -> int:
    """The fee on `amount` when `already` yen of the same contract were charged before.

    Tiers run on the contract's cumulative amount, so the fees of all its
    milestones add up to the fee on the whole.
    """
    return fee_on_total(schedule, already + amount) - fee_on_total(schedule, already)
