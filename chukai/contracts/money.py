"""Milestone money movements: each is one ledger transaction keyed by the milestone.

Callers hold the contract lock and have the milestone row locked.
"""

from __future__ import annotations

from chukai import clock
from chukai.contracts import hooks
from chukai.contracts.models import Contract, Milestone
from chukai.ledger.fees import fee_for_part
from chukai.ledger.models import Account
from chukai.ledger.services import account_for, balance_of, transaction_post
from chukai.payments.gateway import get_gateway


def client_fee_for(contract: Contract, milestones: list[Milestone], milestone: Milestone) -> int:
    already = sum(m.amount_jpy for m in milestones if m.funded_at is not None and m.pk != milestone.pk)
    return fee_for_part(contract.policy["fees"].get("client"), milestone.amount_jpy, already=already)


def worker_fee_for(contract: Contract, milestones: list[Milestone], amount: int, *, exclude_id: int) -> int:
    already = sum(m.worker_paid_jpy + m.worker_fee_jpy for m in milestones if m.pk != exclude_id)
    return fee_for_part(contract.policy["fees"]["worker"], amount, already=already)


def escrow_fund(*, contract: Contract, milestones: list[Milestone], milestone: Milestone) -> dict[str, int]:
    """Charge the client (balance first, then the card) and hold amount + client fee in escrow."""
    fee = client_fee_for(contract, milestones, milestone)
    total = milestone.amount_jpy + fee
    # The client's balance is shared by all their contracts: lock it (after the contract, as
    # always) so two fundings on two contracts cannot both spend the same yen.
    balance = account_for(Account.BALANCE, user_id=contract.client_id)
    Account.objects.select_for_update().filter(pk=balance.pk).first()
    from_balance = min(max(balance_of(balance), 0), total)
    from_card = total - from_balance
    key = f"fund:{milestone.pk}"
    if from_card:
        get_gateway().charge(user_id=contract.client_id, amount_jpy=from_card, key=key)
    transaction_post(
        kind="fund",
        key=key,
        contract_id=contract.pk,
        milestone_id=milestone.pk,
        memo=milestone.title,
        legs=[
            (account_for(Account.GATEWAY_IN), -from_card),
            (balance, -from_balance),
            (account_for(Account.ESCROW, contract_id=contract.pk), total),
        ],
    )
    milestone.client_fee_jpy = fee
    milestone.status = Milestone.ESCROWED
    milestone.funded_at = clock.now()
    milestone.save()
    return {
        "amount_jpy": milestone.amount_jpy,
        "client_fee_jpy": fee,
        "from_balance_jpy": from_balance,
        "from_card_jpy": from_card,
    }


def settle_amounts(
    *, contract: Contract, milestones: list[Milestone], milestone: Milestone, pay_worker_jpy: int
) -> dict[str, int | str]:
    """What closing a held milestone would move; pure, so previews agree with the real thing.

    `pay_worker_jpy` goes to the worker less the fee, the rest back to the
    client: all → paid, none → refunded, part → settled. The client fee is
    earned in proportion to what the worker is paid and refunded for the rest.
    """
    held = milestone.amount_jpy + milestone.client_fee_jpy
    worker_fee = worker_fee_for(contract, milestones, pay_worker_jpy, exclude_id=milestone.pk)
    client_fee_earned = milestone.client_fee_jpy * pay_worker_jpy // milestone.amount_jpy
    if pay_worker_jpy == milestone.amount_jpy:
        status = Milestone.PAID
    elif pay_worker_jpy == 0:
        status = Milestone.REFUNDED
    else:
        status = Milestone.SETTLED
    return {
        "becomes": status,
        "held_jpy": held,
        "worker_jpy": pay_worker_jpy - worker_fee,
        "worker_fee_jpy": worker_fee,
        "client_jpy": held - pay_worker_jpy - client_fee_earned,
        "platform_jpy": worker_fee + client_fee_earned,
    }


def escrow_settle(
    *, contract: Contract, milestones: list[Milestone], milestone: Milestone, pay_worker_jpy: int, reason: str
) -> dict[str, int | str]:
    """Close a held milestone as `settle_amounts` says, in one ledger transaction."""
    assert milestone.status in Milestone.HOLDING, milestone.status
    assert 0 <= pay_worker_jpy <= milestone.amount_jpy
    split = settle_amounts(contract=contract, milestones=milestones, milestone=milestone, pay_worker_jpy=pay_worker_jpy)
    held, worker_fee = int(split["held_jpy"]), int(split["worker_fee_jpy"])
    to_worker, to_client = int(split["worker_jpy"]), int(split["client_jpy"])
    status = str(split["becomes"])
    kind = {Milestone.PAID: "release", Milestone.REFUNDED: "refund"}.get(status, "split")
    transaction_post(
        kind=kind,
        key=f"settle:{milestone.pk}",
        contract_id=contract.pk,
        milestone_id=milestone.pk,
        memo=f"{milestone.title} ({reason})",
        legs=[
            (account_for(Account.ESCROW, contract_id=contract.pk), -held),
            (account_for(Account.BALANCE, user_id=contract.worker_id), to_worker),
            (account_for(Account.BALANCE, user_id=contract.client_id), to_client),
            (account_for(Account.FEES), int(split["platform_jpy"])),
        ],
    )
    milestone.status = status
    milestone.settled_at = clock.now()
    milestone.worker_paid_jpy = to_worker
    milestone.worker_fee_jpy = worker_fee
    milestone.client_refunded_jpy = to_client
    milestone.save()
    _tell_money_received(
        contract,
        milestone,
        kind=kind,
        reason=reason,
        amounts=((contract.worker_id, to_worker), (contract.client_id, to_client)),
    )
    return split

def _tell_money_received(
    contract: Contract, milestone: Milestone, *, kind: str, reason: str, amounts: tuple[tuple[int, int], ...]
) -> None:
    """DOMAIN §10: whoever money reaches is told the exact amount and why (texts: chukai.payouts.texts)."""
    for user_id, amount in amounts:
        if amount > 0:
            hooks.notify(
                contract=contract,
                user_id=user_id,
                kind="payment_received",
                params={
                    "amount_jpy": amount,
                    "milestone": milestone.title,
                    "milestone_id": milestone.pk,
                    "settle_kind": kind,
                    "reason": reason,
                },
            )
