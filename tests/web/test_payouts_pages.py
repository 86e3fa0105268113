"""Money out through the pages (DOMAIN §10): bank account, withdraw with a confirm step, cancel,
statement and CSV; the staff payouts page (build, file, confirm, returned). Japanese and English."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chukai.payouts import selectors as payouts
from chukai.payouts.models import BankAccount, PayoutBatch, Withdrawal
from tests.web.conftest import PASSWORD, page_signup

pytestmark = pytest.mark.django_db  # the cache (login throttling) may live in the database

START = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)  # Monday 10:00 in Tokyo; pay day 2026-11-30
AFTER_CUTOFF = dt.datetime(2026, 11, 16, 1, 0, tzinfo=dt.UTC)  # the 15th's cutoff has passed
BANK = {
    "bank_code": "0005",
    "branch_code": "001",
    "account_type": "ordinary",
    "account_number": "1234567",
    "holder_kana": "サトウ　ユキ",  # full-width, with an ideographic space
}


def _html(r) -> str:
    return r.content.decode()


def _earn(client_id: int, worker_id: int, amount: int = 50_000) -> int:
    """The worker is paid for one milestone (through the services, as the pages call them);
    returns the worker's balance."""
    from chukai.contracts import services as contracts
    from chukai.marketplace.services import job_post, proposal_accept, proposal_submit

    job = job_post(
        client_id=client_id,
        title="SEO記事作成",
        description="月10本",
        budget_jpy=amount,
        pricing="fixed",
        policy="chukai",
    )
    proposal = proposal_submit(
        worker_id=worker_id, job_id=job.pk, amount_jpy=amount, message="よろしくお願いします", milestones=None
    )
    contract = proposal_accept(client_id=client_id, proposal_id=proposal.pk)
    m = contract.milestones.get()
    contracts.milestone_fund(user_id=client_id, contract_id=contract.pk, milestone_id=m.pk)
    contracts.milestone_deliver(user_id=worker_id, contract_id=contract.pk, milestone_id=m.pk, message="納品")
    contracts.milestone_accept(user_id=client_id, contract_id=contract.pk, milestone_id=m.pk)
    return int(payouts.balance_summary(user_id=worker_id)["balance_jpy"])


def _staff() -> Client:
    """The support office, signed in now (sessions may not outlive a jump of the clock)."""
    from chukai.accounts.models import User

    if not User.objects.filter(email="payout-office@example.com").exists():
        User.objects.create_superuser("payout-office@example.com", PASSWORD)
    c = Client()
    assert c.post("/login", {"email": "payout-office@example.com", "password": PASSWORD}).status_code == 302
    return c


def _english(c: Client) -> Client:
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return c


def _messages(r) -> str:
    return " ".join(str(m) for m in r.context["messages"]) if r.context else ""


def _preview_and_confirm(worker: Client, amount: str) -> tuple[str, object]:
    r = worker.post("/balance/withdraw", {"amount_jpy": amount})
    html = _html(r)
    if r.status_code != 200 or "quote" not in r.context:
        return html, r  # refused at the preview: the reason is on this page
    q = r.context["quote"]
    form = {
        "amount_jpy": str(q["amount_jpy"]),
        "fee_jpy": str(q["fee_jpy"]),
        "net_jpy": str(q["net_jpy"]),
        "pay_date": q["pay_date"].isoformat(),
        "confirm": "1",
    }
    return html, worker.post("/balance/withdraw", form, follow=True)


def test_header_links_the_balance_page_for_every_signed_in_user(worker_page):
    worker, _w, _ = worker_page
    html = _html(worker.get("/dashboard"))
    assert 'id="nav-balance"' in html and "残高・出金" in html
    assert Client().get("/balance").status_code == 302  # signed out: to the login


