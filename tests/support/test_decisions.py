"""Staff decisions move money only through the contract services: who gets how many yen, what the
contract becomes, who caused the end, who gets a penalty mark; the ledger stays sound after each."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, make_contract
from tests.foundation.invariants import assert_ledger_invariants
from tests.stories.helpers import balance, penalty_marks, platform_fees
from tests.support.helpers import case, decide, funded, open_case, send_notice


def _contract(api: Api, cid: int) -> dict[str, Any]:
    r = api.get(f"/api/contracts/{cid}")
    assert r.status_code == 200, r.content
    return r.json()


def test_split_pays_delivered_work_first(client_api: Api, worker_api: Api, staff: Api) -> None:
    """lancers: worker fee 16.5 %, client fee 5.5 % held in escrow and earned in proportion to what is paid."""
    c = funded(
        client_api,
        worker_api,
        policy="lancers",
        milestones=[{"title": "設計", "amount_jpy": 30_000}, {"title": "実装", "amount_jpy": 20_000}],
        deliver=(0,),
    )
    got = open_case(worker_api, c["id"], "dispute", "途中までの作業分を支払ってほしい")
    out = decide(staff, got["id"], "split", pay_worker_jpy=40_000, reason="作業量に応じて按分")
    after = _contract(worker_api, c["id"])
    first, second = after["milestones"]
    assert (first["status"], second["status"]) == ("paid", "settled")
    # ¥30,000 (delivered, all of it) + ¥10,000 of the escrowed ¥20,000, less 16.5 %.
    assert first["worker_paid_jpy"] == 30_000 - 4_950
    assert second["worker_paid_jpy"] == 10_000 - 1_650
    assert balance(worker_api) == 33_400
    # The client gets back the unpaid ¥10,000 plus the client fee on it (half of ¥1,100).
    assert balance(client_api) == 10_550
    assert platform_fees() == 4_950 + 1_650 + 1_650 + 550
    assert out["decision_detail"]["worker_jpy"] == 33_400 and out["decision_detail"]["client_jpy"] == 10_550
    assert after["status"] == "completed" and after["end_cause"] == "staff_decision"
    assert after["ended_by_id"] is None  # nobody held at fault
    assert out["decision_reason"] == "作業量に応じて按分"
    assert_ledger_invariants()


def test_split_of_nothing_is_a_refund(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api, policy="crowdworks")
    got = open_case(client_api, c["id"], "dispute")
    decide(staff, got["id"], "split", pay_worker_jpy=0)
    after = _contract(client_api, c["id"])
    assert after["milestones"][0]["status"] == "refunded" and after["status"] == "cancelled"
    assert balance(client_api) == 50_000 and balance(worker_api) == 0
    assert_ledger_invariants()


def test_refund_escrow_with_the_silent_worker_at_fault(
    clock: Any, client_api: Api, worker_api: Api, staff: Api
) -> None:
    """The worker stopped answering mid-work; staff's notice to the worker lapses; the escrow goes back."""
    c = funded(
        client_api,
        worker_api,
        policy="crowdworks",
        milestones=[{"title": "前半", "amount_jpy": 40_000}, {"title": "後半", "amount_jpy": 60_000}],
        fund=(0,),
        deliver=(),
    )
    got = open_case(client_api, c["id"], "unresponsive", "受注者と2週間連絡が取れません")
    send_notice(staff, got["id"], "worker")
    clock.advance(days=5)
    assert case(staff, got["id"])["status"] == "ready_for_decision"
    out = decide(staff, got["id"], "refund_escrow")  # at fault by default: who let the notice lapse
    after = _contract(client_api, c["id"])
    assert [m["status"] for m in after["milestones"]] == ["refunded", "cancelled"]
    assert after["status"] == "cancelled" and after["end_cause"] == "staff_decision"
    assert after["ended_by_id"] == worker_api.user_id
    assert balance(client_api) == 40_000 and balance(worker_api) == 0 and platform_fees() == 0
    assert out["decision_detail"]["penalty"] is True
    assert [m["kind"] for m in penalty_marks(client_api, worker_api.user_id)] == ["staff"]
    assert penalty_marks(worker_api, client_api.user_id) == []
    assert_ledger_invariants()


