"""The stories of DOMAIN §9 (S1, S1b, S2, S2b, S3), end to end through the HTTP API.

Each reads as the rule it documents. Time moves only through the manual clock
(POST /api/_clock), which applies every deadline due on the way.
"""

from __future__ import annotations

from tests.conftest import make_contract, signup
from tests.stories.helpers import (
    balance,
    check_invariants,
    contract,
    notification_kinds,
    penalty_marks,
    platform_fees,
    say,
)

AMOUNT = 50_000


def _s1_until_filing(clock, policy="lancers"):
    """Seed 000: the month's details, the worker's answer, then two weeks of silence from the client."""
    client, worker = signup("client"), signup("worker")
    c = make_contract(client, worker, policy=policy, milestones=[{"title": "9月分 記事", "amount_jpy": AMOUNT}])
    cid = c["id"]
    assert c["status"] == "awaiting_escrow"
    say(client, cid, "今月分の詳細です。KW・文字数・納期は以下の通りです。")
    clock.advance(hours=2)
    say(worker, cid, "承知しました、後ほど仮払い対応お願いします")

    # Not yet: the worker's message has waited less than 7 days; the API says when it will be possible.
    clock.advance(days=3)
    refused = worker.post(f"/api/contracts/{cid}/contact-reminders")
    assert refused.status_code == 409
    assert refused.json()["code"] == "too_soon"
    assert refused.json()["available_at"] is not None
    assert contract(worker, cid)["actions"]["contact_reminder"]["reason"] == "too_soon"

    for day in range(5):  # five messages over the two weeks, none read
        clock.advance(days=2)
        say(worker, cid, f"お世話になっております。ご確認いただけますでしょうか（{day + 1}回目）")
    reach = worker.get(f"/api/contracts/{cid}/reachability").json()
    assert reach["unread_from_you"] == 6
    assert reach["unanswered_from_you"] == 6
    clock.advance(days=1)

    preview = worker.get(f"/api/contracts/{cid}/contact-reminders/preview").json()
    assert preview["available"] is True
    assert preview["outcome"]["contract_status"] == "cancelled"
    assert [m["becomes"] for m in preview["outcome"]["milestones"]] == ["cancelled"]
    assert preview["advice"] is None  # nothing escrowed: delivering first would not change anything

    filed = worker.post(f"/api/contracts/{cid}/contact-reminders")
    assert filed.status_code == 201, filed.content
    reminder = filed.json()
    assert reminder["status"] == "open"
    assert reminder["applicant_id"] == worker.user_id
    assert reminder["respondent_id"] == client.user_id
    assert "contact_reminder_filed" in notification_kinds(client)
    deadlines = contract(worker, cid)["deadlines"]
    assert {"kind": "contact_reminder_expire"}.items() <= deadlines[0].items()
    return client, worker, cid, reminder


def test_s1_client_answers_30_minutes_after_the_reminder(clock):
    client, worker, cid, reminder = _s1_until_filing(clock)
    clock.advance(minutes=30)
    say(client, cid, "大変失礼いたしました。本日仮払いいたします。")
    answered = worker.get(f"/api/contact-reminders/{reminder['id']}").json()
    assert answered["status"] == "answered"
    assert answered["answered_at"] is not None
    assert answered["response_seconds"] == 30 * 60

    c = contract(client, cid)
    r = client.post(f"/api/contracts/{cid}/milestones/{c['milestones'][0]['id']}/fund")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "in_progress"
    proposal = worker.post(f"/api/contracts/{cid}/due-date-changes", {"due_date": "2026-10-15"})
    assert proposal.status_code == 201, proposal.content
    agreed = client.post(f"/api/due-date-changes/{proposal.json()['id']}/accept")
    assert agreed.status_code == 200, agreed.content
    assert agreed.json()["due_date"] == "2026-10-15"

    # The old deadline passes: nothing happens, nobody is marked.
    fired = clock.advance(days=8)
    assert contract(worker, cid)["status"] == "in_progress"
    assert worker.get(f"/api/contact-reminders/{reminder['id']}").json()["status"] == "answered"
    assert penalty_marks(worker, client.user_id) == []
    assert "contact_reminder_answered" in notification_kinds(worker)
    assert fired["fired"] >= 0
    assert balance(client) == 0 and balance(worker) == 0
    check_invariants()


def test_s1b_client_never_answers_contract_cancelled_and_client_marked(clock):
    client, worker, cid, reminder = _s1_until_filing(clock)
    clock.advance(days=6, hours=23)
    assert contract(worker, cid)["status"] == "awaiting_escrow"  # one hour left
    clock.advance(hours=1)
    c = contract(worker, cid)
    assert c["status"] == "cancelled"
    assert c["end_cause"] == "silence"
    assert c["ended_by_id"] == client.user_id
    assert [m["status"] for m in c["milestones"]] == ["cancelled"]
    assert worker.get(f"/api/contact-reminders/{reminder['id']}").json()["status"] == "expired"
    marks = penalty_marks(worker, client.user_id)
    assert [(m["kind"], m["contract_id"]) for m in marks] == [("unresponsive", cid)]
    assert penalty_marks(client, worker.user_id) == []
    assert "contact_reminder_expired" in notification_kinds(worker)
    assert "contact_reminder_expired" in notification_kinds(client)
    assert balance(client) == 0 and balance(worker) == 0 and platform_fees() == 0
    check_invariants()


