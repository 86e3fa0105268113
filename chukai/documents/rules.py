"""What each paper says (DOMAIN §12), as plain data: pure, so a test can check it line by line.

Amounts are tax included (10 %); the tax of a document is computed once per rate on the sum
of its lines at that rate (the qualified-invoice rule: one rounding per rate and document).
"""

from __future__ import annotations

from typing import Any

from chukai.ledger.tax import CONSUMPTION_TAX_RATE_PERCENT, consumption_tax_in

TITLES = {
    "invoice": ("請求書", "Invoice"),
    "receipt": ("領収書", "Receipt"),
    "payment_notice": ("支払通知書", "Payment notice"),
    "fee_invoice": ("請求書（手数料）", "Invoice for fees"),
    "cancellation": ("取消通知書", "Cancellation"),
}

NOT_QUALIFIED = "発行者は適格請求書発行事業者の登録がないため、この請求書は適格請求書ではありません。"
NOT_QUALIFIED_EN = "The issuer is not a registered qualified-invoice issuer: this is not a qualified invoice."
WITHHOLDING_NOTE = "源泉徴収税額は支払者が税務署に納付します。"
WITHHOLDING_NOTE_EN = "The payer pays the withheld income tax to the tax office."
WITHHOLDING_IGNORED = "受注者が法人のため源泉徴収は行いません。"
WITHHOLDING_IGNORED_EN = "The worker is a company: no income tax is withheld."


def line(description: str, amount_jpy: int, rate: int = CONSUMPTION_TAX_RATE_PERCENT) -> dict[str, Any]:
    return {
        "description": description,
        "amount_jpy": amount_jpy,
        "tax_rate": rate,
        "tax_jpy": consumption_tax_in(amount_jpy, rate),
    }


def totals(lines: list[dict[str, Any]], *, withholding_jpy: int = 0, fee_jpy: int = 0) -> dict[str, Any]:
    """Tax per rate, the amount without tax, and the total after withholding and fee."""
    by_rate: dict[int, int] = {}
    for item in lines:
        by_rate[item["tax_rate"]] = by_rate.get(item["tax_rate"], 0) + item["amount_jpy"]
    rates = [
        {"tax_rate": rate, "amount_jpy": amount, "tax_jpy": consumption_tax_in(amount, rate)}
        for rate, amount in sorted(by_rate.items())
    ]
    gross = sum(by_rate.values())
    tax = sum(r["tax_jpy"] for r in rates)
    return {
        "lines": lines,
        "tax_by_rate": rates,
        "amount_incl_tax_jpy": gross,
        "subtotal_excl_tax_jpy": gross - tax,
        "tax_jpy": tax,
        "withholding_jpy": withholding_jpy,
        "fee_jpy": fee_jpy,
        "total_jpy": gross - withholding_jpy - fee_jpy,
    }
