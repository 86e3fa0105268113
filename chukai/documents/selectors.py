"""Reading papers: a document is seen by its issuer, its recipient and staff (404 for anyone else)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from chukai.accounts.models import User
from chukai.contracts.selectors import contract_for
from chukai.documents.models import Document
from chukai.errors import NotFound


def _visible(user: User) -> Q:
    return Q() if user.is_staff else Q(issuer=user) | Q(recipient=user)


def documents_of_contract(*, user: User, contract_id: int) -> list[dict[str, Any]]:
    contract = contract_for(user=user, contract_id=contract_id)  # 404 for a stranger
    rows = Document.objects.filter(_visible(user), contract=contract).order_by("issued_at", "id")
    return [summary(d) for d in rows]


def documents_of_user(*, user: User) -> list[dict[str, Any]]:
    rows = Document.objects.filter(Q(issuer=user) | Q(recipient=user)).order_by("-issued_at", "-id")
    return [summary(d) for d in rows.select_related("contract")]


def document_for(*, user: User, document_id: int) -> Document:
    doc = Document.objects.filter(_visible(user), pk=document_id).first()
    if doc is None:
        raise NotFound("No such document.")
    return doc


def summary(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.pk,
        "kind": doc.kind,
        "number": doc.number,
        "issued_at": doc.issued_at,
        "contract_id": doc.contract_id,
        "milestone_id": doc.milestone_id,
        "total_jpy": doc.payload.get("total_jpy"),
    }


def detail(doc: Document) -> dict[str, Any]:
    """The stored payload, as issued (API.md: id, kind, number, issued_at, qualified, issuer,
    recipient, lines, subtotal_excl_tax_jpy, tax_jpy, withholding_jpy, total_jpy, and more)."""
    return {"id": doc.pk, "milestone_id": doc.milestone_id, "contract_id": doc.contract_id, **doc.payload}


KIND_WORDS = {
    "invoice": ("請求書", "Invoice"),
    "receipt": ("領収書", "Receipt"),
    "payment_notice": ("支払通知書", "Payment notice"),
    "fee_invoice": ("手数料の請求書", "Invoice for fees"),
    "cancellation": ("取消通知書", "Cancellation"),
}


def papers_for_page(*, user: Any, contract_id: int | None = None) -> list[dict[str, Any]]:
    """The reader's papers (of one contract, or all of theirs), newest first, in the page's language."""
    from django.utils.translation import get_language

    if not getattr(user, "is_authenticated", False):
        return []
    rows = Document.objects.filter(_visible(user) if contract_id is not None else Q(issuer=user) | Q(recipient=user))
    if contract_id is not None:
        rows = rows.filter(contract_id=contract_id)
    ja = (get_language() or "ja").startswith("ja")
    out = []
    for d in rows.select_related("milestone").order_by("-issued_at", "-id")[:500]:
        words = KIND_WORDS.get(d.kind, (d.kind, d.kind))
        out.append(
            {
                "id": d.pk,
                "kind": words[0] if ja else words[1],
                "number": d.number,
                "issued_on": d.payload.get("issued_on", ""),
                "milestone": d.milestone.title if d.milestone else "",
                "contract_id": d.contract_id,
                "total_jpy": d.payload.get("total_jpy"),
                "received": d.recipient_id == user.pk,
            }
        )
    return out


def withholding_statement(*, user: Any, year: int) -> list[dict[str, Any]]:
    """Per worker, what the client paid them in `year` (JST) and withheld (the data a 支払調書 needs),
    summed from the payment notices the client issued — the same figures the papers show."""
    rows: dict[int, dict[str, Any]] = {}
    notices = Document.objects.filter(issuer=user, kind=Document.PAYMENT_NOTICE, year=year).order_by("id")
    for d in notices:
        p = d.payload
        row = rows.setdefault(
            d.recipient_id,
            {"worker_id": d.recipient_id, "worker_name": p["recipient"]["name"], "paid_jpy": 0, "withheld_jpy": 0},
        )
        row["paid_jpy"] += int(p.get("amount_incl_tax_jpy", 0))
        row["withheld_jpy"] += int(p.get("withholding_jpy", 0))
    return sorted(rows.values(), key=lambda r: r["worker_id"])
