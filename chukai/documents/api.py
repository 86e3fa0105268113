"""Papers over HTTP (API.md "Tax and papers")."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from chukai.api import caller, ok
from chukai.documents import pdf, selectors

router = Router(tags=["documents"])


@router.get("/contracts/{contract_id}/documents", response=list)
def contract_documents(request: HttpRequest, contract_id: int) -> HttpResponse:
    return ok(selectors.documents_of_contract(user=caller(request), contract_id=contract_id))


@router.get("/me/documents", response=list)
def my_documents(request: HttpRequest) -> HttpResponse:
    return ok(selectors.documents_of_user(user=caller(request)))


@router.get("/documents/{document_id}", response=dict)
def document(request: HttpRequest, document_id: int) -> HttpResponse:
    return ok(selectors.detail(selectors.document_for(user=caller(request), document_id=document_id)))


@router.get("/documents/{document_id}/pdf")
def document_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = selectors.document_for(user=caller(request), document_id=document_id)
    response = HttpResponse(pdf.render(doc.payload), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="chukai-{doc.kind}-{doc.number}.pdf"'
    return response
