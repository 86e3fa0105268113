from __future__ import annotations

from django.db.models import Q, Sum

from chukai.ledger.models import Account, Leg


def user_balance_jpy(user_id: int) -> int:
    total = Leg.objects.filter(account__kind=Account.BALANCE, account__user_id=user_id).aggregate(s=Sum("amount"))
    return int(total["s"] or 0)


def escrow_balance_jpy(contract_id: int) -> int:
    total = Leg.objects.filter(account__kind=Account.ESCROW, account__contract_id=contract_id).aggregate(
        s=Sum("amount")
    )
    return int(total["s"] or 0)


def user_ledger_entries(user_id: int) -> list[dict[str, object]]:
    """The caller's balance movements, and the card charges that funded their escrows."""
    legs = (
        Leg.objects.filter(
            Q(account__kind=Account.BALANCE, account__user_id=user_id)
            | Q(account__kind=Account.GATEWAY_IN, transaction__contract__client_id=user_id)
        )
        .select_related("transaction", "account")
        .order_by("transaction__created_at", "id")
    )
    running = 0
    out: list[dict[str, object]] = []
    for leg in legs:
        on_balance = leg.account.kind == Account.BALANCE
        if on_balance:
            running += leg.amount
        txn = leg.transaction
        out.append(
            {
                "id": leg.pk,
                "at": txn.created_at,
                "kind": txn.kind,
                "source": "balance" if on_balance else "card",
                "amount_jpy": leg.amount,
                "balance_jpy": running,
                "contract_id": txn.contract_id,
                "milestone_id": txn.milestone_id,
                "memo": txn.memo,
            }
        )
    return out


def account_balances() -> dict[int, int]:
    rows = Leg.objects.values("account_id").annotate(s=Sum("amount"))
    return {r["account_id"]: int(r["s"] or 0) for r in rows}