def test_bank_account_errors_field_by_field_then_saved_masked_in_half_width(worker_page):
    worker, uid, _ = worker_page
    r = worker.post(
        "/bank-account",
        {
            "bank_code": "12",
            "branch_code": "x",
            "account_type": "ordinary",
            "account_number": "12345678",
            "holder_kana": "さとう",
        },
    )
    assert r.status_code == 422
    html = _html(r)
    assert "金融機関コードは4桁の数字で入力してください。" in html
    assert "支店コードは3桁の数字で入力してください。" in html
    assert "口座番号は7桁以内の数字で入力してください。" in html
    assert "ひらがなは使えません" in html
    assert " / The bank code" not in html  # the reader's language only
    assert not BankAccount.objects.filter(user_id=uid).exists()
    # English: the same refusal in English.
    r = _english(worker).post("/bank-account", {**BANK, "bank_code": "12"})
    assert r.status_code == 422 and "The bank code is 4 digits." in _html(r) and "金融機関コード" not in _html(r)
    worker.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"

    r = worker.post("/bank-account", BANK, follow=True)
    assert r.redirect_chain[-1][0] == "/balance"
    msg = _messages(r)
    assert "振込先口座を保存しました" in msg and "****567" in msg and "ｻﾄｳ ﾕｷ" in msg
    html = _html(worker.get("/bank-account"))
    assert 'id="masked-number">****567<' in html and "三菱ＵＦＪ" in html and "本店" in html
    assert "1234567" not in html  # the page shows the number masked
    acct = BankAccount.objects.get(user_id=uid, replaced_at__isnull=True)
    assert acct.holder_kana == "ｻﾄｳ ﾕｷ"
    # Replace: the new account is current, the old one kept as replaced.
    r = worker.post("/bank-account", {**BANK, "account_number": "7654321"})
    assert r.status_code == 302
    assert BankAccount.objects.filter(user_id=uid).count() == 2
    assert BankAccount.objects.get(user_id=uid, replaced_at__isnull=True).account_number == "7654321"


def test_withdraw_shows_fee_net_and_pay_day_before_confirming_then_request_and_cancel(client_page, worker_page):
    _client, cid, _ = client_page
    worker, uid, _ = worker_page
    with time_machine.travel(START, tick=False):
        balance = _earn(cid, uid)
        assert balance > 10_000
        worker.post("/bank-account", BANK)
        html = _html(worker.get("/balance"))
        assert f"¥{balance:,}" in html and "2026-11-30" in html  # balance and next pay day
        assert "¥1,000" in html and "¥500" in html  # the minimum and the fee, said up front

        html, r = _preview_and_confirm(worker, "１０,０００円")
        # The confirm step: amount, fee, net, pay day, cutoff — from withdrawal_quote.
        assert "出金内容の確認" in html
        assert 'id="quote-fee">−¥500<' in html and 'id="quote-net" class="net">¥9,500<' in html
        assert "2026-11-30" in html and "2026-11-15" in html
        assert f"¥{balance - 10_000:,}" in html  # the balance after the request
        # Only the confirmed POST requested it.
        w = Withdrawal.objects.get(user_id=uid)
        assert (w.status, w.amount_jpy, w.fee_jpy, w.net_jpy, w.pay_date) == (
            "requested",
            10_000,
            500,
            9_500,
            dt.date(2026, 11, 30),
        )
        msg = _messages(r)
        assert "¥10,000" in msg and "¥500" in msg and "¥9,500" in msg and "2026-11-30" in msg
        html = _html(r)
        assert f'id="withdrawal-{w.pk}"' in html and "申請中" in html
        assert f"/balance/withdrawals/{w.pk}/cancel" in html
        assert 'id="pending-amount">¥10,000<' in html and f'id="balance-amount">¥{balance - 10_000:,}<' in html
        # The statement has the debit with the withdrawal and the balance after it.
        assert "出金申請" in html and f"#withdrawal-{w.pk}" in html

        r = worker.post(f"/balance/withdrawals/{w.pk}/cancel", follow=True)
        assert "¥10,000" in _messages(r) and "取り消しました" in _messages(r)
        assert Withdrawal.objects.get(pk=w.pk).status == "cancelled"
        assert f'id="balance-amount">¥{balance:,}<' in _html(r)
        assert f"/balance/withdrawals/{w.pk}/cancel" not in _html(r)
        # A second cancel is refused and changes nothing.
        r = worker.post(f"/balance/withdrawals/{w.pk}/cancel", follow=True)
        assert "この出金申請は現在「取り消し済み" in _messages(r)
        assert payouts.balance_summary(user_id=uid)["balance_jpy"] == balance


