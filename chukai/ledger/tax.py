"""Tax rules of DOMAIN §12, pure: consumption tax inside an amount, withholding income tax
(源泉徴収), the qualified-invoice registration number (適格請求書発行事業者登録番号).

Amounts are integer yen, tax included; every result is rounded down to the yen.
"""

from __future__ import annotations

import re
import unicodedata

CONSUMPTION_TAX_RATE_PERCENT = 10
WITHHOLDING_THRESHOLD_JPY = 1_000_000
# 10.21 % and 20.42 % (income tax + the special reconstruction income tax), in basis points × 100.
_LOW_RATE = 1021  # /10_000
_HIGH_RATE = 2042  # /10_000
_HIGH_BASE_JPY = 102_100  # 1,000,000 × 10.21 %

REGISTRATION_RE = re.compile(r"T[0-9]{13}")
# The ledger account (one per client) mirroring what a client kept back for the tax office while the
# milestone is held: −W at funding, back to 0 when it is settled (DOMAIN §12; tests/foundation/invariants.py).
WITHHOLDING_ACCOUNT = "withholding"


def consumption_tax_in(amount_jpy: int, rate_percent: int = CONSUMPTION_TAX_RATE_PERCENT) -> int:
    """The consumption tax inside a tax-included amount: floor(A × 10 / 110)."""
    if amount_jpy <= 0:
        return -consumption_tax_in(-amount_jpy, rate_percent) if amount_jpy < 0 else 0
    return amount_jpy * rate_percent // (100 + rate_percent)


def excluding_tax(amount_jpy: int, rate_percent: int = CONSUMPTION_TAX_RATE_PERCENT) -> int:
    """The amount without consumption tax: A − floor(A × 10 / 110)."""
    return amount_jpy - consumption_tax_in(amount_jpy, rate_percent)


def withholding_on_base(base_jpy: int) -> int:
    """Withholding income tax on an amount without consumption tax B (DOMAIN §12):
    floor(B × 10.21 %) up to ¥1,000,000, 102,100 + floor((B − 1,000,000) × 20.42 %) above."""
    if base_jpy <= 0:
        return 0
    if base_jpy <= WITHHOLDING_THRESHOLD_JPY:
        return base_jpy * _LOW_RATE // 10_000
    return _HIGH_BASE_JPY + (base_jpy - WITHHOLDING_THRESHOLD_JPY) * _HIGH_RATE // 10_000


def withholding_for(amount_jpy: int, *, applies: bool) -> int:
    """Withholding on a tax-included payment of `amount_jpy`, or 0 when it does not apply
    (no withholding declared, or the worker is a company)."""
    return withholding_on_base(excluding_tax(amount_jpy)) if applies else 0


def corporate_check_digit(base12: str) -> int:
    """The 国税庁 check digit of a 12-digit corporate-number base:
    9 − (Σ Pn × Qn mod 9), Pn the n-th digit from the right, Qn 1 for odd n and 2 for even n."""
    if len(base12) != 12 or not base12.isascii() or not base12.isdigit():
        raise ValueError("12 digits expected")
    total = sum(int(d) * (2 if n % 2 == 0 else 1) for n, d in enumerate(reversed(base12), start=1))
    return 9 - total % 9


def registration_number_valid(number: str) -> bool:
    """`T` and 13 digits whose first digit is the check digit of the other 12."""
    if not REGISTRATION_RE.fullmatch(number or ""):
        return False
    return int(number[1]) == corporate_check_digit(number[2:])


def registration_number_normalize(raw: str) -> str:
    """Accept what people type (full-width, spaces, hyphens, lower-case t); return `T` + 13 digits.
    The result still needs `registration_number_valid`."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    text = re.sub(r"[\s\-‐−ー]", "", text)
    return text[:1].upper() + text[1:] if text else ""
