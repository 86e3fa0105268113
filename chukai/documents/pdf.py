"""A document as PDF (fpdf2, the IPA Gothic TrueType font embedded as a subset).

Drawn from the stored payload only: the same document gives the same text however often and
whenever it is downloaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from fpdf import FPDF

FONT = "ipag"


def _yen(n: int) -> str:
    return f"¥{n:,}" if n >= 0 else f"-¥{-n:,}"


def render(payload: dict[str, Any]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime.fromisoformat(payload["issued_at"]))  # same bytes each time
    pdf.set_title(f"{payload['title']['ja']} {payload['number']}")
    pdf.add_font(FONT, fname=str(settings.CHUKAI_PDF_FONT))
    pdf.add_page()
    pdf.set_auto_page_break(True, margin=15)
    width = pdf.epw

    pdf.set_font(FONT, size=20)
    pdf.cell(width, 12, f"{payload['title']['ja']}  {payload['title']['en']}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    if payload.get("qualified"):
        pdf.cell(width, 6, "適格請求書 / Qualified invoice", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.cell(width, 6, f"番号 No.: {payload['number']}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 6, f"発行日 Issued: {payload['issued_on']}", align="R", new_x="LMARGIN", new_y="NEXT")

    recipient = payload["recipient"]
    pdf.set_font(FONT, size=13)
    pdf.cell(width, 8, f"{recipient['name']} 様", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    issuer = payload["issuer"]
    pdf.cell(width, 6, f"発行者 Issuer: {issuer['name']}", align="R", new_x="LMARGIN", new_y="NEXT")
    number = issuer.get("registration_number") or "なし / none"
    pdf.cell(width, 6, f"登録番号 Registration No.: {number}", align="R", new_x="LMARGIN", new_y="NEXT")
    contract = payload.get("contract") or {}
    pdf.cell(
        width, 6, f"契約 Contract #{contract.get('id')}: {contract.get('title', '')}", new_x="LMARGIN", new_y="NEXT"
    )
    if payload.get("cancels"):
        pdf.cell(width, 6, f"取り消す書類 Cancels: {payload['cancels']['number']}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    cols = (width * 0.52, width * 0.12, width * 0.18, width * 0.18)
    pdf.set_fill_color(235, 235, 235)
    for text, w in zip(("品目 Description", "税率 Rate", "消費税 Tax", "金額(税込) Amount"), cols, strict=True):
        pdf.cell(w, 7, text, border=1, fill=True)
    pdf.ln()
    for item in payload["lines"]:
        row = (item["description"], f"{item['tax_rate']}%", _yen(item["tax_jpy"]), _yen(item["amount_jpy"]))
        for i, (text, w) in enumerate(zip(row, cols, strict=True)):
            pdf.cell(w, 7, text, border=1, align="L" if i == 0 else "R")
        pdf.ln()
    pdf.ln(3)

    def total_row(label: str, amount: int, size: int = 10) -> None:
        pdf.set_font(FONT, size=size)
        pdf.cell(width * 0.64, 7, "")
        pdf.cell(width * 0.18, 7, label, border="B")
        pdf.cell(width * 0.18, 7, _yen(amount), border="B", align="R", new_x="LMARGIN", new_y="NEXT")

    for rate in payload.get("tax_by_rate", []):
        total_row(f"{rate['tax_rate']}%対象 Subject", rate["amount_jpy"])
        total_row(f"消費税 Tax {rate['tax_rate']}%", rate["tax_jpy"])
    total_row("税抜金額 Excl. tax", payload["subtotal_excl_tax_jpy"])
    if payload.get("withholding_jpy"):
        total_row("源泉徴収税 Withholding", -payload["withholding_jpy"])
    if payload.get("fee_jpy"):
        total_row("手数料 Fee", -payload["fee_jpy"])
    label = "差引支払額 Net" if payload["kind"] == "payment_notice" else "合計 Total"
    total_row(label, payload["total_jpy"], size=12)

    notes = payload.get("notes") or []
    if notes:
        pdf.ln(4)
        pdf.set_font(FONT, size=9)
        for note in notes:
            pdf.multi_cell(width, 5, note, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
