"""Money-out steps as a user takes them: earn through a contract, register an account, withdraw."""

from __future__ import annotations

import itertools
from typing import Any

from tests.conftest import Api, make_contract

ACCOUNT = {
    "bank_code": "0001",  # みずほ銀行 in the zengin-code data set
    "branch_code": "001",  # 東京営業部
    "account_type": "ordinary",
    "account_number": "1234567",
    "holder_kana": "ヤマダ　タロウ",
}


def earn(client: Api, worker: Api, amount: int, *, policy: str = "lancers", title: str = "記事作成") -> dict[str, Any]:
    """The client funds a milestone of `amount`, the worker delivers, the client accepts."""
    c = make_contract(client, worker, policy=policy, milestones=[{"title": title, "amount_jpy": amount}])
    cid, mid = c["id"], c["milestones"][0]["id"]
    r = client.post(f"/api/contracts/{cid}/milestones/{mid}/fund")
    assert r.status_code == 200, r.content
    r = worker.post(f"/api/contracts/{cid}/milestones/{mid}/deliver", {"message": "納品します"})
    assert r.status_code == 200, r.content
    r = client.post(f"/api/contracts/{cid}/milestones/{mid}/accept")
    assert r.status_code == 200, r.content
    return r.json()


def put_account(api: Api, **changes: Any) -> Any:
    return api.client.put(
        "/api/me/bank-account",
        data={**ACCOUNT, **changes},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )


def withdraw(api: Api, amount: int, **kw: Any) -> Any:
    return api.post("/api/me/withdrawals", {"amount_jpy": amount}, **kw)


def balance_summary(api: Api) -> dict[str, Any]:
    r = api.get("/api/me/balance")
    assert r.status_code == 200, r.content
    return dict(r.json())


def staff() -> Api:
    """A support-office user with a token issued now (tokens expire: make it after moving the clock)."""
    from chukai.accounts.models import User

    n = next(_staff_seq)
    User.objects.create_superuser(f"payout-staff{n}@example.com", "correct horse battery")
    t = Api().post("/api/auth/token", {"email": f"payout-staff{n}@example.com", "password": "correct horse battery"})
    assert t.status_code == 200, t.content
    return Api(t.json()["token"], None)


_staff_seq = itertools.count(1)
