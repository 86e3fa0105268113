"""The `rate` entry of a contract's `actions` map (one query, for parties of an ended contract)."""

from __future__ import annotations

from chukai.contracts.actions import Availability, Facts, no, provider, yes
from chukai.reputation.selectors import has_rated
from chukai.reputation.services import rating_window_closes_at


@provider
def rate_action(f: Facts) -> dict[str, Availability]:
    # Same codes, same order, as `rating_submit` refuses with.
    if f.role is None:
        return {"rate": no("not_your_role")}
    closes = rating_window_closes_at(f.contract)
    if f.contract.is_open or closes is None:
        return {"rate": no("invalid_state")}
    if has_rated(contract_id=f.contract.pk, user_id=f.user_id):
        return {"rate": no("already_rated")}
    if f.now >= closes:
        return {"rate": no("rating_window_closed")}
    return {"rate": yes()}
