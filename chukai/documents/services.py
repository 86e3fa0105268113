"""Issuing papers: inside the transaction that moves the money, numbered per issuer and year
without gaps, idempotent by key (a replay returns the first document and takes no number).

Lock order: the callers hold contract → milestones → ledger; the counter row comes last.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts.models import Contract, Milestone
from chukai.documents import rules
from chukai.documents.models import Document, DocumentCounter
from chukai.ledger.tax import registration_number_valid

JST = ZoneInfo("Asia/Tokyo")
PLATFORM = "platform"


def platform_party() -> dict[str, Any]:
    number = getattr(settings, "CHUKAI_PLATFORM_INVOICE_NUMBER", "")
    return {
        "name": getattr(settings, "CHUKAI_PLATFORM_NAME", "chukai"),
        "registration_number": number if registration_number_valid(number) else "",
    }


def user_party(user: User) -> dict[str, Any]:
    number = getattr(user, "invoice_registration_number", "") or ""
    return {
        "id": user.pk,
        "name": (getattr(user, "legal_name", "") or "").strip() or user.display_name,
        "entity_type": getattr(user, "entity_type", "individual"),
        "registration_number": number if registration_number_valid(number) else "",
    }


def _next_number(issuer_key: str, year: int) -> int:
    counter, _ = DocumentCounter.objects.select_for_update().get_or_create(issuer_key=issuer_key, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def document_issue(
    *,
    key: str,
    kind: str,
    issuer: User | None,
    recipient: User,
    contract: Contract,
    milestone: Milestone | None,
    body: dict[str, Any],
    cancels: Document | None = None,
) -> Document:
    """Write one document (or return the one already issued under `key`)."""
    existing = Document.objects.filter(key=key).first()
    if existing is not None:
        return existing
    now = clock.now()
    year = now.astimezone(JST).year
    issuer_key = PLATFORM if issuer is None else f"user:{issuer.pk}"
    with transaction.atomic():
        seq = _next_number(issuer_key, year)
        prefix = "CK" if issuer is None else f"U{issuer.pk}"
        number = f"{prefix}-{year}-{seq:06d}"
        ja, en = rules.TITLES[kind]
        issuer_info = platform_party() if issuer is None else user_party(issuer)
        qualified = bool(issuer_info["registration_number"]) and kind in ("invoice", "fee_invoice", "receipt")
        payload = {
            "kind": kind,
            "number": number,
            "issued_at": now.isoformat(),
            "issued_on": now.astimezone(JST).date().isoformat(),
            "title": {"ja": ja, "en": en},
            "qualified": qualified,
            "issuer": issuer_info,
            "recipient": user_party(recipient),
            "contract": {"id": contract.pk, "title": contract.title},
            "milestone": {"id": milestone.pk, "title": milestone.title} if milestone else None,
            "cancels": {"id": cancels.pk, "number": cancels.number} if cancels else None,
            "notes": [],
            **body,
        }
        if kind == "invoice" and not qualified:
            payload["notes"] = [rules.NOT_QUALIFIED, rules.NOT_QUALIFIED_EN, *payload["notes"]]
        return Document.objects.create(
            key=key,
            kind=kind,
            issuer_key=issuer_key,
            issuer=issuer,
            recipient=recipient,
            contract=contract,
            milestone=milestone,
            cancels=cancels,
            year=year,
            seq=seq,
            number=number,
            issued_at=now,
            payload=payload,
        )


# --- the money paths (contracts.hooks.money_moved) ---------------------------------------


def on_money_moved(*, contract: Contract | None, milestone: Milestone, event: str, amounts: dict[str, Any]) -> None:
    """Called by chukai.contracts.money inside the money's transaction."""
    if contract is None:
        contract = Contract.objects.get(pk=milestone.contract_id)
    client = User.objects.get(pk=contract.client_id)
    worker = User.objects.get(pk=contract.worker_id)
    if event == "funded":
        _on_funded(contract, milestone, amounts, client=client, worker=worker)
    elif event == "settled":
        _on_settled(contract, milestone, amounts, client=client, worker=worker)


