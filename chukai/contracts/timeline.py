from __future__ import annotations

from typing import Any

from chukai import clock
from chukai.contracts.models import Contract, Event


def event_add(
    *, contract: Contract, kind: str, actor_id: int | None = None, actor_role: str | None = None, **detail: Any
) -> Event:
    """Append to the timeline; `actor_id=None` is the platform itself (a rule firing)."""
    if actor_role is None:
        actor_role = contract.role_of(actor_id) or "staff" if actor_id is not None else "system"
    return Event.objects.create(
        contract=contract, at=clock.now(), actor_id=actor_id, actor_role=actor_role, kind=kind, detail=detail
    )
