"""Who the parties are on papers: PATCH /api/me with entity type, legal name and registration number."""

from __future__ import annotations

import json
from typing import Any

from chukai.documents.models import Document
from tests.conftest import Api, make_contract
from tests.documents.helpers import by_kind, pdf_text
from tests.payments.helpers import fund


def patch_me(api: Api, body: dict[str, Any]) -> Any:
    return api.client.patch(
        "/api/me", data=json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api.token}"
    )


def test_registration_number_checked_normalized_and_cleared(worker_api: Api) -> None:
    me = worker_api.get("/api/me").json()
    assert (me["entity_type"], me["legal_name"], me["invoice_registration_number"]) == ("individual", "", None)
    r = patch_me(worker_api, {"invoice_registration_number": "T2180301018771"})  # wrong check digit
    assert r.status_code == 422 and "invoice_registration_number" in r.json()["fields"]
    r = patch_me(worker_api, {"invoice_registration_number": "1180301018771"})  # no T
    assert r.status_code == 422
    r = patch_me(
        worker_api, {"invoice_registration_number": "Ｔ１-１８０３-０１０１-８７７１", "legal_name": "山田 花子"}
    )
    assert r.status_code == 200, r.content
    assert r.json()["invoice_registration_number"] == "T1180301018771" and r.json()["legal_name"] == "山田 花子"
    assert worker_api.get("/api/me").json()["invoice_registration_number"] == "T1180301018771"
    r = patch_me(worker_api, {"invoice_registration_number": None})
    assert r.status_code == 200 and r.json()["invoice_registration_number"] is None


def test_bad_fields_are_refused_and_change_nothing(worker_api: Api) -> None:
    for body in (
        {"entity_type": "llc"},
        {"legal_name": "a\nb"},
        {"legal_name": "x" * 201},
        {"entity_type": None},
        {"time_zone": "Mars/Olympus"},
        {"nickname": "x"},
        {"legal_name": "株式会社テスト", "invoice_registration_number": "T0000000000000"},
    ):
        r = patch_me(worker_api, body)
        assert r.status_code == 422, (body, r.content)
    me = worker_api.get("/api/me").json()
    assert (me["entity_type"], me["legal_name"]) == ("individual", "")


def test_a_registered_worker_issues_a_qualified_invoice_kept_unchanged(client_api: Api, worker_api: Api) -> None:
    r = patch_me(
        worker_api,
        {"entity_type": "company", "legal_name": "株式会社ライター", "invoice_registration_number": "T5010401067252"},
    )
    assert r.status_code == 200, r.content
    assert patch_me(client_api, {"legal_name": "発注株式会社", "entity_type": "company"}).status_code == 200
    c = make_contract(client_api, worker_api, milestones=[{"title": "LP制作", "amount_jpy": 330_000}])
    assert fund(client_api, c, c["milestones"][0]["id"]).status_code == 200
    invoice = by_kind(client_api, c["id"])["invoice"][0]
    assert invoice["qualified"] is True and invoice["notes"] == []
    assert invoice["issuer"]["name"] == "株式会社ライター"
    assert invoice["issuer"]["registration_number"] == "T5010401067252"
    assert invoice["recipient"]["name"] == "発注株式会社"
    assert invoice["tax_jpy"] == 30_000 and invoice["subtotal_excl_tax_jpy"] == 300_000
    text = pdf_text(client_api, invoice["id"])
    for expected in (
        "適格請求書",
        "株式会社ライター",
        "発注株式会社",
        "T5010401067252",
        "¥330,000",
        "¥30,000",
        "¥300,000",
    ):
        assert expected in text, (expected, text)
    # Changing names or the number later never changes an issued paper.
    before = Document.objects.get(pk=invoice["id"]).payload
    assert patch_me(worker_api, {"legal_name": "改名株式会社", "invoice_registration_number": None}).status_code == 200
    assert Document.objects.get(pk=invoice["id"]).payload == before
    assert "株式会社ライター" in pdf_text(client_api, invoice["id"])
