"""Papers issued with the money (DOMAIN §12): which, when, to whom, numbered, read back from the PDF."""

from __future__ import annotations

from typing import Any

import pytest

from chukai.documents.models import Document, DocumentCounter
from tests.conftest import Api, make_contract, signup
from tests.documents.helpers import by_kind, doc, docs, pdf_text
from tests.foundation.invariants import assert_ledger_invariants
from tests.payments.helpers import fund


def _deliver_accept(client: Api, worker: Api, cid: int, mid: int) -> None:
    assert worker.post(f"/api/contracts/{cid}/milestones/{mid}/deliver").status_code == 200
    r = client.post(f"/api/contracts/{cid}/milestones/{mid}/accept")
    assert r.status_code == 200, r.content


def test_funding_issues_the_invoice_and_the_receipt_release_the_notice_and_fee_invoices(
    client_api: Api, worker_api: Api
) -> None:
    c = make_contract(
        client_api, worker_api, policy="lancers", milestones=[{"title": "記事10本", "amount_jpy": 110_000}]
    )
    mid = c["milestones"][0]["id"]
    assert docs(client_api, c["id"]) == []
    assert fund(client_api, c, mid).status_code == 200
    papers = by_kind(client_api, c["id"])
    assert set(papers) == {"invoice", "receipt"}
    invoice, receipt = papers["invoice"][0], papers["receipt"][0]
    # The worker's invoice to the client: ¥110,000 = ¥100,000 + ¥10,000 tax; not registered, so not qualified.
    assert invoice["qualified"] is False
    assert invoice["lines"] == [{"description": "記事10本", "amount_jpy": 110_000, "tax_rate": 10, "tax_jpy": 10_000}]
    assert (invoice["subtotal_excl_tax_jpy"], invoice["tax_jpy"], invoice["total_jpy"]) == (100_000, 10_000, 110_000)
    assert invoice["withholding_jpy"] == 0
    assert any("適格請求書ではありません" in n for n in invoice["notes"])
    assert invoice["issuer"]["name"].startswith("worker") and invoice["recipient"]["name"].startswith("client")
    # The platform's receipt: the amount plus the lancers client fee (5.5 % = ¥6,050), as charged.
    assert receipt["total_jpy"] == 110_000 + 6_050
    assert receipt["issuer"] == {"name": "株式会社chukai", "registration_number": "T7123456789012"}
    assert receipt["lines"][0]["tax_jpy"] == 10_000 and receipt["lines"][1]["amount_jpy"] == 6_050
    assert receipt["tax_jpy"] == (116_050 * 10) // 110  # one rounding per rate
    text = pdf_text(client_api, receipt["id"])
    for expected in ("領収書", receipt["number"], "¥116,050", "¥10,000", "T7123456789012", "株式会社chukai"):
        assert expected in text, (expected, text)
    text = pdf_text(worker_api, invoice["id"])
    for expected in ("請求書", invoice["number"], "¥110,000", "¥100,000", "¥10,000", "適格請求書ではありません"):
        assert expected in text, (expected, text)
    assert invoice["issuer"]["name"] in text and invoice["recipient"]["name"] in text

    _deliver_accept(client_api, worker_api, c["id"], mid)
    worker_papers = by_kind(worker_api, c["id"])
    assert set(worker_papers) == {"invoice", "payment_notice", "fee_invoice"}  # not the client's receipt
    notice = worker_papers["payment_notice"][0]
    # lancers worker fee 16.5 % of ¥110,000 = ¥18,150; net ¥91,850.
    assert (notice["fee_jpy"], notice["withholding_jpy"], notice["total_jpy"]) == (18_150, 0, 91_850)
    assert notice["tax_jpy"] == 10_000
    text = pdf_text(worker_api, notice["id"])
    for expected in ("支払通知書", "¥110,000", "¥18,150", "¥91,850", notice["number"]):
        assert expected in text, (expected, text)
    fee = worker_papers["fee_invoice"][0]
    assert fee["qualified"] is True and fee["total_jpy"] == 18_150 and fee["tax_jpy"] == 1_650
    assert "T7123456789012" in pdf_text(worker_api, fee["id"])
    client_fee = next(d for d in by_kind(client_api, c["id"])["fee_invoice"])
    assert client_fee["total_jpy"] == 6_050 and client_fee["recipient"]["name"].startswith("client")
    assert_ledger_invariants()


