"""Story S6 (DOMAIN §14) and withholding on every money path: a company client that withholds hires an
individual writer for ¥110,000 (tax included); the client funds ¥110,000 − ¥10,210 plus its fee; at
acceptance the writer receives ¥110,000 − ¥10,210 − the fee; the papers show ¥10,000 tax and ¥10,210."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chukai.accounts.models import User
from chukai.ledger.models import LedgerTransaction
from tests.conftest import Api, signup
from tests.documents.helpers import by_kind, pdf_text
from tests.foundation.invariants import assert_ledger_invariants
from tests.payments.helpers import fund, milestone, preview, transfer
from tests.stories.helpers import balance, platform_fees
from tests.tax.test_identity import patch_me


def _contract(client: Api, worker: Api, amount: int, *, withholding: bool = True, policy: str = "lancers") -> Any:
    job = client.post(
        "/api/jobs",
        {
            "title": "SEO記事",
            "description": "月10本",
            "budget_jpy": amount,
            "pricing": "fixed",
            "policy": policy,
            "withholding_tax": withholding,
        },
    )
    assert job.status_code == 201, job.content
    prop = worker.post(
        f"/api/jobs/{job.json()['id']}/proposals",
        {
            "amount_jpy": amount,
            "message": "よろしくお願いします",
            "milestones": [{"title": "記事", "amount_jpy": amount}],
        },
    )
    assert prop.status_code == 201, prop.content
    c = client.post(f"/api/proposals/{prop.json()['id']}/accept")
    assert c.status_code == 201, c.content
    return c.json()


@pytest.fixture
def company_client(db: Any) -> Api:
    api = signup("client")
    assert patch_me(api, {"entity_type": "company", "legal_name": "株式会社発注"}).status_code == 200
    return api


def test_story_s6(company_client: Api, worker_api: Api) -> None:
    client, writer = company_client, worker_api
    c = _contract(client, writer, 110_000)
    assert client.get(f"/api/contracts/{c['id']}").json()["withholding_tax"] is True
    mid = c["milestones"][0]["id"]
    p = preview(client, c, mid)
    # lancers client fee 5.5 % of ¥110,000 = ¥6,050, on the full amount.
    assert (p["amount_jpy"], p["withholding_jpy"], p["client_fee_jpy"]) == (110_000, 10_210, 6_050)
    assert p["total_jpy"] == p["charge_jpy"] == 110_000 - 10_210 + 6_050
    assert fund(client, c, mid).status_code == 200
    charged = LedgerTransaction.objects.get(idempotency_key=f"fund:{mid}")
    assert {leg.account.kind: leg.amount for leg in charged.legs.select_related("account")}["gateway_in"] == -105_840
    assert milestone(client, c["id"], mid)["withholding_jpy"] == 10_210
    assert_ledger_invariants()
    # The contract page's money panel shows the tax inside the amount and the withholding.
    web = Client()
    web.force_login(User.objects.get(pk=client.user_id))
    page = web.get(f"/contracts/{c['id']}").content.decode()
    assert "うち消費税 (10%) ¥10,000" in page and "源泉徴収税（差し引き） ¥10,210" in page

    assert writer.post(f"/api/contracts/{c['id']}/milestones/{mid}/deliver").status_code == 200
    assert client.post(f"/api/contracts/{c['id']}/milestones/{mid}/accept").status_code == 200
    # Worker fee 16.5 % of the full ¥110,000 = ¥18,150.
    assert balance(writer) == 110_000 - 10_210 - 18_150
    assert balance(client) == 0 and platform_fees() == 18_150 + 6_050
    assert milestone(writer, c["id"], mid)["worker_paid_jpy"] == 81_640
    assert_ledger_invariants()

    receipt = by_kind(client, c["id"])["receipt"][0]
    assert (receipt["withholding_jpy"], receipt["lines"][0]["tax_jpy"], receipt["total_jpy"]) == (
        10_210,
        10_000,
        105_840,
    )
    notice = by_kind(writer, c["id"])["payment_notice"][0]
    assert (notice["tax_jpy"], notice["withholding_jpy"], notice["fee_jpy"], notice["net_jpy"]) == (
        10_000,
        10_210,
        18_150,
        81_640,
    )
    for doc, api in ((receipt, client), (notice, writer)):
        text = pdf_text(api, doc["id"])
        assert "¥10,000" in text and "-¥10,210" in text and "源泉徴収" in text, text
    assert "¥81,640" in pdf_text(writer, notice["id"])
    year_rows = client.get("/api/me/withholding-statement").json()
    assert [(r["worker_id"], r["paid_jpy"], r["withheld_jpy"]) for r in year_rows] == [
        (writer.user_id, 110_000, 10_210)
    ]


def test_a_company_worker_is_not_withheld_and_the_contract_says_so(company_client: Api) -> None:
    agency = signup("agency")
    assert patch_me(agency, {"entity_type": "company"}).status_code == 200
    c = _contract(company_client, agency, 110_000)
    detail = company_client.get(f"/api/contracts/{c['id']}").json()
    assert detail["withholding_tax"] is False
    formed = company_client.get(f"/api/contracts/{c['id']}/timeline").json()[0]
    assert formed["kind"] == "contract_formed" and formed["detail"]["withholding_ignored"] == "worker_is_company"
    assert preview(company_client, c, c["milestones"][0]["id"])["withholding_jpy"] == 0


def test_withholding_by_bank_transfer_then_a_partial_settlement(
    company_client: Api, worker_api: Api, staff: Api
) -> None:
    from tests.support.helpers import decide, open_case

    c = _contract(company_client, worker_api, 220_000, policy="crowdworks")
    mid = c["milestones"][0]["id"]
    r = fund(company_client, c, mid, {"type": "bank_transfer"})
    assert r.status_code == 200, r.content
    pay = milestone(company_client, c["id"], mid)["payment"]
    assert pay["amount_due_jpy"] == 220_000 - 20_420  # no client fee under crowdworks
    assert transfer(pay["id"], pay["amount_due_jpy"]).status_code == 200
    assert milestone(company_client, c["id"], mid)["status"] == "escrowed"
    assert_ledger_invariants()
    got = open_case(company_client, c["id"], "dispute")
    decide(staff, got["id"], "split", pay_worker_jpy=110_000)
    # ¥110,000 paid: ¥10,210 withheld; crowdworks fee 20 % of 100,000 + 10 % of 10,000 = ¥21,000.
    assert balance(worker_api) == 110_000 - 10_210 - 21_000
    # The client gets back the unpaid ¥110,000 less what it kept back on it (¥20,420 − ¥10,210).
    assert balance(company_client) == 110_000 - 10_210
    assert_ledger_invariants()
    cancellation = by_kind(company_client, c["id"])["cancellation"][0]
    assert (cancellation["total_jpy"], cancellation["withholding_jpy"]) == (-110_000 + 10_210, -10_210)
