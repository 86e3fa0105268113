"""The only writers of money. Each call posts one balanced, idempotent transaction."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Sum

from chukai import clock
from chukai.ledger.models import Account, LedgerTransaction, Leg


class UnbalancedTransaction(Exception):
    pass


def account_for(kind: str, *, user_id: int | None = None, contract_id: int | None = None) -> Account:
    account, _ = Account.objects.get_or_create(kind=kind, user_id=user_id, contract_id=contract_id)
    return account


def transaction_post(
    *,
    kind: str,
    key: str,
    legs: list[tuple[Account, int]],
    contract_id: int | None = None,
    milestone_id: int | None = None,
    memo: str = "",
) -> LedgerTransaction:
    """Post `legs` as one transaction; a repeat with the same key returns the first one."""
    legs = [(acc, amount) for acc, amount in legs if amount != 0]
    if sum(amount for _, amount in legs) != 0:
        raise UnbalancedTransaction(f"{kind} {key}: legs sum to {sum(a for _, a in legs)}")
    existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            txn = LedgerTransaction.objects.create(
                kind=kind,
                idempotency_key=key,
                contract_id=contract_id,
                milestone_id=milestone_id,
                created_at=clock.now(),
                memo=memo[:300],
            )
            Leg.objects.bulk_create([Leg(transaction=txn, account=acc, amount=amount) for acc, amount in legs])
    except IntegrityError:
        return LedgerTransaction.objects.get(idempotency_key=key)
    return txn


def balance_of(account: Account | None) -> int:
    if account is None or account.pk is None:
        return 0
    return int(Leg.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0)
