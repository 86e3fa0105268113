"""DOMAIN §14 S5, end to end through the HTTP API with the manual clock.

A worker paid ¥200,000 under the `lancers` policy on 10 June 2030 (JST) registers
their bank account and asks to withdraw everything; the pay day is Friday 28 June
2030 (30 June is a Sunday); staff build the batch, download the Zengin file,
confirm; the worker's balance is 0 and their statement shows the payout.
"""

from __future__ import annotations

from chukai.payments.models import SandboxCharge
from chukai.payouts.models import PayoutAudit
from tests.conftest import signup
from tests.payouts.helpers import balance_summary, earn, put_account, staff, withdraw
from tests.payouts.zengin_reader import read
from tests.stories.helpers import check_invariants, notification_kinds

CONTRACT = 200_000
FEE_LANCERS = CONTRACT * 165 // 1000  # 16.5 % worker fee
EARNED = CONTRACT - FEE_LANCERS


def test_s5_worker_withdraws_everything_and_is_paid_on_friday_28_june(clock):
    clock.set("2030-06-10T11:00:00+09:00")
    client, worker = signup("client"), signup("worker")
    earn(client, worker, CONTRACT, policy="lancers", title="6月分 記事")
    assert balance_summary(worker)["balance_jpy"] == EARNED == 167_000
    assert "payment_received" in notification_kinds(worker)
    check_invariants()

    r = put_account(worker)
    assert r.status_code == 200, r.content
    account = r.json()
    assert account["account_number_masked"] == "****567"
    assert account["holder_kana"] == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert account["bank_name"] == "みずほ"

    quote = worker.get(f"/api/me/withdrawal-quote?amount_jpy={EARNED}").json()
    asked = withdraw(worker, EARNED, headers={"Idempotency-Key": "s5-withdraw"})
    assert asked.status_code == 201, asked.content
    w = asked.json()
    assert w["status"] == "requested"
    assert (w["amount_jpy"], w["fee_jpy"], w["net_jpy"]) == (167_000, 500, 166_500)
    assert w["pay_date"] == "2030-06-28" == quote["pay_date"]  # 30 June 2030 is a Sunday
    assert quote["net_jpy"] == w["net_jpy"]
    again = withdraw(worker, EARNED, headers={"Idempotency-Key": "s5-withdraw"})
    assert again.status_code == 201 and again.json()["id"] == w["id"]  # the repeat is the first answer
    summary = balance_summary(worker)
    assert summary["balance_jpy"] == 0
    assert summary["pending_withdrawals_jpy"] == EARNED
    check_invariants()

    clock.set("2030-06-27T10:00:00+09:00")  # the day before the pay day: the cutoff (15 June) has passed
    staff_api = staff()
    refused = worker.post(f"/api/withdrawals/{w['id']}/cancel")
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_state"
    due = staff_api.get("/api/payout-batches/due?pay_date=2030-06-28").json()
    assert [d["id"] for d in due] == [w["id"]]
    made = staff_api.post("/api/payout-batches", {"pay_date": "2030-06-28"})
    assert made.status_code == 201, made.content
    batch = made.json()
    assert (batch["pay_date"], batch["count"], batch["total_jpy"], batch["status"]) == (
        "2030-06-28",
        1,
        166_500,
        "created",
    )

    file = staff_api.get(f"/api/payout-batches/{batch['id']}/zengin")
    assert file.status_code == 200
    assert file["Content-Type"] == "text/plain; charset=Shift_JIS"
    header, data, trailer, end = read(file.content)
    assert header["kind"] == "1" and header["type_code"] == "21" and header["date"] == "0628"
    assert data["bank_code"] == "0001" and data["branch_code"] == "001"
    assert data["account_number"] == "1234567" and data["account_type"] == "1"
    assert data["holder"].rstrip() == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert int(data["amount"]) == 166_500 and int(data["customer_code1"]) == w["id"]
    assert (int(trailer["count"]), int(trailer["total"])) == (1, 166_500)
    assert end["kind"] == "9"

    confirmed = staff_api.post(f"/api/payout-batches/{batch['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "confirmed"
    assert [x["status"] for x in confirmed.json()["withdrawals"]] == ["paid"]
    assert SandboxCharge.objects.filter(kind="payout", user_id=worker.user_id, amount_jpy=166_500).count() == 1
    assert "payout_paid" in notification_kinds(worker)
    assert list(PayoutAudit.objects.values_list("action", flat=True)) == [
        "batch_create",
        "batch_download",
        "batch_confirm",
    ]
    check_invariants()

    assert balance_summary(worker)["balance_jpy"] == 0
    assert balance_summary(worker)["pending_withdrawals_jpy"] == 0
    rows = worker.get("/api/me/statement").json()
    assert [(r["kind"], r["amount_jpy"], r["balance_after_jpy"]) for r in rows] == [
        ("release", EARNED, EARNED),
        ("withdrawal", -EARNED, 0),
    ]
    assert rows[1]["withdrawal_id"] == w["id"] and rows[1]["withdrawal_status"] == "paid"
    assert rows[0]["contract_id"] is not None
    mine = worker.get("/api/me/withdrawals").json()
    assert [(x["id"], x["status"]) for x in mine] == [(w["id"], "paid")]
