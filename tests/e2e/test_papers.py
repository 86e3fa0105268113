"""Papers in the browser (DOMAIN §12): a worker registers their qualified-invoice number on the
account's papers page (a wrong one is refused), escrow is funded, and the worker downloads the
invoice PDF from the contract page; its text names both parties, the amounts and the number."""

from __future__ import annotations

import io

from pypdf import PdfReader

from chukai.accounts.models import User
from chukai.contracts import services as contracts
from chukai.marketplace.services import job_post, proposal_accept, proposal_submit
from tests.e2e.conftest import go, shot, signup


def test_worker_registers_a_number_and_downloads_the_invoice(new_page) -> None:
    client_page, page = new_page(), new_page(390, 844)
    client_email = signup(client_page, "発注商事")
    worker_email = signup(page, "佐藤ゆき")
    client = User.objects.get(email=client_email)
    worker = User.objects.get(email=worker_email)

    go(page, "/account/papers")
    page.fill("#id_legal_name", "佐藤 由紀")
    page.fill("#id_invoice_registration_number", "T2180301018771")  # wrong check digit
    page.click("main button[type=submit]")
    assert page.locator(".errorlist").first.is_visible()
    page.fill("#id_invoice_registration_number", "T1180301018771")
    page.click("main button[type=submit]")
    assert page.locator("#registration-number").inner_text() == "T1180301018771"

    job = job_post(
        client_id=client.pk, title="記事", description="d", budget_jpy=55_000, pricing="fixed", policy="chukai"
    )
    prop = proposal_submit(worker_id=worker.pk, job_id=job.pk, amount_jpy=55_000, message="m")
    c = proposal_accept(client_id=client.pk, proposal_id=prop.pk)
    contracts.milestone_fund(user_id=client.pk, contract_id=c.pk, milestone_id=c.milestones.get().pk)

    go(page, f"/contracts/{c.pk}")
    papers = page.locator("#papers")
    rows = papers.locator("tbody").inner_text()
    assert "請求書" in rows and "領収書" not in rows  # the receipt is the client's
    shot(page, "papers-contract-390")
    with page.expect_download() as download:
        papers.get_by_role("link", name="PDFをダウンロード").first.click()
    data = open(download.value.path(), "rb").read()
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    for expected in ("請求書", "適格請求書", "佐藤 由紀", "発注商事", "T1180301018771", "¥55,000", "¥5,000", "¥50,000"):
        assert expected in text, (expected, text)

    go(client_page, f"/contracts/{c.pk}")
    assert "領収書" in client_page.locator("#papers tbody").inner_text()
    other = new_page()
    signup(other, "stranger")
    doc_id = download.value.url.rstrip("/").split("/")[-1].removesuffix(".pdf")
    response = other.request.get(f"{other.base}/documents/{doc_id}.pdf")
    assert response.status == 404
