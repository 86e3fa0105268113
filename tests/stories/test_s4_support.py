"""S4 (seed 002, CrowdWorks): the acceptance period lapses and the support office settles it.

The worker delivers; the client has 7 days to accept and says nothing. Under
the `crowdworks` policy nothing happens by itself: the worker opens a support
case; staff send the client an official notice with a 5-day deadline; it
lapses, and chukai moves the case to "ready for decision"; the worker
escalates anyway (as seed 002's writer did); staff confirm the payment with one
action; the worker is paid, less CrowdWorks' tiered fee.

Everything runs through the HTTP API with the manual clock (POST /api/_clock).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chukai.accounts.models import User
from chukai.contracts import hooks
from tests.conftest import Api, make_contract
from tests.stories.helpers import balance, check_invariants, contract, penalty_marks, platform_fees

AMOUNT = 150_000
# CrowdWorks tiers: 20 % of the first ¥100,000 + 10 % of the next ¥50,000.
FEE = 20_000 + 5_000


@pytest.fixture
def staff(db: Any) -> Api:
    """A support-office user (Django staff)."""
    User.objects.create_user("office@example.com", "correct horse battery", is_staff=True, display_name="事務局")
    r = Api().post("/api/auth/token", {"email": "office@example.com", "password": "correct horse battery"})
    assert r.status_code == 200, r.content
    return Api(r.json()["token"], User.objects.get(email="office@example.com").pk)


@pytest.fixture
def notified(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every `hooks.notify` call with its params (the API shows the rendered titles)."""
    seen: list[dict[str, Any]] = []

    def capture(*, contract: Any, user_id: int, kind: str, params: dict[str, Any]) -> None:
        seen.append({"user_id": user_id, "kind": kind, **params})

    monkeypatch.setattr(hooks, "_notify", [*hooks._notify, capture])
    return seen


def _notes(api: Api) -> list[dict[str, Any]]:
    r = api.get("/api/me/notifications")
    assert r.status_code == 200, r.content
    body = r.json()
    return list(body["items"] if isinstance(body, dict) else body)


def _at(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))


