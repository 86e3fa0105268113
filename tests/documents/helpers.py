from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from tests.conftest import Api


def docs(api: Api, contract_id: int) -> list[dict[str, Any]]:
    r = api.get(f"/api/contracts/{contract_id}/documents")
    assert r.status_code == 200, r.content
    return r.json()


def doc(api: Api, document_id: int) -> dict[str, Any]:
    r = api.get(f"/api/documents/{document_id}")
    assert r.status_code == 200, r.content
    return r.json()


def by_kind(api: Api, contract_id: int) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for d in docs(api, contract_id):
        out.setdefault(d["kind"], []).append(doc(api, d["id"]))
    return out


def pdf_text(api: Api, document_id: int) -> str:
    """Download the PDF and extract its text (the font must be embedded for this to read back)."""
    r = api.get(f"/api/documents/{document_id}/pdf")
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert any(
        "/FontFile2" in str(f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object())
        for f in fonts.values()
    ), "the Japanese font is embedded"
    return "\n".join(page.extract_text() for page in reader.pages)
