"""The amounts of a withdrawal: one function, used by the quote, the request and the pages."""

from __future__ import annotations

from django.conf import settings


def minimum_jpy() -> int:
    return int(settings.CHUKAI_PAYOUT_MINIMUM_JPY)


def fee_jpy() -> int:
    return int(settings.CHUKAI_PAYOUT_FEE_JPY)


def amounts(amount_jpy: int) -> dict[str, int]:
    """What a withdrawal of `amount_jpy` costs and pays: {amount_jpy, fee_jpy, net_jpy}."""
    fee = fee_jpy()
    return {"amount_jpy": amount_jpy, "fee_jpy": fee, "net_jpy": amount_jpy - fee}
