"""Official notices: deadlines by the policy's days, answered by the addressee's message or action,
lapsing into ready_for_decision, late answers not counting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from chukai import clock as chukai_clock
from chukai.deadlines.services import deadlines_run_due
from tests.conftest import Api
from tests.support.helpers import case, funded, open_case, send_notice, timeline_kinds


def _at(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))


def test_answered_by_a_message(
    clock: Any, client_api: Api, worker_api: Api, staff: Api, notified: list[dict[str, Any]]
) -> None:
    c = funded(client_api, worker_api, policy="crowdworks")
    got = open_case(worker_api, c["id"], "unresponsive")
    send_notice(staff, got["id"], "client")
    clock.advance(days=2)
    # The worker (not the addressee) writing does not answer a notice to the client.
    r = worker_api.post(f"/api/contracts/{c['id']}/messages", {"body": "ご確認お願いします"})
    assert r.status_code == 201, r.content
    assert case(staff, got["id"])["status"] == "awaiting_response"
    r = client_api.post(f"/api/contracts/{c['id']}/messages", {"body": "遅くなりすみません、確認します。"})
    assert r.status_code == 201, r.content
    after = case(staff, got["id"])
    assert after["status"] == "open"  # back to staff, who read the answer
    assert after["notices"][0]["status"] == "answered"
    assert _at(after["notices"][0]["answered_at"]) == _at(after["notices"][0]["sent_at"]) + dt.timedelta(days=2)
    assert any(n["kind"] == "official_notice_answered" and n["user_id"] == worker_api.user_id for n in notified)
    events = [
        e
        for e in worker_api.get(f"/api/contracts/{c['id']}/timeline").json()
        if e["kind"] == "official_notice_answered"
    ]
    assert len(events) == 1 and events[0]["detail"]["response_seconds"] == 2 * 86400
    assert events[0]["actor"] == client_api.user_id
    # Its deadline no longer runs: moving past it changes nothing.
    clock.advance(days=5)
    assert case(staff, got["id"])["status"] == "open"
    assert "support_notice_lapse" not in [
        d["kind"] for d in client_api.get(f"/api/contracts/{c['id']}").json()["deadlines"]
    ]
    assert "official_notice_lapsed" not in timeline_kinds(staff, c["id"])


def test_answered_by_a_contract_action(clock: Any, client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api, policy="crowdworks")
    got = open_case(client_api, c["id"], "unresponsive")
    send_notice(staff, got["id"], "worker")
    clock.advance(hours=5)
    r = worker_api.post(f"/api/contracts/{c['id']}/due-date-changes", {"due_date": "2026-12-24"})
    assert r.status_code == 201, r.content
    after = case(client_api, got["id"])
    assert after["notices"][0]["status"] == "answered" and after["status"] == "open"


def test_notice_lapses_into_ready_for_decision(
    clock: Any, client_api: Api, worker_api: Api, staff: Api, notified: list[dict[str, Any]]
) -> None:
    c = funded(client_api, worker_api, policy="lancers")
    got = open_case(worker_api, c["id"], "unresponsive")
    notice = send_notice(staff, got["id"], "client", respond_within_days=3)
    assert _at(notice["respond_by"]) == _at(notice["sent_at"]) + dt.timedelta(days=3)
    listed = staff.get("/api/support-cases").json()[0]
    assert listed["respond_by"] == notice["respond_by"] and listed["attention_at"] == notice["respond_by"]
    r = clock.advance(days=3)
    assert r["fired"] >= 1
    after = case(staff, got["id"])
    assert after["status"] == "ready_for_decision" and after["ready_reason"] == "notice_lapsed"
    assert after["respond_by"] is None and after["notices"][0]["status"] == "lapsed"
    lapsed = [n for n in notified if n["kind"] == "official_notice_lapsed"]
    assert [n["user_id"] for n in lapsed] == [client_api.user_id] and lapsed[0]["official"] is True
    # Once lapsed, a late message is just a message.
    assert client_api.post(f"/api/contracts/{c['id']}/messages", {"body": "今見ました"}).status_code == 201
    assert case(staff, got["id"])["status"] == "ready_for_decision"
    # A new notice starts another round.
    send_notice(staff, got["id"], "client")
    assert case(staff, got["id"])["status"] == "awaiting_response"


def test_a_late_worker_applies_the_lapse_as_of_its_due_time(
    clock: Any, client_api: Api, worker_api: Api, staff: Api
) -> None:
    """The deadline worker is behind: the addressee acts after the deadline but before the worker runs.
    The answer came too late, so the lapse still applies."""
    c = funded(client_api, worker_api, policy="crowdworks")
    got = open_case(worker_api, c["id"], "unresponsive")
    notice = send_notice(staff, got["id"], "client")
    with transaction.atomic():  # move the manual clock without running the deadlines on the way
        chukai_clock.manual_set(_at(notice["respond_by"]) + dt.timedelta(minutes=1))
    r = client_api.post(f"/api/contracts/{c['id']}/messages", {"body": "遅れてすみません"})
    assert r.status_code == 201, r.content
    assert case(staff, got["id"])["notices"][0]["status"] == "running"
    assert deadlines_run_due() >= 1
    after = case(staff, got["id"])
    assert after["notices"][0]["status"] == "lapsed" and after["status"] == "ready_for_decision"
    lapse = [e for e in staff.get(f"/api/contracts/{c['id']}/timeline").json() if e["kind"] == "official_notice_lapsed"]
    assert _at(lapse[0]["at"]) == _at(notice["respond_by"])  # as of its due time


def test_business_days_where_the_policy_says_so(clock: Any, client_api: Api, worker_api: Api, staff: Api) -> None:
    """chukai policy: 5 business days. From Friday 20 Nov 2026, Monday 23 Nov is a holiday (勤労感謝の日)."""
    clock.set("2026-11-20T10:00:00+09:00")
    c = funded(client_api, worker_api, policy="chukai")
    got = open_case(worker_api, c["id"], "unresponsive")
    notice = send_notice(staff, got["id"], "client")
    assert _at(notice["respond_by"]) == _at("2026-11-30T10:00:00+09:00")
    events = [e for e in staff.get(f"/api/contracts/{c['id']}/timeline").json() if e["kind"] == "official_notice_sent"]
    assert events[0]["detail"]["business_days"] is True and events[0]["detail"]["days"] == 5
    # crowdworks counts calendar days.
    c2 = funded(client_api, worker_api, policy="crowdworks")
    got2 = open_case(worker_api, c2["id"], "unresponsive")
    assert _at(send_notice(staff, got2["id"], "client")["respond_by"]) == _at("2026-11-25T10:00:00+09:00")


def test_reachability_lists_the_open_case(clock: Any, client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api, policy="crowdworks")
    got = open_case(worker_api, c["id"], "unresponsive")
    notice = send_notice(staff, got["id"], "client")
    r = client_api.get(f"/api/contracts/{c['id']}/reachability")
    assert r.status_code == 200, r.content
    rows = [x for x in r.json()["open_requests"] if x["kind"] == "support_case"]
    assert len(rows) == 1 and rows[0]["id"] == got["id"]
    assert _at(rows[0]["deadline_at"]) == _at(notice["respond_by"]) and rows[0]["notice_to_you"] is True


def test_escalation_while_a_notice_runs(clock: Any, client_api: Api, worker_api: Api, staff: Api) -> None:
    """The opener may escalate at any time; the notice keeps running and an answer is still recorded."""
    c = funded(client_api, worker_api, policy="crowdworks")
    got = open_case(worker_api, c["id"], "dispute")
    send_notice(staff, got["id"], "client")
    r = worker_api.post(f"/api/support-cases/{got['id']}/escalate", {"body": "急ぎです"})
    assert r.status_code == 200 and r.json()["status"] == "ready_for_decision"
    assert r.json()["notices"][0]["status"] == "running"
    assert client_api.post(f"/api/contracts/{c['id']}/messages", {"body": "対応します"}).status_code == 201
    after = case(staff, got["id"])
    assert after["notices"][0]["status"] == "answered" and after["status"] == "ready_for_decision"
