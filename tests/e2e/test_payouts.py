"""Money out in the browser (DOMAIN §10): the withdraw form shows the fee, the net and the pay day
before confirming; the request appears in the list and can be cancelled; the staff payouts page
builds a batch, downloads the Zengin file, confirms it and marks a transfer returned.
At 1280 and 390 px, in Japanese and English; the manual clock moves time."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.e2e.conftest import PASSWORD, go, login, shot, signup

AFTER_CUTOFF = dt.datetime(2026, 11, 16, 1, 0, tzinfo=dt.UTC)  # 10:00 on the 16th in Tokyo

WORDS = {
    "ja": {
        "check": "手数料と振込日を確認する",
        "request": "¥10,000の出金を申請する",
        "requested": "¥10,000の出金を申請しました",
        "cancel": "取り消す（¥10,000を残高に戻す）",
        "cancelled": "出金申請を取り消しました。¥10,000を残高に戻しました。",
        "bank_save": "この口座を登録する",
        "bank_saved": "振込先口座を保存しました",
        "status_requested": "申請中",
        "nav": "残高・出金",
        "build": "振込バッチを作成する",
        "built": "振込日2026-11-30 (月)の振込バッチ",
        "download": "振込データをダウンロード",
        "confirm": re.compile("確定する：銀行が振込データを受け付けた"),
        "confirmed": "を確定しました",
        "return_open": "組戻しとして記録する",
        "return": re.compile(r"組戻しにする（¥20,000を残高に戻す）"),
        "returned": "組戻しとして記録しました",
    },
    "en": {
        "check": "Check the fee and pay day",
        "request": "Request the withdrawal of ¥10,000",
        "requested": "Withdrawal requested: ¥10,000",
        "cancel": "Cancel (¥10,000 back to the balance)",
        "cancelled": "Withdrawal cancelled: ¥10,000 is back in your balance.",
        "bank_save": "Register this bank account",
        "bank_saved": "Bank account saved",
        "status_requested": "Requested",
        "nav": "Balance",
        "build": "Build the batch",
        "built": "built for pay day 2026-11-30 (Mon)",
        "download": "Download the bank file",
        "confirm": re.compile("Confirm: the bank accepted the file"),
        "confirmed": "confirmed",
        "return_open": "Mark returned by the bank",
        "return": re.compile(r"Mark returned \(¥20,000 back to the balance\)"),
        "returned": "marked returned",
    },
}


# What the browser refused under the Content-Security-Policy (collected before any page script runs).
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _watch(page):
    page.add_init_script(CSP_WATCH)
    return page


def _no_sideways_scroll(page) -> None:
    """Phone width usable: nothing wider than the screen; and nothing on the page broke the CSP."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"
    assert page.evaluate("window.__csp || []") == [], "a Content-Security-Policy violation"


def _earn(worker_email: str, amount: int = 50_000) -> int:
    """The worker is paid for one milestone (services, as the pages call them); returns the balance."""
    from chukai.accounts.models import User
    from chukai.accounts.services import user_signup
    from chukai.contracts import services as contracts
    from chukai.marketplace.services import job_post, proposal_accept, proposal_submit
    from chukai.payouts.selectors import balance_summary

    worker = User.objects.get(email=worker_email)
    client = user_signup(email=f"client-of-{worker.pk}@example.com", password=PASSWORD, display_name="発注者P")
    job = job_post(
        client_id=client.pk, title="翻訳", description="日→英", budget_jpy=amount, pricing="fixed", policy="chukai"
    )
    proposal = proposal_submit(worker_id=worker.pk, job_id=job.pk, amount_jpy=amount, message="お任せください")
    contract = proposal_accept(client_id=client.pk, proposal_id=proposal.pk)
    m = contract.milestones.get()
    contracts.milestone_fund(user_id=client.pk, contract_id=contract.pk, milestone_id=m.pk)
    contracts.milestone_deliver(user_id=worker.pk, contract_id=contract.pk, milestone_id=m.pk, message="納品")
    contracts.milestone_accept(user_id=client.pk, contract_id=contract.pk, milestone_id=m.pk)
    return int(balance_summary(user_id=worker.pk)["balance_jpy"])


def _register_bank(page, w: dict) -> None:
    page.get_by_role("link", name=w["nav"]).first.click()
    page.locator("#bank a").first.click()
    page.fill("#id_bank_code", "0005")
    page.fill("#id_branch_code", "001")
    page.select_option("#id_account_type", "ordinary")
    page.fill("#id_account_number", "1234567")
    page.fill("#id_holder_kana", "サトウ　ユキ")  # full-width; stored half-width
    page.get_by_role("button", name=w["bank_save"]).click()
    page.get_by_text(w["bank_saved"]).wait_for()


