"""Who may do what with a support case, and every refusal's code (nothing changes on a refusal)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, make_contract, signup
from tests.support.helpers import case, decide, funded, open_case, refused, send_notice


def test_parties_open_staff_and_strangers_cannot(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = make_contract(client_api, worker_api)
    stranger = signup("stranger")
    body = {"kind": "unresponsive", "body": "返信がありません"}
    refused(lambda: stranger.post(f"/api/contracts/{c['id']}/support-cases", body), 404, "not_found")
    refused(lambda: staff.post(f"/api/contracts/{c['id']}/support-cases", body), 403, "forbidden")
    refused(lambda: Api().post(f"/api/contracts/{c['id']}/support-cases", body), 401, "unauthorized")
    refused(lambda: client_api.post("/api/contracts/999999/support-cases", body), 404, "not_found")
    opened = open_case(client_api, c["id"])
    assert opened["status"] == "open" and opened["kind"] == "unresponsive"
    assert opened["opened_by_id"] == client_api.user_id


def test_input_is_checked(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = make_contract(client_api, worker_api)
    url = f"/api/contracts/{c['id']}/support-cases"
    refused(lambda: client_api.post(url, {"kind": "complaint", "body": "x"}), 422, "invalid")
    refused(lambda: client_api.post(url, {"kind": "other", "body": "   "}), 422, "invalid")
    refused(lambda: client_api.post(url, {"kind": "other", "body": "x" * 10_001}), 422, "invalid")
    got = open_case(client_api, c["id"], "other")
    nurl = f"/api/support-cases/{got['id']}/notices"
    refused(lambda: staff.post(nurl, {"to": "staff", "body": "x"}), 422, "invalid")
    refused(lambda: staff.post(nurl, {"to": "client", "body": ""}), 422, "invalid")
    refused(lambda: staff.post(nurl, {"to": "client", "body": "x", "respond_within_days": 0}), 422, "invalid")
    refused(lambda: staff.post(nurl, {"to": "client", "body": "x", "respond_within_days": 61}), 422, "invalid")
    durl = f"/api/support-cases/{got['id']}/decide"
    refused(lambda: staff.post(durl, {"decision": "pay_everyone"}), 422, "invalid")
    refused(lambda: staff.post(durl, {"decision": "split"}), 422, "invalid")  # split needs pay_worker_jpy
    refused(lambda: staff.post(durl, {"decision": "split", "pay_worker_jpy": -1}), 422, "invalid")
    refused(lambda: staff.post(durl, {"decision": "cancel", "pay_worker_jpy": 10}), 422, "invalid")
    refused(lambda: staff.post(durl, {"decision": "extend_due_date"}), 422, "invalid")
    refused(lambda: staff.post(durl, {"decision": "extend_due_date", "due_date": "2000-01-01"}), 422, "invalid")
    refused(lambda: staff.post(durl, {"decision": "cancel", "due_date": "2099-01-01"}), 422, "invalid")
    refused(lambda: staff.post(durl, {"decision": "cancel", "at_fault": "everyone"}), 422, "invalid")
    refused(lambda: staff.post(f"/api/support-cases/{got['id']}/notes", {"body": ""}), 422, "invalid")


def test_one_open_case_per_contract(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = make_contract(client_api, worker_api)
    first = open_case(worker_api, c["id"])
    body = refused(
        lambda: client_api.post(f"/api/contracts/{c['id']}/support-cases", {"kind": "dispute", "body": "x"}),
        409,
        "request_open",
    )
    assert body["case_id"] == first["id"]
    avail = client_api.get(f"/api/contracts/{c['id']}").json()["actions"]["support_case"]
    assert avail["available"] is False and avail["reason"] == "request_open" and avail["case_id"] == first["id"]
    # Once the first is closed, a new one may be opened.
    assert staff.post(f"/api/support-cases/{first['id']}/close", {"reason": "解決済み"}).status_code == 200
    assert open_case(client_api, c["id"], "dispute")["status"] == "open"


def test_kind_rules(client_api: Api, worker_api: Api) -> None:
    c = funded(client_api, worker_api, deliver=())
    url = f"/api/contracts/{c['id']}/support-cases"
    # Only the worker reports an overdue acceptance, and only with delivered work past its acceptance period.
    refused(lambda: client_api.post(url, {"kind": "acceptance_overdue", "body": "x"}), 409, "not_your_role")
    refused(lambda: worker_api.post(url, {"kind": "acceptance_overdue", "body": "x"}), 409, "invalid_state")
    mid = c["milestones"][0]["id"]
    assert worker_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/deliver").status_code == 200
    body = refused(lambda: worker_api.post(url, {"kind": "acceptance_overdue", "body": "x"}), 409, "too_soon")
    assert body["available_at"]
    # After the contract ended, only disputes and other questions.
    assert client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/accept").status_code == 200
    for kind in ("unresponsive", "acceptance_overdue"):
        refused(lambda kind=kind: worker_api.post(url, {"kind": kind, "body": "x"}), 409, "not_in_progress")
    kinds = worker_api.get(f"/api/contracts/{c['id']}").json()["actions"]["support_case"]["kinds"]
    assert kinds["unresponsive"]["reason"] == "not_in_progress"
    assert kinds["dispute"]["available"] is True and kinds["other"]["available"] is True
    assert open_case(worker_api, c["id"], "dispute")["kind"] == "dispute"


def test_actions_map_for_each_caller(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = make_contract(client_api, worker_api)
    for api in (client_api, worker_api):
        got = api.get(f"/api/contracts/{c['id']}").json()["actions"]["support_case"]
        assert got["available"] is True and got["kinds"]["unresponsive"]["available"] is True
    got = staff.get(f"/api/contracts/{c['id']}").json()["actions"]["support_case"]
    assert got["available"] is False and got["reason"] == "not_your_role"


def test_staff_only_endpoints(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api)
    got = open_case(worker_api, c["id"])
    cid = got["id"]
    stranger = signup("stranger")
    for party in (client_api, worker_api):
        refused(lambda p=party: p.post(f"/api/support-cases/{cid}/notices", {"to": "client", "body": "x"}), 403)
        refused(lambda p=party: p.post(f"/api/support-cases/{cid}/notes", {"body": "x"}), 403, "forbidden")
        refused(lambda p=party: p.post(f"/api/support-cases/{cid}/decide", {"decision": "cancel"}), 403)
        refused(lambda p=party: p.post(f"/api/support-cases/{cid}/close", {}), 403, "forbidden")
    for call in (
        lambda: stranger.get(f"/api/support-cases/{cid}"),
        lambda: stranger.post(f"/api/support-cases/{cid}/notices", {"to": "client", "body": "x"}),
        lambda: stranger.post(f"/api/support-cases/{cid}/notes", {"body": "x"}),
        lambda: stranger.post(f"/api/support-cases/{cid}/decide", {"decision": "cancel"}),
        lambda: stranger.post(f"/api/support-cases/{cid}/escalate", {}),
        lambda: stranger.post(f"/api/support-cases/{cid}/close", {}),
        lambda: staff.get("/api/support-cases/999999"),
        lambda: staff.post("/api/support-cases/999999/decide", {"decision": "cancel"}),
    ):
        refused(call, 404, "not_found")
    assert stranger.get("/api/support-cases").json() == []


def test_only_the_opener_escalates_or_withdraws(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = make_contract(client_api, worker_api)
    got = open_case(worker_api, c["id"])
    for other in (client_api, staff):
        refused(lambda o=other: o.post(f"/api/support-cases/{got['id']}/escalate", {}), 403, "forbidden")
        refused(lambda o=other: o.post(f"/api/support-cases/{got['id']}/withdraw"), 403, "forbidden")
    r = worker_api.post(f"/api/support-cases/{got['id']}/escalate")  # the body is optional
    assert r.status_code == 200 and r.json()["status"] == "ready_for_decision"
    assert r.json()["ready_reason"] == "escalated"
    r = worker_api.post(f"/api/support-cases/{got['id']}/withdraw")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    refused(lambda: worker_api.post(f"/api/support-cases/{got['id']}/escalate", {}), 409, "invalid_state")
    refused(lambda: worker_api.post(f"/api/support-cases/{got['id']}/withdraw"), 409, "invalid_state")


def test_closed_cases_refuse_further_work(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api)
    got = open_case(worker_api, c["id"])
    decide(staff, got["id"], "release_delivered")
    for call in (
        lambda: staff.post(f"/api/support-cases/{got['id']}/decide", {"decision": "cancel"}),
        lambda: staff.post(f"/api/support-cases/{got['id']}/notices", {"to": "client", "body": "x"}),
        lambda: staff.post(f"/api/support-cases/{got['id']}/close", {}),
    ):
        refused(call, 409, "invalid_state")
    # Notes may still be added to a closed case.
    assert staff.post(f"/api/support-cases/{got['id']}/notes", {"body": "後日確認済み"}).status_code == 201


def test_decisions_need_something_to_decide(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api, deliver=())
    got = open_case(worker_api, c["id"])
    url = f"/api/support-cases/{got['id']}/decide"
    refused(lambda: staff.post(url, {"decision": "release_delivered"}), 409, "invalid_state")
    refused(lambda: staff.post(url, {"decision": "split", "pay_worker_jpy": 50_001}), 422, "invalid")
    c2 = make_contract(client_api, worker_api)
    got2 = open_case(worker_api, c2["id"])
    url2 = f"/api/support-cases/{got2['id']}/decide"
    refused(lambda: staff.post(url2, {"decision": "refund_escrow"}), 409, "invalid_state")
    refused(lambda: staff.post(url2, {"decision": "split", "pay_worker_jpy": 0}), 409, "invalid_state")


def test_decide_after_the_contract_ended_elsewhere(client_api: Api, worker_api: Api, staff: Api) -> None:
    """The client accepts while notices run: the client's is answered, the worker's withdrawn (on the
    timeline), and the case waits for staff to close it."""
    c = funded(client_api, worker_api)
    got = open_case(worker_api, c["id"], "dispute")
    to_client = send_notice(staff, got["id"], "client")
    to_worker = send_notice(staff, got["id"], "worker")
    mid = c["milestones"][0]["id"]
    assert client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/accept").status_code == 200
    after = case(staff, got["id"])
    assert {n["id"]: n["status"] for n in after["notices"]} == {
        to_client["id"]: "answered",
        to_worker["id"]: "withdrawn",
    }
    assert after["status"] == "ready_for_decision" and after["ready_reason"] == "contract_ended"
    events = worker_api.get(f"/api/contracts/{c['id']}/timeline").json()
    withdrawn = [e for e in events if e["kind"] == "official_notice_withdrawn"]
    assert [e["detail"]["notice_id"] for e in withdrawn] == [to_worker["id"]]
    assert not [
        d
        for d in worker_api.get(f"/api/contracts/{c['id']}").json()["deadlines"]
        if d["kind"] == "support_notice_lapse"
    ]
    refused(
        lambda: staff.post(f"/api/support-cases/{got['id']}/decide", {"decision": "cancel"}), 409, "not_in_progress"
    )
    r = staff.post(f"/api/support-cases/{got['id']}/close", {"reason": "検収済みのため完了"})
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["decision"] is None


def test_a_second_notice_to_the_same_party_waits(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api)
    got = open_case(worker_api, c["id"])
    send_notice(staff, got["id"], "client")
    refused(
        lambda: staff.post(f"/api/support-cases/{got['id']}/notices", {"to": "client", "body": "再送"}),
        409,
        "request_open",
    )
    assert send_notice(staff, got["id"], "worker")["to"] == "worker"  # the other party may be asked too


def test_lists_and_detail_by_role(client_api: Api, worker_api: Api, staff: Api) -> None:
    other_client, other_worker = signup("client"), signup("worker")
    mine = make_contract(client_api, worker_api)
    theirs = make_contract(other_client, other_worker)
    a = open_case(worker_api, mine["id"])
    b = open_case(other_client, theirs["id"])
    staff.post(f"/api/support-cases/{a['id']}/notes", {"body": "内部メモ：クライアントに電話予定"})
    send_notice(staff, b["id"], "worker")
    # Staff: everything, what needs attention first (open cases at once; b waits for its notice).
    assert [x["id"] for x in staff.get("/api/support-cases").json()] == [a["id"], b["id"]]
    assert [x["id"] for x in staff.get("/api/support-cases?status=awaiting_response").json()] == [b["id"]]
    # Parties: the cases on their own contracts, both sides.
    for api in (client_api, worker_api):
        assert [x["id"] for x in api.get("/api/support-cases").json()] == [a["id"]]
    party_view: dict[str, Any] = case(client_api, a["id"])
    assert "notes" not in party_view  # staff notes are internal
    assert party_view["timeline_url"] == f"/api/contracts/{mine['id']}/timeline"
    staff_view = case(staff, a["id"])
    assert [n["body"] for n in staff_view["notes"]] == ["内部メモ：クライアントに電話予定"]
    # The timeline records that a note was added, never what it says.
    events = client_api.get(f"/api/contracts/{mine['id']}/timeline").json()
    note_events = [e for e in events if e["kind"] == "support_note_added"]
    assert len(note_events) == 1 and "body" not in note_events[0]["detail"]
    assert note_events[0]["actor_role"] == "staff"


def test_idempotency_key_on_open(client_api: Api, worker_api: Api) -> None:
    c = make_contract(client_api, worker_api)
    url = f"/api/contracts/{c['id']}/support-cases"
    first = client_api.post(url, {"kind": "other", "body": "質問です"}, headers={"Idempotency-Key": "k1"})
    again = client_api.post(url, {"kind": "other", "body": "質問です"}, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
