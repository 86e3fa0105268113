"""Findings of the money review (moneyreview): each test failed before its fix."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from chukai.errors import Invalid
from chukai.payouts import selectors, services
from tests.conftest import signup
from tests.foundation.conftest import refused
from tests.payouts.helpers import earn, put_account, staff, withdraw
from tests.payouts.test_withdrawals import EARNED
from tests.stories.helpers import check_invariants
from tests.support.helpers import decide, funded, open_case


def test_the_quote_refuses_what_the_request_would_refuse(clock):
    """The confirm step must never offer a withdrawal the request then refuses (one rule, two callers)."""
    client, worker = signup("client"), signup("worker")
    earn(client, worker, 20_000)
    refused(lambda: worker.get("/api/me/withdrawal-quote?amount_jpy=5000"), 409, "no_bank_account")
    put_account(worker)
    body = refused(lambda: worker.get("/api/me/withdrawal-quote?amount_jpy=999"), 409, "below_minimum")
    assert body["minimum_jpy"] == 1_000
    body = refused(lambda: worker.get(f"/api/me/withdrawal-quote?amount_jpy={EARNED + 1}"), 409, "insufficient_balance")
    assert body["balance_jpy"] == EARNED
    quote = worker.get(f"/api/me/withdrawal-quote?amount_jpy={EARNED}")
    assert quote.status_code == 200 and quote.json()["net_jpy"] == EARNED - 500
    # Quote and request agree on each refusal, with the same words.
    for amount in (999, EARNED + 1):
        q = worker.get(f"/api/me/withdrawal-quote?amount_jpy={amount}").json()
        r = withdraw(worker, amount).json()
        assert (q["code"], q["detail"]) == (r["code"], r["detail"])
    check_invariants()


def test_a_returned_account_is_refused_by_the_quote_too(clock):
    client, worker = signup("client"), signup("worker")
    earn(client, worker, 20_000)
    put_account(worker)
    w = withdraw(worker, 5_000).json()
    clock.set("2026-09-29T10:00:00+09:00")
    office = staff()
    batch = office.post("/api/payout-batches", {"pay_date": "2026-09-30"}).json()
    assert office.post(f"/api/payout-batches/{batch['id']}/confirm").status_code == 200
    assert office.post(f"/api/withdrawals/{w['id']}/return", {"reason": "口座解約"}).status_code == 200
    body = refused(lambda: worker.get("/api/me/withdrawal-quote?amount_jpy=5000"), 409, "no_bank_account")
    assert "returned" in body["detail"]


def test_a_clients_split_refund_is_not_counted_as_earnings(clock):
    """earnings_by_month: a split credits both parties under kind `split`; only the worker earned."""
    client, worker = signup("client"), signup("worker")
    c = funded(client, worker, policy="crowdworks", milestones=[{"title": "設計", "amount_jpy": 50_000}])
    case = open_case(worker, c["id"], "dispute")
    decide(staff(), case["id"], "split", pay_worker_jpy=20_000, reason="按分")
    (client_month,) = client.get("/api/me/earnings").json()
    assert client_month["credits_jpy"] == 30_000
    assert client_month["earnings_jpy"] == 0
    (worker_month,) = worker.get("/api/me/earnings").json()
    assert worker_month["earnings_jpy"] == worker_month["credits_jpy"] == 16_000


def test_staff_selectors_batch_withdrawals_and_open_withdrawals(clock):
    client, worker = signup("client"), signup("worker")
    earn(client, worker, 20_000)
    put_account(worker)
    first = withdraw(worker, 5_000).json()
    assert [w.pk for w in selectors.open_withdrawals()] == [first["id"]]
    clock.set("2026-09-16T10:00:00+09:00")
    second = withdraw(worker, 3_000).json()
    assert [w.pk for w in selectors.open_withdrawals()] == [second["id"]]  # the first's cutoff passed
    office = staff()
    batch = office.post("/api/payout-batches", {"pay_date": "2026-09-30"}).json()
    items = selectors.batch_withdrawals(batch_id=batch["id"])
    assert [w.pk for w in items] == [first["id"]]
    assert items[0].user.email  # owner loaded with the rows
    assert selectors.batch_withdrawals(batch_id=batch["id"] + 1000) == []


def test_service_words_are_english_msgids_the_pages_show_in_japanese():
    """No more "日本語 / English" in one string: each message is a msgid with a Japanese translation."""
    try:
        services.bank_account_check(
            bank_code="12", branch_code="x", account_type="other", account_number="", holder_kana="やまだ"
        )
    except Invalid as exc:
        fields = exc.fields
    else:
        raise AssertionError("the check accepted a wrong account")
    assert set(fields) == {"bank_code", "branch_code", "account_type", "account_number", "holder_kana"}
    for (message,) in fields.values():
        assert " / " not in message and message.isascii(), message
        with translation.override("ja"):
            ja = gettext(message)
        assert ja != message and not ja.isascii(), (message, ja)
    with translation.override("ja"):
        assert gettext(fields["holder_kana"][0]) == "口座名義はカタカナで入力してください（ひらがなは使えません）。"


def test_a_request_repeated_with_its_key_is_one_withdrawal(clock):
    from chukai.accounts.models import User

    client, worker = signup("client"), signup("worker")
    earn(client, worker, 20_000)
    put_account(worker)
    user = User.objects.get(pk=worker.user_id)
    first = services.withdrawal_request(user=user, amount_jpy=4_000, key="a" * 32)
    again = services.withdrawal_request(user=user, amount_jpy=4_000, key="a" * 32)
    other = services.withdrawal_request(user=user, amount_jpy=4_000, key="b" * 32)
    assert again.pk == first.pk != other.pk
    assert selectors.balance_summary(user_id=user.pk)["pending_withdrawals_jpy"] == 8_000
    check_invariants()
