"""Steps the support tests share: a contract with delivered work, a case, refusals that change nothing."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, make_contract
from tests.foundation.invariants import assert_same_state, db_state


def funded(
    client: Api, worker: Api, *, deliver: tuple[int, ...] = (0,), fund: tuple[int, ...] | None = None, **kw: Any
) -> dict[str, Any]:
    """A contract with the milestones at `fund` escrowed (default: all) and those at `deliver` delivered."""
    c = make_contract(client, worker, **kw)
    indexes = range(len(c["milestones"])) if fund is None else fund
    for i in indexes:
        mid = c["milestones"][i]["id"]
        r = client.post(f"/api/contracts/{c['id']}/milestones/{mid}/fund")
        assert r.status_code == 200, r.content
    for i in deliver:
        mid = c["milestones"][i]["id"]
        r = worker.post(f"/api/contracts/{c['id']}/milestones/{mid}/deliver", {"message": "納品しました"})
        assert r.status_code == 200, r.content
    return worker.get(f"/api/contracts/{c['id']}").json()


def open_case(api: Api, contract_id: int, kind: str = "unresponsive", body: str = "連絡が取れません") -> dict[str, Any]:
    r = api.post(f"/api/contracts/{contract_id}/support-cases", {"kind": kind, "body": body})
    assert r.status_code == 201, r.content
    return r.json()


def send_notice(staff: Api, case_id: int, to: str = "client", **extra: Any) -> dict[str, Any]:
    r = staff.post(f"/api/support-cases/{case_id}/notices", {"to": to, "body": "5日以内にご対応ください。", **extra})
    assert r.status_code == 201, r.content
    return r.json()


def decide(staff: Api, case_id: int, decision: str, **extra: Any) -> dict[str, Any]:
    r = staff.post(f"/api/support-cases/{case_id}/decide", {"decision": decision, **extra})
    assert r.status_code == 200, r.content
    return r.json()


def case(api: Api, case_id: int) -> dict[str, Any]:
    r = api.get(f"/api/support-cases/{case_id}")
    assert r.status_code == 200, r.content
    return r.json()


def refused(call: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """An API call that must fail with a problem body, leaving the database as it was."""
    before = db_state()
    r = call()
    assert r.status_code == status, (r.status_code, r.content)
    assert r["Content-Type"].startswith("application/problem+json"), r["Content-Type"]
    body = r.json()
    if code is not None:
        assert body["code"] == code, body
    assert_same_state(before, db_state())
    return body


def timeline_kinds(api: Api, contract_id: int) -> list[str]:
    r = api.get(f"/api/contracts/{contract_id}/timeline")
    assert r.status_code == 200, r.content
    return [e["kind"] for e in r.json()]