def test_cancel_a_contract_never_funded(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = make_contract(client_api, worker_api, policy="lancers")
    got = open_case(worker_api, c["id"], "unresponsive")
    decide(staff, got["id"], "cancel", at_fault="client", reason="仮払いされないまま連絡が途絶えた")
    after = _contract(worker_api, c["id"])
    assert after["status"] == "cancelled" and after["milestones"][0]["status"] == "cancelled"
    assert after["ended_by_id"] == client_api.user_id
    # Held at fault, but no official notice was ignored: no penalty mark (marks are for ignored notices).
    assert penalty_marks(worker_api, client_api.user_id) == []
    assert balance(client_api) == 0 and balance(worker_api) == 0
    assert_ledger_invariants()


def test_cancel_refunds_what_is_held(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api, policy="lancers", deliver=())
    got = open_case(client_api, c["id"], "other")
    decide(staff, got["id"], "cancel")
    after = _contract(client_api, c["id"])
    assert after["status"] == "cancelled" and after["milestones"][0]["status"] == "refunded"
    assert balance(client_api) == 50_000 + 2_750  # the amount and the 5.5 % client fee
    assert platform_fees() == 0
    assert_ledger_invariants()


def test_release_delivered_keeps_the_rest_of_the_contract(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(
        client_api,
        worker_api,
        policy="crowdworks",
        milestones=[{"title": "第1回", "amount_jpy": 50_000}, {"title": "第2回", "amount_jpy": 50_000}],
        fund=(0,),
        deliver=(0,),
    )
    got = open_case(worker_api, c["id"], "dispute")
    decide(staff, got["id"], "release_delivered")
    after = _contract(worker_api, c["id"])
    assert [m["status"] for m in after["milestones"]] == ["paid", "unfunded"]
    assert after["status"] == "in_progress"
    assert balance(worker_api) == 40_000  # 20 % of the first ¥100,000 of the contract
    assert not [d for d in after["deadlines"] if d["kind"] == "acceptance_due"]
    # The contract goes on: the client may fund the next milestone.
    mid = after["milestones"][1]["id"]
    assert client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/fund").status_code == 200
    assert_ledger_invariants()


def test_release_delivered_and_end_the_contract(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(
        client_api,
        worker_api,
        policy="upwork",
        milestones=[
            {"title": "A", "amount_jpy": 10_000},
            {"title": "B", "amount_jpy": 20_000},
            {"title": "C", "amount_jpy": 30_000},
        ],
        fund=(0, 1),
        deliver=(0,),
    )
    got = open_case(worker_api, c["id"], "unresponsive")
    out = decide(staff, got["id"], "release_delivered", end_contract=True, at_fault="client")
    after = _contract(worker_api, c["id"])
    assert [m["status"] for m in after["milestones"]] == ["paid", "refunded", "cancelled"]
    assert after["status"] == "completed" and after["ended_by_id"] == client_api.user_id
    assert balance(worker_api) == 9_000 and balance(client_api) == 20_000 and platform_fees() == 1_000
    assert out["decision_detail"]["contract_status"] == "completed"
    assert_ledger_invariants()


def test_extend_due_date(clock: Any, client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api, policy="crowdworks", deliver=())
    got = open_case(client_api, c["id"], "unresponsive")
    send_notice(staff, got["id"], "worker")
    clock.advance(days=5)
    out = decide(staff, got["id"], "extend_due_date", due_date="2026-10-31", reason="受注者の体調不良")
    assert out["status"] == "closed" and out["decision"] == "extend_due_date"
    after = _contract(client_api, c["id"])
    assert after["due_date"] == "2026-10-31" and after["status"] == "in_progress"
    assert after["escrow_jpy"] == 50_000
    # The contract goes on: no penalty, no end.
    assert penalty_marks(client_api, worker_api.user_id) == []
    events = client_api.get(f"/api/contracts/{c['id']}/timeline").json()
    staff_due = [e for e in events if e["kind"] == "due_date_set_by_staff"]
    assert staff_due and staff_due[0]["actor_role"] == "staff" and staff_due[0]["detail"]["due_date"] == "2026-10-31"
    assert_ledger_invariants()


def test_no_penalty_for_a_party_that_answered(clock: Any, client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api, policy="crowdworks")
    got = open_case(worker_api, c["id"], "dispute")
    send_notice(staff, got["id"], "client")
    assert client_api.post(f"/api/contracts/{c['id']}/messages", {"body": "品質に不満があります"}).status_code == 201
    out = decide(staff, got["id"], "release_delivered", at_fault="client")
    assert out["decision_detail"]["penalty"] is False
    assert penalty_marks(worker_api, client_api.user_id) == []
    assert balance(worker_api) == 40_000
    assert_ledger_invariants()


def test_staff_can_hold_nobody_at_fault(clock: Any, client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api, policy="crowdworks")
    got = open_case(worker_api, c["id"])
    send_notice(staff, got["id"], "client")
    clock.advance(days=5)
    decide(staff, got["id"], "release_delivered", at_fault="none", reason="クライアント入院のため")
    assert penalty_marks(worker_api, client_api.user_id) == []
    assert _contract(worker_api, c["id"])["ended_by_id"] is None
    assert_ledger_invariants()


def test_a_decision_withdraws_running_notices(
    clock: Any, client_api: Api, worker_api: Api, staff: Api, notified: list[dict[str, Any]]
) -> None:
    c = funded(client_api, worker_api, policy="crowdworks")
    got = open_case(worker_api, c["id"])
    send_notice(staff, got["id"], "client")
    decide(staff, got["id"], "release_delivered")
    after = case(staff, got["id"])
    assert after["notices"][0]["status"] == "withdrawn"
    clock.advance(days=10)  # the notice's deadline no longer fires
    assert case(staff, got["id"])["status"] == "closed"
    assert not [n for n in notified if n["kind"] == "official_notice_lapsed"]
    assert {n["user_id"] for n in notified if n["kind"] == "support_case_decided"} == {
        client_api.user_id,
        worker_api.user_id,
    }
