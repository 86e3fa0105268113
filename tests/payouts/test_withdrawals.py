"""Withdrawal requests, cancels, batches, confirmation and returns through the API (DOMAIN §10)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from chukai.accounts.models import User
from chukai.ledger.models import LedgerTransaction
from chukai.payments.gateway import SandboxGateway
from chukai.payouts import services
from chukai.payouts.models import BankAccount, PayoutAudit, PayoutBatch, Withdrawal
from tests.conftest import Api, make_contract, signup
from tests.foundation.conftest import refused
from tests.payouts.helpers import balance_summary, earn, put_account, staff, withdraw
from tests.stories.helpers import check_invariants, notification_kinds
from tests.support.helpers import decide, funded, open_case

EARNED = 20_000 - 20_000 * 165 // 1000  # a ¥20,000 lancers milestone: 16,700 after the worker fee


def _worker_with_earnings(clock: Any, *, account: bool = True) -> Api:
    client, worker = signup("client"), signup("worker")
    earn(client, worker, 20_000)
    if account:
        assert put_account(worker).status_code == 200
    return worker


def test_refusals_say_why_and_change_nothing(clock):
    worker = _worker_with_earnings(clock, account=False)
    refused(lambda: withdraw(worker, 5_000), 409, "no_bank_account")
    put_account(worker)
    body = refused(lambda: withdraw(worker, 999), 409, "below_minimum")
    assert body["minimum_jpy"] == 1_000
    body = refused(lambda: withdraw(worker, EARNED + 1), 409, "insufficient_balance")
    assert body["balance_jpy"] == EARNED
    refused(lambda: withdraw(worker, "lots"), 422)
    assert withdraw(worker, 1_000).status_code == 201  # the minimum itself is fine
    assert withdraw(worker, EARNED - 1_000).status_code == 201  # and so is the whole rest
    refused(lambda: withdraw(worker, 1_000), 409, "insufficient_balance")
    assert balance_summary(worker) == {
        "balance_jpy": 0,
        "pending_withdrawals_jpy": EARNED,
        "next_pay_date": "2026-09-30",
    }
    check_invariants()


def test_cancel_until_the_cutoff_gives_the_amount_back(clock):
    worker = _worker_with_earnings(clock)
    first = withdraw(worker, 5_000).json()
    second = withdraw(worker, 6_000).json()
    assert first["cutoff_at"].startswith("2026-09-15T23:59:59")
    assert [w["cancellable"] for w in worker.get("/api/me/withdrawals").json()] == [True, True]
    other = signup("other")
    refused(lambda: other.post(f"/api/withdrawals/{first['id']}/cancel"), 404)
    r = worker.post(f"/api/withdrawals/{first['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert balance_summary(worker)["balance_jpy"] == EARNED - 6_000
    refused(lambda: worker.post(f"/api/withdrawals/{first['id']}/cancel"), 409, "invalid_state")
    clock.set("2026-09-15T23:59:00+09:00")
    assert worker.get("/api/me/withdrawals").json()[0]["cancellable"] is True
    clock.set("2026-09-16T00:00:00+09:00")
    assert worker.get("/api/me/withdrawals").json()[0]["cancellable"] is False
    refused(lambda: worker.post(f"/api/withdrawals/{second['id']}/cancel"), 409, "invalid_state")
    check_invariants()


def test_a_batch_takes_only_requests_past_their_cutoff_and_only_staff_build_it(clock):
    worker = _worker_with_earnings(clock)
    office = staff()
    early = withdraw(worker, 5_000).json()
    refused(lambda: worker.post("/api/payout-batches", {"pay_date": "2026-09-30"}), 403)
    refused(lambda: office.post("/api/payout-batches", {"pay_date": "2026-09-30"}), 409, "nothing_due")  # cutoff ahead
    clock.set("2026-09-16T10:00:00+09:00")
    late = withdraw(worker, 3_000).json()  # paid on 15 October
    assert late["pay_date"] == "2026-10-15"
    made = office.post("/api/payout-batches", {"pay_date": "2026-09-30"}, headers={"Idempotency-Key": "b1"})
    assert made.status_code == 201, made.content
    again = office.post("/api/payout-batches", {"pay_date": "2026-09-30"}, headers={"Idempotency-Key": "b1"})
    assert again.json()["id"] == made.json()["id"] and PayoutBatch.objects.count() == 1
    assert [w.pk for w in Withdrawal.objects.filter(status="in_batch")] == [early["id"]]
    refused(lambda: worker.post(f"/api/withdrawals/{early['id']}/cancel"), 409, "invalid_state")
    refused(lambda: worker.get(f"/api/payout-batches/{made.json()['id']}/zengin"), 403)
    refused(lambda: worker.post(f"/api/payout-batches/{made.json()['id']}/confirm"), 403)
    check_invariants()


def _paid(clock: Any, amount: int = 5_000) -> tuple[Api, Api, dict[str, Any], dict[str, Any]]:
    worker = _worker_with_earnings(clock)
    w = withdraw(worker, amount).json()
    clock.set("2026-09-29T10:00:00+09:00")
    office = staff()
    batch = office.post("/api/payout-batches", {"pay_date": "2026-09-30"}).json()
    r = office.post(f"/api/payout-batches/{batch['id']}/confirm")
    assert r.status_code == 200, r.content
    return worker, office, w, batch


def test_confirming_twice_pays_once(clock):
    worker, office, w, batch = _paid(clock)
    posted = LedgerTransaction.objects.count()
    r = office.post(f"/api/payout-batches/{batch['id']}/confirm")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert LedgerTransaction.objects.count() == posted
    assert Withdrawal.objects.get(pk=w["id"]).gateway_reference.startswith("sbx_")
    assert notification_kinds(worker).count("payout_paid") == 1
    check_invariants()


class RecordingBank(SandboxGateway):
    """A bank outside our database: it remembers every key it paid, across our rollbacks."""

    paid: dict[str, int] = {}
    calls: list[str] = []

    def payout(self, *, user_id: int, amount_jpy: int, key: str) -> str:
        RecordingBank.calls.append(key)
        RecordingBank.paid.setdefault(key, amount_jpy)  # a key is paid once, whatever the repeats
        return f"bank_{key}"


class Crash(Exception):
    pass


@pytest.mark.parametrize("crash_at", ["second_ledger_post", "after_batch_confirmed"])
def test_a_crash_during_confirmation_never_pays_twice_nor_loses_a_withdrawal(clock, monkeypatch, crash_at):
    RecordingBank.paid, RecordingBank.calls = {}, []
    monkeypatch.setattr(services, "get_gateway", RecordingBank)
    a, b = _worker_with_earnings(clock), _worker_with_earnings(clock)
    wa, wb = withdraw(a, 5_000).json(), withdraw(b, 7_000).json()
    clock.set("2026-09-29T10:00:00+09:00")
    office = staff()
    batch = office.post("/api/payout-batches", {"pay_date": "2026-09-30"}).json()
    staff_user = User.objects.get(is_staff=True, email__startswith="payout-staff")

    real_post, real_audit = services.transaction_post, services._audit

    def post_then_crash(**kw: Any) -> Any:
        if crash_at == "second_ledger_post" and kw["key"] == f"payout:{wb['id']}":
            raise Crash("power cut")
        return real_post(**kw)

    def audit_then_crash(staff: Any, action: str, **kw: Any) -> None:
        real_audit(staff, action, **kw)
        if crash_at == "after_batch_confirmed" and action == "batch_confirm":
            raise Crash("power cut")

    monkeypatch.setattr(services, "transaction_post", post_then_crash)
    monkeypatch.setattr(services, "_audit", audit_then_crash)
    with pytest.raises(Crash):
        services.payout_batch_confirm(staff=staff_user, batch_id=batch["id"])
    # Nothing half-done in our books: both still in the batch, nothing posted, the batch not confirmed.
    assert sorted(Withdrawal.objects.values_list("status", flat=True)) == ["in_batch", "in_batch"]
    assert not LedgerTransaction.objects.filter(kind="payout").exists()
    assert PayoutBatch.objects.get().status == "created"
    check_invariants()

    monkeypatch.setattr(services, "transaction_post", real_post)
    monkeypatch.setattr(services, "_audit", real_audit)
    r = office.post(f"/api/payout-batches/{batch['id']}/confirm")  # the staff member presses again
    assert r.status_code == 200, r.content
    assert office.post(f"/api/payout-batches/{batch['id']}/confirm").status_code == 200  # and once more
    assert RecordingBank.paid == {f"payout:{wa['id']}": 4_500, f"payout:{wb['id']}": 6_500}
    assert set(RecordingBank.calls) == set(RecordingBank.paid)  # every call carried a key already known
    assert LedgerTransaction.objects.filter(kind="payout").count() == 2
    assert sorted(Withdrawal.objects.values_list("status", flat=True)) == ["paid", "paid"]
    assert Withdrawal.objects.get(pk=wa["id"]).gateway_reference == f"bank_payout:{wa['id']}"
    check_invariants()


def test_a_returned_transfer_gives_back_the_whole_amount_and_asks_to_fix_the_account(clock):
    worker, office, w, batch = _paid(clock)
    refused(lambda: worker.post(f"/api/withdrawals/{w['id']}/return", {"reason": "x"}), 403)
    refused(lambda: office.post(f"/api/withdrawals/{w['id']}/return", {"reason": ""}), 422)
    r = office.post(f"/api/withdrawals/{w['id']}/return", {"reason": "口座解約済み / account closed"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "returned"
    assert balance_summary(worker)["balance_jpy"] == EARNED  # 5,000 back, the ¥500 fee included
    assert "payout_returned" in notification_kinds(worker)
    refused(lambda: office.post(f"/api/withdrawals/{w['id']}/return", {"reason": "again"}), 409, "invalid_state")
    assert worker.get("/api/me/bank-account").json()["needs_fix"] is True
    refused(lambda: withdraw(worker, 2_000), 409, "no_bank_account")
    assert put_account(worker, account_number="7654321").status_code == 200
    assert withdraw(worker, 2_000).status_code == 201
    audit = PayoutAudit.objects.filter(action="withdrawal_return").get()
    assert audit.withdrawal_id == w["id"] and audit.staff.is_staff and audit.at is not None
    check_invariants()


def test_a_return_after_the_account_was_replaced_goes_to_the_balance_not_the_new_account(clock):
    worker, office, w, batch = _paid(clock)
    old = BankAccount.objects.get(user_id=worker.user_id)
    assert put_account(worker, account_number="7654321").status_code == 200
    r = office.post(f"/api/withdrawals/{w['id']}/return", {"reason": "名義相違 / wrong name"})
    assert r.status_code == 200
    assert balance_summary(worker) == {
        "balance_jpy": EARNED,
        "pending_withdrawals_jpy": 0,
        "next_pay_date": "2026-10-15",
    }
    assert Withdrawal.objects.filter(user_id=worker.user_id).count() == 1  # nothing sent on by itself
    assert Withdrawal.objects.get().bank_account_id == old.pk
    assert BankAccount.objects.get(pk=old.pk).returned_at is not None
    assert worker.get("/api/me/bank-account").json()["needs_fix"] is False  # the new one is fine
    check_invariants()


def test_statement_month_filter_earnings_and_csv(clock):
    worker, office, w, batch = _paid(clock)
    clock.set("2026-10-01T08:00:00+09:00")  # before the token issued on 1 September expires
    cancelled = withdraw(worker, 1_000).json()
    worker.post(f"/api/withdrawals/{cancelled['id']}/cancel")
    rows = worker.get("/api/me/statement").json()
    assert [(r["kind"], r["amount_jpy"], r["balance_after_jpy"]) for r in rows] == [
        ("release", EARNED, EARNED),
        ("withdrawal", -5_000, EARNED - 5_000),
        ("withdrawal", -1_000, EARNED - 6_000),
        ("withdrawal_cancel", 1_000, EARNED - 5_000),
    ]
    october = worker.get("/api/me/statement?month=2026-10").json()
    assert [r["kind"] for r in october] == ["withdrawal", "withdrawal_cancel"]
    assert october[0]["balance_after_jpy"] == EARNED - 6_000  # the balance after, counted from the start
    assert worker.get("/api/me/statement?month=2026-13").status_code == 422
    months = worker.get("/api/me/earnings").json()
    assert months[-1] == {"month": "2026-09", "credits_jpy": EARNED, "debits_jpy": 5_000, "earnings_jpy": EARNED}

    r = worker.get("/api/me/statement?format=csv")
    assert r["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0][:4] == ["日時", "種類", "金額（円）", "残高（円）"]
    assert table[1][0] == "2026-09-01 09:00"  # JST
    assert table[2][1] == "出金申請" and table[2][2] == "-5000" and table[2][5] == str(w["id"])

    User.objects.filter(pk=worker.user_id).update(locale="en", time_zone="America/New_York")
    en = list(csv.reader(io.StringIO(worker.get("/api/me/statement?format=csv").content.decode("utf-8-sig"))))
    assert en[0][:3] == ["Date and time", "Kind", "Amount (JPY)"]
    assert en[1][0] == "2026-08-31 20:00"  # the same instant in New York
    assert en[2][1] == "Withdrawal requested"


def test_a_clients_statement_shows_the_refund_and_the_escrow_funded_from_it(clock):
    client, worker = signup("client"), signup("worker")
    first = funded(client, worker, policy="crowdworks", milestones=[{"title": "設計", "amount_jpy": 30_000}])
    case = open_case(client, first["id"], "dispute")
    decide(staff(), case["id"], "split", pay_worker_jpy=0)
    second = make_contract(client, worker, policy="crowdworks", milestones=[{"title": "実装", "amount_jpy": 20_000}])
    r = client.post(f"/api/contracts/{second['id']}/milestones/{second['milestones'][0]['id']}/fund")
    assert r.status_code == 200, r.content
    rows = client.get("/api/me/statement").json()
    assert [(r["kind"], r["amount_jpy"], r["balance_after_jpy"], r["contract_id"]) for r in rows] == [
        ("refund", 30_000, 30_000, first["id"]),
        ("fund", -20_000, 10_000, second["id"]),
    ]
    assert rows[1]["description"].startswith("仮払い（残高から）")
    check_invariants()
