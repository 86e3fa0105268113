"""Building ended contracts for reputation tests, through the API and the contract services."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from chukai.contracts.services import contract_end, contract_lock, milestones_lock
from tests.conftest import Api, make_contract


def completed_contract(client: Api, worker: Api, **kw: Any) -> dict[str, Any]:
    """Fund, deliver, accept: the contract ends `completed` (end_cause completed)."""
    c = make_contract(client, worker, **kw)
    for m in c["milestones"]:
        base = f"/api/contracts/{c['id']}/milestones/{m['id']}"
        assert client.post(f"{base}/fund").status_code == 200
        assert worker.post(f"{base}/deliver", {"message": "納品します"}).status_code == 200
        r = client.post(f"{base}/accept")
        assert r.status_code == 200, r.content
    detail = client.get(f"/api/contracts/{c['id']}").json()
    assert detail["status"] == "completed"
    return detail


def fund(client: Api, contract: dict[str, Any], index: int = 0) -> None:
    mid = contract["milestones"][index]["id"]
    assert client.post(f"/api/contracts/{contract['id']}/milestones/{mid}/fund").status_code == 200


def deliver(worker: Api, contract: dict[str, Any], index: int = 0) -> None:
    mid = contract["milestones"][index]["id"]
    assert worker.post(f"/api/contracts/{contract['id']}/milestones/{mid}/deliver").status_code == 200


def end(contract_id: int, *, cause: str, caused_by_id: int | None, pay: dict[int, int] | None = None) -> None:
    """End an open contract the way the remedies and staff decisions do."""
    with transaction.atomic():
        contract = contract_lock(contract_id)
        milestones = milestones_lock(contract)
        contract_end(
            contract=contract,
            milestones=milestones,
            pay=pay or {},
            cause=cause,
            caused_by_id=caused_by_id,
            actor_id=None,
            reason=f"test: {cause}",
        )


def rate(api: Api, contract_id: int, stars: int, comment: str = "") -> Any:
    return api.post(f"/api/contracts/{contract_id}/ratings", {"stars": stars, "comment": comment})