@pytest.mark.parametrize(("width", "lang"), [(1280, "ja"), (390, "ja"), (1280, "en"), (390, "en")])
def test_withdraw_form_shows_fee_net_and_pay_day_before_confirming_then_list_and_cancel(new_page, width, lang):
    from chukai.payouts.models import Withdrawal

    w = WORDS[lang]
    page = _watch(new_page(width=width, height=900 if width > 400 else 844))
    email = signup(page, "ライターW", locale=lang)
    balance = _earn(email)
    _register_bank(page, w)
    assert page.url.endswith("/balance")
    assert page.locator("#balance-amount").inner_text() == f"¥{balance:,}"
    assert "2026-11-30" in page.locator("#next-pay-day").inner_text()

    page.fill("#id_amount_jpy", "10,000")
    page.get_by_role("button", name=w["check"]).click()
    # The confirm step: the fee, the net and the pay day, before anything is requested.
    assert page.locator("#quote-fee").inner_text() == "−¥500"
    assert page.locator("#quote-net").inner_text() == "¥9,500"
    assert "2026-11-30" in page.locator("#quote-pay-day").inner_text()
    assert not Withdrawal.objects.exists()
    _no_sideways_scroll(page)
    shot(page, f"60-withdraw-confirm-{lang}-{width}")

    page.get_by_role("button", name=w["request"]).click()
    page.get_by_text(w["requested"]).wait_for()
    withdrawal = Withdrawal.objects.get()
    row = page.locator(f"#withdrawal-{withdrawal.pk}")
    assert "¥9,500" in row.inner_text() and w["status_requested"] in row.inner_text()
    assert page.locator("#pending-amount").inner_text() == "¥10,000"
    assert page.locator("#balance-amount").inner_text() == f"¥{balance - 10_000:,}"
    _no_sideways_scroll(page)
    shot(page, f"61-withdraw-listed-{lang}-{width}")

    row.get_by_role("button", name=w["cancel"]).click()
    page.get_by_text(w["cancelled"]).wait_for()
    assert Withdrawal.objects.get().status == "cancelled"
    assert page.locator("#balance-amount").inner_text() == f"¥{balance:,}"
    assert page.locator(f"#withdrawal-{withdrawal.pk} button").count() == 0


@pytest.mark.parametrize(("width", "lang"), [(1280, "ja"), (390, "en")])
def test_staff_payouts_page_build_download_confirm_and_mark_returned(new_page, width, lang):
    from chukai import clock
    from chukai.accounts.models import User
    from chukai.payouts.models import PayoutBatch, Withdrawal

    w = WORDS[lang]
    worker = new_page(width=390, height=844)
    email = signup(worker, "ライターZ", locale=lang)
    balance = _earn(email)
    _register_bank(worker, w)
    worker.fill("#id_amount_jpy", "20000")
    worker.get_by_role("button", name=w["check"]).click()
    worker.locator("#quote form button[type=submit]").click()
    withdrawal = Withdrawal.objects.get()

    clock.manual_set(AFTER_CUTOFF)  # the 15th's cutoff has passed: the request is due on 2026-11-30
    User.objects.create_superuser("office@example.com", PASSWORD)
    staff = _watch(new_page(width=width, height=900 if width > 400 else 844))
    login(staff, "office@example.com")
    staff.wait_for_url("**/dashboard")
    if lang == "en":
        staff.get_by_role("button", name="English").click()
    go(staff, "/staff/")
    staff.locator("a[href='/staff/payouts']").click()
    due = staff.locator("#due")
    assert "2026-11-30" in due.inner_text() and "¥19,500" in due.inner_text()
    _no_sideways_scroll(staff)
    shot(staff, f"62-staff-payouts-{lang}-{width}")

    staff.fill("#id_pay_date", "2026-11-30")
    staff.get_by_role("button", name=w["build"]).click()
    staff.get_by_text(w["built"]).wait_for()
    messages = staff.locator("ul.messages").inner_text()
    assert "¥19,500" in messages and "¥20,000" in messages and "¥500" in messages
    batch = PayoutBatch.objects.get()

    with staff.expect_download() as download:
        staff.get_by_role("link", name=re.compile(w["download"])).click()
    data = open(download.value.path(), "rb").read()
    records = [r for r in data.split(b"\r\n") if r]
    assert [len(r) for r in records] == [120, 120, 120, 120]
    assert records[1][:1] == b"2" and "ｻﾄｳ ﾕｷ".encode("shift_jis") in records[1]
    assert int(records[2][1:7]) == 1 and int(records[2][7:19]) == 19_500  # trailer: count and total

    staff.get_by_role("button", name=w["confirm"]).click()
    staff.get_by_text(w["confirmed"]).first.wait_for()
    assert "¥19,500" in staff.locator("ul.messages").inner_text()
    assert PayoutBatch.objects.get().status == "confirmed"
    assert Withdrawal.objects.get().status == "paid"
    _no_sideways_scroll(staff)
    shot(staff, f"63-staff-batch-confirmed-{lang}-{width}")

    row = staff.locator(f"#transfer-{withdrawal.pk}")
    row.get_by_text(w["return_open"]).click()
    row.locator("input[name=reason]").fill("口座解約済み / account closed")
    row.get_by_role("button", name=w["return"]).click()
    staff.get_by_text(w["returned"]).wait_for()
    assert "¥20,000" in staff.locator("ul.messages").inner_text()
    assert Withdrawal.objects.get().status == "returned"
    assert batch.pk == PayoutBatch.objects.get().pk
    shot(staff, f"64-staff-transfer-returned-{lang}-{width}")

    worker.reload()
    assert worker.locator("#balance-amount").inner_text() == f"¥{balance:,}"
    assert "口座解約済み" in worker.locator(f"#withdrawal-{withdrawal.pk}").inner_text()
