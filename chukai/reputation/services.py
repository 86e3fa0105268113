from __future__ import annotations

from chukai import clock
from chukai.reputation.models import PenaltyMark


def penalty_mark_issue(*, user_id: int, contract_id: int, kind: str, reason: str) -> PenaltyMark:
    """Idempotent per (user, contract, kind): a rule that fires twice marks once."""
    mark, _ = PenaltyMark.objects.get_or_create(
        user_id=user_id, contract_id=contract_id, kind=kind, defaults={"reason": reason[:300], "issued_at": clock.now()}
    )
    return mark
