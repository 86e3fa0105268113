"""The amounts of a withdrawal and the rules a request must meet: one function each, used by the
quote (the confirm step), the request itself and the pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_noop

from chukai.errors import RuleViolation

if TYPE_CHECKING:
    from chukai.payouts.models import BankAccount

# English msgids (the pages translate them with gettext; the API answers them as they are).
NO_ACCOUNT = gettext_noop("Register a bank account first.")
ACCOUNT_RETURNED = gettext_noop("The last transfer to this account was returned; register the account again.")


def minimum_jpy() -> int:
    return int(settings.CHUKAI_PAYOUT_MINIMUM_JPY)


def fee_jpy() -> int:
    return int(settings.CHUKAI_PAYOUT_FEE_JPY)


def amounts(amount_jpy: int) -> dict[str, int]:
    """What a withdrawal of `amount_jpy` costs and pays: {amount_jpy, fee_jpy, net_jpy}."""
    fee = fee_jpy()
    return {"amount_jpy": amount_jpy, "fee_jpy": fee, "net_jpy": amount_jpy - fee}


def request_check(*, amount_jpy: int, balance_jpy: int, account: BankAccount | None) -> None:
    """Refuse a request the way DOMAIN §10 says (409 no_bank_account, below_minimum,
    insufficient_balance, in that order). The quote calls it without locks; the request
    calls it again under the balance lock."""
    if account is None:
        raise RuleViolation("no_bank_account", NO_ACCOUNT)
    if account.returned_at is not None:
        raise RuleViolation("no_bank_account", ACCOUNT_RETURNED)
    minimum = minimum_jpy()
    if amount_jpy < minimum:
        raise RuleViolation("below_minimum", f"The minimum withdrawal is ¥{minimum:,}.", minimum_jpy=minimum)
    if amount_jpy > balance_jpy:
        raise RuleViolation(
            "insufficient_balance", f"More than your balance (¥{balance_jpy:,}).", balance_jpy=balance_jpy
        )