def test_withdraw_refusals_say_why_with_amounts_and_change_nothing(client_page, worker_page):
    _client, cid, _ = client_page
    worker, uid, _ = worker_page
    with time_machine.travel(START, tick=False):
        balance = _earn(cid, uid)
        html, r = _preview_and_confirm(worker, "5000")
        assert "先に振込先口座を登録してください" in _messages(r) + html
        assert "の出金を申請する" not in html  # no confirm button without an account
        worker.post("/bank-account", BANK)
        # Refused at the first step already: no confirm page for what the request would refuse.
        r = worker.post("/balance/withdraw", {"amount_jpy": "999"})
        assert r.status_code == 409 and "出金は¥1,000からです" in _html(r) and "quote" not in r.context
        r = worker.post("/balance/withdraw", {"amount_jpy": str(balance + 1)})
        assert r.status_code == 409 and f"残高（¥{balance:,}）を超えています" in _html(r)
        r = worker.post("/balance/withdraw", {"amount_jpy": "abc"})
        assert r.status_code == 422 and "金額は円単位の整数" in _html(r)
        assert not Withdrawal.objects.filter(user_id=uid).exists()
        assert payouts.balance_summary(user_id=uid)["balance_jpy"] == balance
        # After the cutoff the cancel button is gone and a cancel is refused with the cutoff.
        _h, r = _preview_and_confirm(worker, "2000")
        w = Withdrawal.objects.get(user_id=uid)
    with time_machine.travel(AFTER_CUTOFF, tick=False):
        html = _html(worker.get("/balance"))
        assert f"/balance/withdrawals/{w.pk}/cancel" not in html
        r = worker.post(f"/balance/withdrawals/{w.pk}/cancel", follow=True)
        assert "2026-11-15" in _messages(r)
        assert Withdrawal.objects.get(pk=w.pk).status == "requested"


def test_confirm_after_the_pay_day_changed_shows_the_new_numbers_first(client_page, worker_page):
    _client, cid, _ = client_page
    worker, uid, _ = worker_page
    with time_machine.travel(START, tick=False) as tm:
        _earn(cid, uid)
        worker.post("/bank-account", BANK)
        r = worker.post("/balance/withdraw", {"amount_jpy": "3000"})
        q = r.context["quote"]
        tm.move_to(AFTER_CUTOFF)
        r = worker.post(
            "/balance/withdraw",
            {
                "amount_jpy": "3000",
                "fee_jpy": "500",
                "net_jpy": "2500",
                "pay_date": q["pay_date"].isoformat(),
                "confirm": "1",
            },
        )
        assert r.status_code == 200
        assert "2026-12-15" in _html(r) and "出金内容の確認" in _html(r)
        assert not Withdrawal.objects.filter(user_id=uid).exists()


def test_statement_month_filter_csv_and_english(client_page, worker_page):
    _client, cid, _ = client_page
    worker, uid, _ = worker_page
    with time_machine.travel(START, tick=False):
        _earn(cid, uid)
        worker.post("/bank-account", BANK)
        _preview_and_confirm(worker, "2000")
        html = _html(worker.get("/balance?month=2026-11"))
        assert "報酬" in html and "出金申請" in html and '<option value="2026-11" selected>' in html
        html = _html(worker.get("/balance?month=2026-10"))
        assert "この期間の明細はありません" in html
        html = _html(worker.get("/balance?month=bogus"))  # ignored, not an error
        assert "出金申請" in html
        r = worker.get("/balance/statement.csv?month=2026-11")
        assert r["Content-Type"].startswith("text/csv") and "attachment" in r["Content-Disposition"]
        assert r.content.startswith("\ufeff".encode()) and "出金申請" in r.content.decode("utf-8-sig")
        html = _html(_english(worker).get("/balance"))
        assert "Balance and withdrawals" in html and "Next pay day" in html and "Withdrawal request" in html
        assert "Requested" in html and "残高・出金" not in html
        r = worker.post("/balance/withdraw", {"amount_jpy": "1500"})
        assert "Transfer fee" in _html(r) and "You receive" in _html(r) and "¥1,000" in _html(r)