def test_s4_acceptance_lapses_support_office_confirms_payment(
    clock: Any,
    client_api: Api,
    worker_api: Api,
    staff: Api,
    notified: list[dict[str, Any]],
) -> None:
    c = make_contract(
        client_api, worker_api, policy="crowdworks", milestones=[{"title": "LP制作一式", "amount_jpy": AMOUNT}]
    )
    cid, mid = c["id"], c["milestones"][0]["id"]
    assert client_api.post(f"/api/contracts/{cid}/milestones/{mid}/fund").status_code == 200
    assert balance(client_api) == 0  # funded by card

    # 1. The worker delivers; the client has 7 days (CrowdWorks) to accept.
    r = worker_api.post(f"/api/contracts/{cid}/milestones/{mid}/deliver", {"message": "納品しました。ご確認ください。"})
    assert r.status_code == 200, r.content
    delivered_at = _at(clock.api.get("/api/_clock").json()["now"])
    due = [d for d in r.json()["deadlines"] if d["kind"] == "acceptance_due"]
    assert len(due) == 1 and _at(due[0]["due_at"]) == delivered_at + dt.timedelta(days=7)

    # Before the period ends, "acceptance overdue" is not yet available, and chukai says when it will be.
    acts = contract(worker_api, cid)["actions"]["support_case"]
    assert acts["kinds"]["acceptance_overdue"] == {
        "available": False,
        "reason": "too_soon",
        "available_at": due[0]["due_at"],
    }
    r = worker_api.post(
        f"/api/contracts/{cid}/support-cases", {"kind": "acceptance_overdue", "body": "検収がありません"}
    )
    assert r.status_code == 409 and r.json()["code"] == "too_soon"
    assert _at(r.json()["available_at"]) == delivered_at + dt.timedelta(days=7)

    # 2. Seven silent days: the period lapses and nothing happens by itself under crowdworks.
    clock.advance(days=7)
    detail = contract(worker_api, cid)
    assert detail["status"] == "in_progress"
    assert detail["milestones"][0]["status"] == "delivered"
    assert detail["escrow_jpy"] == AMOUNT
    assert balance(worker_api) == 0
    assert "acceptance_lapsed" in [e["kind"] for e in worker_api.get(f"/api/contracts/{cid}/timeline").json()]
    assert detail["actions"]["support_case"]["kinds"]["acceptance_overdue"]["available"] is True
    assert detail["actions"]["support_case"]["kinds"]["acceptance_overdue"]["available"] is True
    assert contract(client_api, cid)["actions"]["support_case"]["kinds"]["acceptance_overdue"]["reason"] == (
        "not_your_role"
    )

    # 3. The worker opens a support case.
    r = worker_api.post(
        f"/api/contracts/{cid}/support-cases",
        {"kind": "acceptance_overdue", "body": "納品から7日経ちましたが検収も差し戻しもありません。"},
    )
    assert r.status_code == 201, r.content
    case_id = r.json()["id"]
    assert r.json()["status"] == "open"
    queue = staff.get("/api/support-cases").json()
    assert [x["id"] for x in queue] == [case_id] and queue[0]["status"] == "open"
    assert [x["id"] for x in client_api.get("/api/support-cases").json()] == [case_id]

    # 4. Staff send the client an official notice: 5 days (the policy's default).
    r = staff.post(
        f"/api/support-cases/{case_id}/notices",
        {"to": "client", "body": "納品物の検収を5日以内にお願いします。ご対応がない場合は事務局が判断します。"},
    )
    assert r.status_code == 201, r.content
    notice = r.json()
    sent_at = delivered_at + dt.timedelta(days=7)
    assert _at(notice["respond_by"]) == sent_at + dt.timedelta(days=5)
    assert notice["status"] == "running" and notice["to"] == "client"
    assert staff.get(f"/api/support-cases/{case_id}").json()["status"] == "awaiting_response"
    kinds = [d["kind"] for d in contract(worker_api, cid)["deadlines"]]
    assert "support_notice_lapse" in kinds
    official = [n for n in notified if n["kind"] == "official_notice"]
    assert len(official) == 1 and official[0]["user_id"] == client_api.user_id and official[0]["official"] is True
    assert _at(official[0]["respond_by"].isoformat()) == _at(notice["respond_by"])
    # The client sees it in the app as an official notice, with the exact deadline in Tokyo time.
    shown = [n for n in _notes(client_api) if n["kind"] == "official_notice"]
    assert len(shown) == 1
    assert shown[0]["title"].startswith("【chukai事務局】") and "2026年9月13日" in shown[0]["title"]

    # 5. The client stays silent: at the deadline the case is ready for a decision.
    clock.advance(days=4, hours=23)
    assert staff.get(f"/api/support-cases/{case_id}").json()["status"] == "awaiting_response"
    clock.advance(hours=1)
    got = staff.get(f"/api/support-cases/{case_id}").json()
    assert got["status"] == "ready_for_decision"
    assert got["ready_reason"] == "notice_lapsed"
    assert got["notices"][0]["status"] == "lapsed"
    assert any(n["kind"] == "support_case_ready" and n["user_id"] == worker_api.user_id for n in notified)

    # 6. The worker escalates anyway (seed 002's step); doing it twice is harmless.
    for _ in range(2):
        r = worker_api.post(f"/api/support-cases/{case_id}/escalate", {"body": "ご判断をお願いします。"})
        assert r.status_code == 200, r.content
        assert r.json()["status"] == "ready_for_decision"
    assert r.json()["escalation_count"] == 2

    # 7. Staff confirm the payment with one action.
    r = staff.post(f"/api/support-cases/{case_id}/decide", {"decision": "release_delivered"})
    assert r.status_code == 200, r.content
    decided = r.json()
    assert decided["status"] == "closed" and decided["decision"] == "release_delivered"
    assert decided["decision_detail"]["worker_jpy"] == AMOUNT - FEE
    assert decided["decision_detail"]["penalty"] is True

    # The worker is paid (less the tiered fee), the platform earned the fee, the client got nothing back.
    detail = contract(worker_api, cid)
    assert detail["status"] == "completed"
    assert detail["end_cause"] == "staff_decision"
    assert detail["ended_by_id"] == client_api.user_id  # the silent party is recorded as the cause
    assert detail["milestones"][0]["status"] == "paid"
    assert detail["milestones"][0]["worker_paid_jpy"] == AMOUNT - FEE
    assert detail["escrow_jpy"] == 0
    assert balance(worker_api) == AMOUNT - FEE
    assert balance(client_api) == 0
    assert platform_fees() == FEE
    check_invariants()

    # The client let an official notice lapse: a penalty mark from the platform, with its contract.
    marks = penalty_marks(worker_api, client_api.user_id)
    assert [(m["kind"], m["contract_id"]) for m in marks] == [("staff", cid)]
    assert penalty_marks(client_api, worker_api.user_id) == []

    # Both parties are told of the decision; the worker's notice names the yen paid.
    decisions = {n["user_id"]: n for n in notified if n["kind"] == "support_case_decided"}
    assert set(decisions) == {client_api.user_id, worker_api.user_id}
    assert decisions[worker_api.user_id]["worker_jpy"] == AMOUNT - FEE
    assert any(n["kind"] == "support_case_decided" for n in _notes(worker_api))

    # The timeline is the evidence: every step in order, staff actions marked as staff.
    events = worker_api.get(f"/api/contracts/{cid}/timeline").json()
    kinds = [e["kind"] for e in events]
    expected = [
        "milestone_delivered",
        "acceptance_lapsed",
        "support_case_opened",
        "official_notice_sent",
        "official_notice_lapsed",
        "support_case_escalated",
        "support_case_escalated",
        "support_case_decided",
        "settled",
        "contract_ended",
    ]
    positions = [kinds.index(k) for k in dict.fromkeys(expected)]
    assert positions == sorted(positions), kinds
    by_kind = {e["kind"]: e for e in events}
    for kind in ("official_notice_sent", "support_case_decided"):
        assert by_kind[kind]["actor_role"] == "staff" and by_kind[kind]["actor"] == staff.user_id
    assert by_kind["official_notice_lapsed"]["actor_role"] == "system"
    assert by_kind["support_case_opened"]["actor_role"] == "worker"
    assert by_kind["contract_ended"]["detail"]["cause"] == "staff_decision"

    # Nothing is left to decide: the queue shows the case closed, and the case cannot be decided twice.
    r = staff.post(f"/api/support-cases/{case_id}/decide", {"decision": "refund_escrow"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    assert staff.get("/api/support-cases").json()[0]["status"] == "closed"