def _withholding_notes(withholding: int) -> list[str]:
    return [rules.WITHHOLDING_NOTE, rules.WITHHOLDING_NOTE_EN] if withholding else []


def _on_funded(contract: Contract, m: Milestone, quote: dict[str, Any], *, client: User, worker: User) -> None:
    amount, fee, withholding = int(quote["amount_jpy"]), int(quote["client_fee_jpy"]), int(quote["withholding_jpy"])
    invoice = rules.totals([rules.line(m.title, amount)], withholding_jpy=withholding)
    invoice["notes"] = _withholding_notes(withholding)
    document_issue(
        key=f"invoice:{m.pk}",
        kind=Document.INVOICE,
        issuer=worker,
        recipient=client,
        contract=contract,
        milestone=m,
        body=invoice,
    )
    lines = [rules.line(m.title, amount)]
    if fee:
        lines.append(rules.line("システム利用料 / Client fee", fee))
    receipt = rules.totals(lines, withholding_jpy=withholding)
    receipt["paid_from_balance_jpy"] = int(quote.get("from_balance_jpy", 0))
    receipt["paid_by_method_jpy"] = int(quote.get("charge_jpy", 0))
    receipt["notes"] = [
        "仮払い（エスクロー）としてお預かりしました。",
        "Received and held in escrow for the milestone.",
        *_withholding_notes(withholding),
    ]
    document_issue(
        key=f"receipt:{m.pk}",
        kind=Document.RECEIPT,
        issuer=None,
        recipient=client,
        contract=contract,
        milestone=m,
        body=receipt,
    )


def _on_settled(contract: Contract, m: Milestone, split: dict[str, Any], *, client: User, worker: User) -> None:
    paid = int(split["pay_worker_jpy"])  # the part of the amount paid for (fee and withholding inside)
    worker_fee = int(split["worker_fee_jpy"])
    withholding = int(split.get("withholding_jpy", 0))
    if paid > 0:
        notice = rules.totals([rules.line(m.title, paid)], withholding_jpy=withholding, fee_jpy=worker_fee)
        notice["net_jpy"] = notice["total_jpy"]
        notice["notes"] = _withholding_notes(withholding)
        document_issue(
            key=f"payment_notice:{m.pk}",
            kind=Document.PAYMENT_NOTICE,
            issuer=client,
            recipient=worker,
            contract=contract,
            milestone=m,
            body=notice,
        )
    if worker_fee:
        document_issue(
            key=f"fee_invoice:worker:{m.pk}",
            kind=Document.FEE_INVOICE,
            issuer=None,
            recipient=worker,
            contract=contract,
            milestone=m,
            body={**rules.totals([rules.line(f"システム利用料 / Fee: {m.title}", worker_fee)]), "notes": []},
        )
    client_fee = int(split["platform_jpy"]) - worker_fee
    if client_fee > 0:
        document_issue(
            key=f"fee_invoice:client:{m.pk}",
            kind=Document.FEE_INVOICE,
            issuer=None,
            recipient=client,
            contract=contract,
            milestone=m,
            body={**rules.totals([rules.line(f"システム利用料 / Fee: {m.title}", client_fee)]), "notes": []},
        )
    unpaid = m.amount_jpy - paid
    invoice = Document.objects.filter(key=f"invoice:{m.pk}").first()
    if unpaid > 0 and invoice is not None:
        cancelled_withholding = int(invoice.payload.get("withholding_jpy", 0)) - withholding
        body = rules.totals(
            [rules.line(f"取消 / Cancelled: {m.title}", -unpaid)], withholding_jpy=-cancelled_withholding
        )
        body["notes"] = [
            f"請求書 {invoice.number} のうち返金された分を取り消します。",
            f"Cancels the refunded part of invoice {invoice.number}.",
        ]
        document_issue(
            key=f"cancellation:{m.pk}",
            kind=Document.CANCELLATION,
            issuer=worker,
            recipient=client,
            contract=contract,
            milestone=m,
            body=body,
            cancels=invoice,
        )


def issued_on(document: Document) -> dt.date:
    return document.issued_at.astimezone(JST).date()