def test_staff_payouts_build_download_confirm_and_return(client_page, worker_page):
    _client, cid, _ = client_page
    worker, uid, _ = worker_page
    with time_machine.travel(START, tick=False) as tm:
        balance = _earn(cid, uid)
        worker.post("/bank-account", BANK)
        _preview_and_confirm(worker, "20000")
        w = Withdrawal.objects.get(user_id=uid)
        assert worker.get("/staff/payouts").status_code in (302, 403)  # staff only
        staff = _staff()
        # Before the cutoff nothing is due: the build is refused with the reason.
        r = staff.post("/staff/payouts/batches", {"pay_date": "2026-11-30"}, follow=True)
        assert "支払日までに振り込む出金申請はありません" in _messages(r) or "ありません" in _html(r)
        assert not PayoutBatch.objects.exists()
        r = staff.post("/staff/payouts/batches", {"pay_date": "not a date"})
        assert r.status_code == 422

        tm.move_to(AFTER_CUTOFF)
        staff = _staff()
        html = _html(staff.get("/staff/payouts"))
        assert "2026-11-30" in html and "¥19,500" in html and w.user.display_name in html
        r = staff.post("/staff/payouts/batches", {"pay_date": "2026-11-30"}, follow=True)
        batch = PayoutBatch.objects.get()
        msg = _messages(r)
        assert f"#{batch.pk}" in msg and "¥19,500" in msg and "¥20,000" in msg and "¥500" in msg
        assert "振込手続き中" in _html(r)
        r = staff.get(f"/staff/payouts/batches/{batch.pk}/zengin")
        assert r.status_code == 200 and "Shift_JIS" in r["Content-Type"] and "attachment" in r["Content-Disposition"]
        records = r.content.split(b"\r\n")
        assert [len(x) for x in records if x] == [120] * 4 and records[1][:1] == b"2"
        assert "ｻﾄｳ ﾕｷ".encode("shift_jis") in records[1]

        r = staff.post(f"/staff/payouts/batches/{batch.pk}/confirm", follow=True)
        msg = _messages(r)
        assert "確定しました" in msg and "¥19,500" in msg
        assert Withdrawal.objects.get(pk=w.pk).status == "paid"
        r = staff.post(f"/staff/payouts/batches/{batch.pk}/confirm", follow=True)  # a repeat pays nothing twice
        assert Withdrawal.objects.get(pk=w.pk).status == "paid"

        r = staff.post(f"/staff/payouts/batches/{batch.pk}/withdrawals/{w.pk}/return", {"reason": ""})
        assert r.status_code == 422 and Withdrawal.objects.get(pk=w.pk).status == "paid"
        r = staff.post(
            f"/staff/payouts/batches/{batch.pk}/withdrawals/{w.pk}/return", {"reason": "口座解約済み"}, follow=True
        )
        msg = _messages(r)
        assert "組戻し" in msg and "¥20,000" in msg
        assert Withdrawal.objects.get(pk=w.pk).status == "returned"
        assert payouts.balance_summary(user_id=uid)["balance_jpy"] == balance
        html = _html(worker.get("/balance"))
        assert "口座解約済み" in html and "組戻し" in html
        assert 'id="account-returned"' in html  # told to fix the account
        _h, r = _preview_and_confirm(worker, "2000")  # refused until the account is registered again
        assert "口座を登録し直してください" in _messages(r)
        assert worker.post("/bank-account", BANK).status_code == 302
        assert 'id="account-returned"' not in _html(worker.get("/balance"))
        # In English, the console says the same.
        html = _html(_english(staff).get(f"/staff/payouts/batches/{batch.pk}"))
        assert "Returned by the bank" in html and "Download the bank file" in html