def test_numbers_per_issuer_and_year_without_gaps(client_api: Api, worker_api: Api) -> None:
    c = make_contract(
        client_api,
        worker_api,
        milestones=[{"title": f"第{i}回", "amount_jpy": 10_000 + i} for i in range(1, 4)],
    )
    for m in c["milestones"]:
        assert fund(client_api, c, m["id"]).status_code == 200
    invoices = Document.objects.filter(kind="invoice").order_by("seq")
    assert [d.seq for d in invoices] == [1, 2, 3]
    assert invoices[0].number == f"U{worker_api.user_id}-{invoices[0].year}-000001"
    receipts = Document.objects.filter(kind="receipt").order_by("seq")
    assert [d.seq for d in receipts] == [1, 2, 3]
    assert DocumentCounter.objects.get(issuer_key="platform").last == 3


def test_a_declined_payment_issues_nothing(client_api: Api, worker_api: Api) -> None:
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    r = fund(client_api, c, mid, {"type": "card", "token": "tok_declined"})
    assert r.status_code == 409, r.content
    assert Document.objects.count() == 0 and DocumentCounter.objects.count() == 0
    assert fund(client_api, c, mid).status_code == 200
    assert sorted(d.seq for d in Document.objects.all()) == [1, 1]  # the first numbers, no gap left


def test_strangers_get_404_and_staff_see_everything(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    assert fund(client_api, c, mid).status_code == 200
    receipt = next(d for d in docs(client_api, c["id"]) if d["kind"] == "receipt")
    stranger = signup("stranger")
    assert stranger.get(f"/api/contracts/{c['id']}/documents").status_code == 404
    assert stranger.get(f"/api/documents/{receipt['id']}").status_code == 404
    assert stranger.get(f"/api/documents/{receipt['id']}/pdf").status_code == 404
    # The worker is a party but not the receipt's recipient.
    assert worker_api.get(f"/api/documents/{receipt['id']}").status_code == 404
    assert {d["kind"] for d in docs(staff, c["id"])} == {"invoice", "receipt"}
    assert doc(staff, receipt["id"])["number"] == receipt["number"]
    assert client_api.get("/api/documents/999999").status_code == 404


def test_issuing_is_idempotent(client_api: Api, worker_api: Api) -> None:
    from chukai.contracts.models import Contract, Milestone
    from chukai.documents.services import document_issue

    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    assert fund(client_api, c, mid).status_code == 200
    first = Document.objects.get(kind="invoice")
    contract = Contract.objects.get(pk=c["id"])
    again = document_issue(
        key=f"invoice:{mid}",
        kind="invoice",
        issuer=contract.worker,
        recipient=contract.client,
        contract=contract,
        milestone=Milestone.objects.get(pk=mid),
        body={"lines": [], "total_jpy": 1},
    )
    assert again.pk == first.pk and again.payload == first.payload
    assert DocumentCounter.objects.get(issuer_key=f"user:{worker_api.user_id}").last == 1


def test_the_pdf_is_the_same_every_time(client_api: Api, worker_api: Api) -> None:
    c = make_contract(client_api, worker_api)
    assert fund(client_api, c, c["milestones"][0]["id"]).status_code == 200
    receipt = next(d for d in docs(client_api, c["id"]) if d["kind"] == "receipt")
    a = client_api.get(f"/api/documents/{receipt['id']}/pdf").content
    b = client_api.get(f"/api/documents/{receipt['id']}/pdf").content
    assert a == b


@pytest.mark.parametrize("pay", [0, 20_000])
def test_a_refund_cancels_the_invoice(client_api: Api, worker_api: Api, staff: Api, pay: int) -> None:
    from tests.support.helpers import decide, open_case

    c = make_contract(client_api, worker_api, milestones=[{"title": "原稿", "amount_jpy": 55_000}])
    mid = c["milestones"][0]["id"]
    assert fund(client_api, c, mid).status_code == 200
    got = open_case(client_api, c["id"], "dispute")
    decide(staff, got["id"], "split", pay_worker_jpy=pay)
    papers: dict[str, Any] = by_kind(client_api, c["id"])
    cancellation = papers["cancellation"][0]
    invoice = papers["invoice"][0]
    assert cancellation["cancels"] == {"id": invoice["id"], "number": invoice["number"]}
    assert cancellation["total_jpy"] == -(55_000 - pay)
    assert cancellation["tax_jpy"] == -((55_000 - pay) * 10 // 110)
    text = pdf_text(client_api, cancellation["id"])
    assert invoice["number"] in text and f"-¥{55_000 - pay:,}" in text
    assert ("payment_notice" in by_kind(worker_api, c["id"])) is (pay > 0)
    assert_ledger_invariants()
