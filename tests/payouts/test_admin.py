"""Django admin: staff read money-out rows; nothing is changed by hand; account numbers stay masked."""

from __future__ import annotations

from django.test import Client

from chukai.accounts.models import User
from chukai.payouts.models import BankAccount
from tests.conftest import signup
from tests.payouts.helpers import earn, put_account, withdraw


def test_admin_lists_are_read_only_and_mask_the_number(clock):
    client, worker = signup("client"), signup("worker")
    earn(client, worker, 20_000)
    put_account(worker, account_number="7654321")
    withdraw(worker, 2_000)
    browser = Client()
    browser.force_login(User.objects.create_superuser("payout-admin@example.com", "correct horse battery"))
    for path in ("withdrawal", "payoutbatch", "payoutaudit", "bankaccount"):
        r = browser.get(f"/admin/payouts/{path}/")
        assert r.status_code == 200, path
        assert f"/admin/payouts/{path}/add/".encode() not in r.content
    account = BankAccount.objects.get()
    page = browser.get(f"/admin/payouts/bankaccount/{account.pk}/change/").content.decode()
    assert "****321" in page and "7654321" not in page
    assert "****321" in browser.get("/admin/payouts/bankaccount/").content.decode()
