"""Money in through the pages (DOMAIN §11): the confirmation step, a declined card, a bank transfer."""

from __future__ import annotations

import re

from tests.e2e.conftest import shot, signup
from tests.e2e.test_stories import _form_contract


def test_fund_confirmation_declined_card_then_bank_transfer(new_page, settings):
    from chukai.contracts.models import Milestone
    from chukai.ledger.models import LedgerTransaction
    from chukai.payments.models import Payment
    from tests.foundation.invariants import assert_ledger_invariants
    from tests.payments.helpers import transfer

    settings.CHUKAI_PAYMENT_WEBHOOK_SECRET = "whsec_e2e"
    client = new_page()
    worker = new_page(width=390, height=844)  # the worker is on a phone
    signup(client, "発注者P")
    signup(worker, "ライターQ")
    contract_url = _form_contract(client, worker, title="記事作成（入金）", policy="lancers", amount=50_000)
    client.get_by_role("link", name="仮払いする").click()
    client.wait_for_url(re.compile(r"/milestones/\d+/fund$"))
    quote = client.locator("#fund-quote")
    assert "¥50,000" in quote.inner_text() and "¥2,750" in quote.inner_text() and "¥52,750" in quote.inner_text()
    assert client.locator("#id_card_token").input_value() == "tok_ok"
    shot(client, "30-fund-confirmation")
    assert not LedgerTransaction.objects.exists()  # nothing charged before the confirm

    client.fill("#id_card_token", "tok_declined")
    client.get_by_role("button", name="仮払いを確定する").click()
    client.locator("#payment-declined").wait_for()
    assert "カードが拒否されました" in client.locator("#payment-declined").inner_text()
    assert re.search(r"/milestones/\d+/fund$", client.url)  # still on the confirmation step
    shot(client, "31-fund-declined")
    m = Milestone.objects.get(contract__title="記事作成（入金）")
    assert m.status == "unfunded" and not LedgerTransaction.objects.exists()

    client.check("input[name=method][value=bank_transfer]")
    client.get_by_role("button", name="仮払いを確定する").click()
    client.wait_for_url(re.compile(r"/contracts/\d+#milestone-\d+$"))
    pay = Payment.objects.get(milestone=m, status="pending")
    box = client.locator(f"#payment-{pay.pk}")
    assert pay.account_number in box.inner_text() and "あと" in box.inner_text()
    shot(client, "32-awaiting-transfer-client")
    worker.goto(contract_url)
    assert "まだ入金されていません。作業を始めないでください。" in worker.locator(f"#payment-{pay.pk}").inner_text()
    shot(worker, "33-awaiting-transfer-worker")
    assert_ledger_invariants()

    assert transfer(pay.pk, pay.amount_due_jpy).status_code == 200  # the gateway's signed webhook
    worker.reload()
    worker.get_by_text("仮払い済み").first.wait_for()
    assert Milestone.objects.get(pk=m.pk).status == "escrowed"
    assert_ledger_invariants()