def _count(c: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(path)
        assert r.status_code == 200
    return len(ctx.captured_queries)


def _login(email: str) -> Client:
    c = Client()
    assert c.post("/login", {"email": email, "password": PASSWORD}).status_code == 302
    return c


def test_money_pages_do_not_grow_with_data(client_page, worker_page):
    _client, cid, _ = client_page
    worker, uid, worker_email = worker_page
    other, oid, other_email = page_signup("other")
    with time_machine.travel(START, tick=False) as tm:
        for c, who in ((worker, uid), (other, oid)):
            _earn(cid, who)
            c.post("/bank-account", BANK)
            _preview_and_confirm(c, "2000")
        tm.move_to(AFTER_CUTOFF)
        staff = _staff()
        small_due = _count(staff, "/staff/payouts")
        staff.post("/staff/payouts/batches", {"pay_date": "2026-11-30"})
        batch = PayoutBatch.objects.get()
        assert batch.count == 2
        small_batch = _count(staff, f"/staff/payouts/batches/{batch.pk}")
        small_balance = _count(worker, "/balance")
        tm.move_to(START + dt.timedelta(days=40))  # 2026-12-12: paid on 2026-12-30 (31 Dec is a bank holiday)
        for who, email in ((uid, worker_email), (oid, other_email)):
            _earn(cid, who)
            c = _login(email)
            for _i in range(3):
                _preview_and_confirm(c, "1500")
        assert Withdrawal.objects.filter(user_id=uid).count() == 4
        assert Withdrawal.objects.filter(user_id=uid, pay_date=dt.date(2026, 12, 30)).count() == 3
        tm.move_to(START + dt.timedelta(days=45))  # past the 15 December cutoff
        staff = _staff()
        assert _count(staff, "/staff/payouts") == small_due
        staff.post("/staff/payouts/batches", {"pay_date": "2026-12-30"})
        big_batch = PayoutBatch.objects.latest("id")
        assert big_batch.count == 6
        assert _count(staff, f"/staff/payouts/batches/{big_batch.pk}") == small_batch
        assert _count(_login(worker_email), "/balance") == small_balance


def test_someone_elses_withdrawal_or_transfer_is_not_found(worker_page):
    worker, uid, _ = worker_page
    stranger, _s, _ = page_signup("stranger")
    with time_machine.travel(START, tick=False) as tm:
        _earn(page_signup("payer")[1], uid)
        worker.post("/bank-account", BANK)
        _preview_and_confirm(worker, "2000")
        w = Withdrawal.objects.get(user_id=uid)
        assert stranger.post(f"/balance/withdrawals/{w.pk}/cancel").status_code == 404
        assert stranger.get("/balance/withdrawals/1/cancel").status_code == 405  # POST only
        assert Withdrawal.objects.get(pk=w.pk).status == "requested"
        assert "****567" not in _html(stranger.get("/balance"))
        tm.move_to(AFTER_CUTOFF)
        staff = _staff()
        staff.post("/staff/payouts/batches", {"pay_date": "2026-11-30"})
        batch = PayoutBatch.objects.get()
        staff.post(f"/staff/payouts/batches/{batch.pk}/confirm")
        # A transfer is marked returned only from its own batch's page.
        r = staff.post(f"/staff/payouts/batches/{batch.pk + 1}/withdrawals/{w.pk}/return", {"reason": "x"})
        assert r.status_code == 404
        r = staff.post(f"/staff/payouts/batches/{batch.pk}/withdrawals/{w.pk + 1}/return", {"reason": "x"})
        assert r.status_code == 404
        assert Withdrawal.objects.get(pk=w.pk).status == "paid"
        assert _staff().get(f"/staff/payouts/batches/{batch.pk + 1}").status_code == 404


def test_every_statement_kind_has_a_word_in_the_glossary():
    from chukai.web import labels

    missing = set(payouts.DESCRIPTIONS) - set(labels.STATEMENT_KINDS)
    assert not missing, f"labels.STATEMENT_KINDS lacks {sorted(missing)}"


def test_a_confirmation_sent_twice_is_one_withdrawal(client_page, worker_page):
    """A double click or a resent form on the confirm step must not request the money twice."""
    _client, cid, _ = client_page
    worker, uid, _ = worker_page
    with time_machine.travel(START, tick=False):
        balance = _earn(cid, uid)
        worker.post("/bank-account", BANK)
        r = worker.post("/balance/withdraw", {"amount_jpy": "3000"})
        key = r.context["request_key"]
        assert f'name="request_key" value="{key}"' in _html(r)
        q = r.context["quote"]
        form = {
            "amount_jpy": str(q["amount_jpy"]),
            "fee_jpy": str(q["fee_jpy"]),
            "net_jpy": str(q["net_jpy"]),
            "pay_date": q["pay_date"].isoformat(),
            "confirm": "1",
            "request_key": key,
        }
        for _ in range(2):
            assert worker.post("/balance/withdraw", form).status_code == 302
        assert list(Withdrawal.objects.filter(user_id=uid).values_list("amount_jpy", flat=True)) == [3_000]
        assert payouts.balance_summary(user_id=uid)["balance_jpy"] == balance - 3_000
        # A new confirmation (a new key) is a new withdrawal.
        r = worker.post("/balance/withdraw", {"amount_jpy": "3000"})
        assert r.context["request_key"] != key
        assert worker.post("/balance/withdraw", {**form, "request_key": r.context["request_key"]}).status_code == 302
        assert Withdrawal.objects.filter(user_id=uid).count() == 2
