"""The fund button leads to a confirmation step; nothing is charged before the confirm; a declined
card keeps the client there with the reason; a bank transfer is shown to both with a countdown."""

from __future__ import annotations

from chukai.contracts.models import Milestone
from chukai.ledger.models import LedgerTransaction
from chukai.payments.models import Payment
from tests.foundation.invariants import assert_ledger_invariants, assert_same_state, db_state
from tests.payments.helpers import transfer
from tests.web.conftest import client_page, page_contract, worker_page  # noqa: F401 - fixtures


def _html(r) -> str:
    return r.content.decode()


def test_confirmation_step_shows_the_quote_and_charges_nothing(client_page, worker_page):  # noqa: F811
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    cid = page_contract(client, worker, policy="lancers")
    m = Milestone.objects.get(contract_id=cid)
    page = _html(client.get(f"/contracts/{cid}"))
    assert f'href="/contracts/{cid}/milestones/{m.pk}/fund"' in page  # a link to the step, not a charge
    before = db_state()
    r = client.get(f"/contracts/{cid}/milestones/{m.pk}/fund")
    assert r.status_code == 200
    html = _html(r)
    assert "仮払いの確認" in html and "¥50,000" in html and "¥2,750" in html and "¥52,750" in html
    assert 'value="tok_ok"' in html and 'value="bank_transfer"' in html
    assert "<script" not in html.split("</header>", 1)[-1]  # no inline scripts (CSP)
    assert_same_state(before, db_state())
    assert worker.get(f"/contracts/{cid}/milestones/{m.pk}/fund").status_code == 302  # only the client


def test_declined_card_stays_on_the_step_with_the_reason(client_page, worker_page):  # noqa: F811
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    cid = page_contract(client, worker)
    m = Milestone.objects.get(contract_id=cid)
    before = db_state(labels=("contracts", "ledger", "messaging", "deadlines"))
    r = client.post(
        f"/contracts/{cid}/milestones/{m.pk}/fund", {"method": "card", "card_token": "tok_insufficient_funds"}
    )
    assert r.status_code == 409
    html = _html(r)
    assert "お支払いができませんでした" in html and "利用可能額が不足" in html
    assert "仮払いを確定する" in html and 'value="tok_insufficient_funds"' in html  # still the confirmation step
    assert_same_state(before, db_state(labels=("contracts", "ledger", "messaging", "deadlines")))
    r = client.post(f"/contracts/{cid}/milestones/{m.pk}/fund", {"method": "card", "card_token": "tok_ok"})
    assert r.status_code == 302
    assert Milestone.objects.get(pk=m.pk).status == "escrowed"
    assert_ledger_invariants()


def test_english_reason_for_an_english_client(worker_page):  # noqa: F811
    from tests.web.conftest import page_signup

    client, _c, _ = page_signup("client", locale="en")
    worker, _w, _ = worker_page
    cid = page_contract(client, worker)
    m = Milestone.objects.get(contract_id=cid)
    r = client.post(f"/contracts/{cid}/milestones/{m.pk}/fund", {"method": "card", "card_token": "tok_declined"})
    assert r.status_code == 409 and "The card was declined" in _html(r)


def test_bank_transfer_shown_to_both_with_a_countdown(client_page, worker_page):  # noqa: F811
    client, _c, _ = client_page
    worker, _w, _ = worker_page
    cid = page_contract(client, worker)
    m = Milestone.objects.get(contract_id=cid)
    r = client.post(f"/contracts/{cid}/milestones/{m.pk}/fund", {"method": "bank_transfer"})
    assert r.status_code == 302
    pay = Payment.objects.get(milestone_id=m.pk)
    assert not LedgerTransaction.objects.filter(kind="fund", milestone_id=m.pk).exists()
    for who in (client, worker):
        html = _html(who.get(f"/contracts/{cid}"))
        assert pay.account_number in html and "振込期限" in html and "あと" in html  # the countdown
        assert "振込待ち" in html
    assert "まだ入金されていません。作業を始めないでください。" in _html(worker.get(f"/contracts/{cid}"))
    assert "まだ入金されていません。作業を始めないでください。" not in _html(client.get(f"/contracts/{cid}"))
    transfer(pay.pk, pay.amount_due_jpy)
    html = _html(worker.get(f"/contracts/{cid}"))
    assert pay.account_number not in html and "仮払い済み" in html
    assert_ledger_invariants()
