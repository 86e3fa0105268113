"""Papers over HTTP (API.md "Tax and papers")."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from chukai import clock
from chukai.api import caller, ok
from chukai.documents import exports, pdf, selectors

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


@router.get("/me/withholding-statement", response=list)
def withholding_statement(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100),
    format: Literal["json", "csv"] = "json",
) -> HttpResponse:
    """Per worker, paid and withheld in a year (JST) by the caller as payer (API.md "Tax and papers")."""
    user = caller(request)
    year = year or clock.now().astimezone(exports.TOKYO).year
    rows = selectors.withholding_statement(user=user, year=year)
    if format == "csv":
        body = exports.withholding_statement_csv(user=user, year=year, rows=rows)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="chukai-withholding-{year}.csv"'
        return response
    return ok(rows)