def _funded_lancers(clock):
    client, worker = signup("client"), signup("worker")
    c = make_contract(client, worker, policy="lancers", milestones=[{"title": "LP制作", "amount_jpy": AMOUNT}])
    cid, mid = c["id"], c["milestones"][0]["id"]
    r = client.post(f"/api/contracts/{cid}/milestones/{mid}/fund")
    assert r.status_code == 200, r.content
    assert r.json()["escrow_jpy"] == AMOUNT + AMOUNT * 55 // 1000  # 5.5 % client fee held with it
    say(client, cid, "よろしくお願いします。")
    clock.advance(days=1)
    say(worker, cid, "作業が完了しました。ご確認ください。")
    clock.advance(days=7)
    return client, worker, cid, mid


def test_s2_worker_delivers_then_files_and_is_paid(clock):
    client, worker, cid, mid = _funded_lancers(clock)
    before = worker.get(f"/api/contracts/{cid}/contact-reminders/preview").json()
    assert before["advice"] == "deliver_first"  # seed 002: report completion first
    assert before["outcome"]["milestones"][0]["becomes"] == "refunded"

    r = worker.post(f"/api/contracts/{cid}/milestones/{mid}/deliver", {"message": "納品いたします"})
    assert r.status_code == 200, r.content
    preview = worker.get(f"/api/contracts/{cid}/contact-reminders/preview").json()
    assert preview["advice"] is None
    worker_fee = AMOUNT * 165 // 1000
    assert preview["outcome"]["milestones"][0] == {
        **preview["outcome"]["milestones"][0],
        "becomes": "paid",
        "worker_jpy": AMOUNT - worker_fee,
        "client_jpy": 0,
    }
    assert preview["outcome"]["contract_status"] == "completed"
    filed = worker.post(f"/api/contracts/{cid}/contact-reminders")
    assert filed.status_code == 201, filed.content

    clock.advance(days=7)
    c = contract(worker, cid)
    assert c["status"] == "completed"
    assert c["milestones"][0]["status"] == "paid"
    assert c["end_cause"] == "silence" and c["ended_by_id"] == client.user_id
    assert balance(worker) == AMOUNT - worker_fee == 41_750
    assert balance(client) == 0
    assert platform_fees() == worker_fee + AMOUNT * 55 // 1000 == 11_000
    assert [m["kind"] for m in penalty_marks(worker, client.user_id)] == ["unresponsive"]
    assert "contact_reminder_expired" in notification_kinds(worker)
    assert c["milestones"][0]["worker_paid_jpy"] == preview["outcome"]["milestones"][0]["worker_jpy"]
    check_invariants()


def test_s2b_filing_without_delivery_refunds_the_client_and_the_preview_said_so(clock):
    client, worker, cid, mid = _funded_lancers(clock)
    preview = worker.get(f"/api/contracts/{cid}/contact-reminders/preview").json()
    assert preview["advice"] == "deliver_first"
    assert preview["outcome"]["contract_status"] == "cancelled"
    assert preview["outcome"]["milestones"][0]["becomes"] == "refunded"
    assert preview["outcome"]["milestones"][0]["worker_jpy"] == 0
    refund = preview["outcome"]["milestones"][0]["client_jpy"]
    assert refund == AMOUNT + AMOUNT * 55 // 1000

    assert worker.post(f"/api/contracts/{cid}/contact-reminders").status_code == 201
    clock.advance(days=7)
    c = contract(worker, cid)
    assert c["status"] == "cancelled"
    assert c["milestones"][0]["status"] == "refunded"
    assert balance(worker) == 0
    assert balance(client) == refund
    assert platform_fees() == 0
    assert [m["kind"] for m in penalty_marks(worker, client.user_id)] == ["unresponsive"]
    check_invariants()


def test_s3_crowdworks_termination_takes_effect_after_seven_silent_days(clock):
    client, worker = signup("client"), signup("worker")
    c = make_contract(client, worker, policy="crowdworks", milestones=[{"title": "記事", "amount_jpy": AMOUNT}])
    cid, mid = c["id"], c["milestones"][0]["id"]
    assert client.post(f"/api/contracts/{cid}/milestones/{mid}/fund").status_code == 200
    # No contact reminder under this policy; early termination instead.
    assert contract(worker, cid)["actions"]["contact_reminder"]["reason"] == "not_allowed_by_policy"
    r = worker.post(f"/api/contracts/{cid}/termination-requests", {"reason": "クライアントと連絡が取れないため"})
    assert r.status_code == 201, r.content
    req = r.json()
    assert req["status"] == "open"
    assert req["takes_effect_at"].startswith("2026-09-08")
    assert "termination_requested" in notification_kinds(client)

    clock.advance(days=6)
    assert contract(worker, cid)["status"] == "in_progress"
    clock.advance(days=1)
    c = contract(worker, cid)
    assert c["status"] == "cancelled"
    assert c["milestones"][0]["status"] == "refunded"
    assert c["end_cause"] == "silence" and c["ended_by_id"] == client.user_id
    assert worker.get(f"/api/termination-requests/{req['id']}").json()["status"] == "took_effect"
    assert balance(client) == AMOUNT  # refunded in full, no client fee under crowdworks
    assert balance(worker) == 0
    assert platform_fees() == 0
    assert "termination_took_effect" in notification_kinds(worker)
    check_invariants()
