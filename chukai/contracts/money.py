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
from chukai.ledger.tax import WITHHOLDING_ACCOUNT, withholding_for
from chukai.payments.models import Payment


def client_fee_for(contract: Contract, milestones: list[Milestone], milestone: Milestone) -> int:
    already = sum(m.amount_jpy for m in milestones if m.funded_at is not None and m.pk != milestone.pk)
    return fee_for_part(contract.policy["fees"].get("client"), milestone.amount_jpy, already=already)


def worker_fee_for(contract: Contract, milestones: list[Milestone], amount: int, *, exclude_id: int) -> int:
    already = sum(m.worker_paid_jpy + m.worker_fee_jpy + _withheld_paid(m) for m in milestones if m.pk != exclude_id)
    return fee_for_part(contract.policy["fees"]["worker"], amount, already=already)


def _withheld_paid(m: Milestone) -> int:
    """Withholding on the part already paid (a held milestone's withholding is not paid yet)."""
    return m.withholding_jpy if m.settled_at is not None else 0


def fund_quote(
    *, contract: Contract, milestones: list[Milestone], milestone: Milestone, balance_jpy: int
) -> dict[str, int]:
    """What funding `milestone` costs the client (DOMAIN §11); pure, so the preview and the
    confirmation page show exactly what the funding then charges.

    total = amount − withholding + client fee = from_balance + charge: the client's platform
    balance is used first, the payment method (card or bank transfer) brings the rest.
    """
    fee = client_fee_for(contract, milestones, milestone)
    withholding = withholding_for(milestone.amount_jpy, applies=contract.withholding_tax)  # DOMAIN §12
    total = milestone.amount_jpy - withholding + fee
    from_balance = min(max(balance_jpy, 0), total)
    return {
        "amount_jpy": milestone.amount_jpy,
        "client_fee_jpy": fee,
        "withholding_jpy": withholding,
        "from_balance_jpy": from_balance,
        "charge_jpy": total - from_balance,
        "total_jpy": total,
    }


def client_balance_lock(contract: Contract) -> tuple[Account, int]:
    """Lock the client's balance account (after the contract, as always) and read it.

    The balance is shared by all the client's contracts: two fundings on two contracts
    cannot both spend the same yen.
    """
    balance = account_for(Account.BALANCE, user_id=contract.client_id)
    Account.objects.select_for_update().filter(pk=balance.pk).first()
    return balance, balance_of(balance)


def escrow_fund(
    *,
    contract: Contract,
    milestones: list[Milestone],
    milestone: Milestone,
    quote: dict[str, int],
    balance: Account,
    from_gateway_jpy: int,
    key: str,
) -> dict[str, int]:
    """Hold the quote's total in escrow: the balance part from the client's balance, the rest
    from the gateway (a card charge already made, or bank transfers already received)."""
    assert quote["from_balance_jpy"] + from_gateway_jpy <= quote["total_jpy"]
    transaction_post(
        kind="fund",
        key=key,
        contract_id=contract.pk,
        milestone_id=milestone.pk,
        memo=milestone.title,
        legs=[
            (account_for(Account.GATEWAY_IN), -from_gateway_jpy),
            (balance, -quote["from_balance_jpy"]),
            (account_for(Account.ESCROW, contract_id=contract.pk), quote["from_balance_jpy"] + from_gateway_jpy),
        ],
    )
    return escrow_mark_funded(milestone=milestone, quote=quote)


def escrow_mark_funded(*, milestone: Milestone, quote: dict[str, int]) -> dict[str, int]:
    """The milestone's money is all in escrow now: it is escrowed.

    With withholding (DOMAIN §12) the client paid amount − W + fee; the W it keeps back for the tax
    office is booked from its `withholding` mirror account, so escrow holds amount + client fee as
    for any milestone (DOMAIN §2's invariant) and the mirror shows what the client kept back."""
    withholding = quote["withholding_jpy"]
    if withholding:
        client_id = Contract.objects.filter(pk=milestone.contract_id).values_list("client_id", flat=True).get()
        transaction_post(
            kind="withholding_hold",
            key=f"withholding:{milestone.pk}",
            contract_id=milestone.contract_id,
            milestone_id=milestone.pk,
            memo=f"{milestone.title} (源泉徴収 kept back by the client)",
            legs=[
                (account_for(WITHHOLDING_ACCOUNT, user_id=client_id), -withholding),
                (account_for(Account.ESCROW, contract_id=milestone.contract_id), withholding),
            ],
        )
    milestone.withholding_jpy = withholding
    milestone.client_fee_jpy = quote["client_fee_jpy"]
    milestone.status = Milestone.ESCROWED
    milestone.funded_at = clock.now()
    milestone.save()
    hooks.money_moved(contract=None, milestone=milestone, event="funded", amounts=quote)
    return {
        "amount_jpy": quote["amount_jpy"],
        "client_fee_jpy": quote["client_fee_jpy"],
        "withholding_jpy": quote["withholding_jpy"],
        "from_balance_jpy": quote["from_balance_jpy"],
        "from_card_jpy": quote["charge_jpy"],
        "charge_jpy": quote["charge_jpy"],
        "total_jpy": quote["total_jpy"],
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
    # Withholding (DOMAIN §12): on the part paid, never more than was kept back; the rest of what the
    # client kept back is simply theirs again (it never came in).
    kept_back = milestone.withholding_jpy
    withheld = min(withholding_for(pay_worker_jpy, applies=kept_back > 0), kept_back)
    if pay_worker_jpy == milestone.amount_jpy:
        status = Milestone.PAID
    elif pay_worker_jpy == 0:
        status = Milestone.REFUNDED
    else:
        status = Milestone.SETTLED
    return {
        "becomes": status,
        "held_jpy": held,
        "worker_jpy": pay_worker_jpy - withheld - worker_fee,
        "worker_fee_jpy": worker_fee,
        "withholding_jpy": withheld,
        "withholding_released_jpy": kept_back,
        "client_jpy": held - pay_worker_jpy - client_fee_earned - (kept_back - withheld),
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
            (account_for(WITHHOLDING_ACCOUNT, user_id=contract.client_id), int(split["withholding_released_jpy"])),
        ],
    )
    milestone.withholding_jpy = int(split["withholding_jpy"])
    milestone.status = status
    milestone.settled_at = clock.now()
    milestone.worker_paid_jpy = to_worker
    milestone.worker_fee_jpy = worker_fee
    milestone.client_refunded_jpy = to_client
    milestone.save()
    hooks.money_moved(
        contract=contract, milestone=milestone, event="settled", amounts={**split, "pay_worker_jpy": pay_worker_jpy}
    )
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
                    # What the money is to this recipient: the client only ever gets escrow back.
                    "settle_kind": kind if user_id == contract.worker_id else "refund",
                    "reason": reason,
                },
            )


# --- bank transfers waiting to arrive (DOMAIN §11) ------------------------------------------


def transfer_hold(*, contract: Contract, milestone: Milestone, payment: Payment, balance: Account) -> None:
    """A bank transfer was chosen: the balance part of the quote waits in escrow with the transfer."""
    transaction_post(
        kind="transfer_hold",
        key=f"transfer_hold:{payment.pk}",
        contract_id=contract.pk,
        milestone_id=milestone.pk,
        memo=f"{milestone.title} (bank transfer pending)",
        legs=[
            (balance, -payment.from_balance_jpy),
            (account_for(Account.ESCROW, contract_id=contract.pk), payment.from_balance_jpy),
        ],
    )


def transfer_receive(
    *, contract: Contract, payment: Payment, event_id: str, amount_jpy: int, late: bool
) -> dict[str, int]:
    """Money arrived from the gateway for `payment`: up to what is still due goes to escrow,
    an excess — or all of it when the payment no longer waits (late) — to the client's balance."""
    due = payment.amount_due_jpy - payment.paid_jpy
    applied = 0 if late or payment.status != Payment.PENDING else min(amount_jpy, max(due, 0))
    to_balance = amount_jpy - applied
    transaction_post(
        kind="transfer_in",
        key=f"transfer_in:{event_id}",
        contract_id=contract.pk,
        milestone_id=payment.milestone_id,
        memo=f"bank transfer {event_id}",
        legs=[
            (account_for(Account.GATEWAY_IN), -amount_jpy),
            (account_for(Account.ESCROW, contract_id=contract.pk), applied),
            (account_for(Account.BALANCE, user_id=contract.client_id), to_balance),
        ],
    )
    payment.paid_jpy += applied
    return {"applied_jpy": applied, "to_balance_jpy": to_balance}


def transfer_release(*, contract: Contract, payment: Payment, status: str) -> int:
    """A pending transfer ends unfinished (expired, or the contract ended): what it held in
    escrow — the balance part and what had arrived — goes to the client's balance, never lost."""
    held = payment.held_jpy
    transaction_post(
        kind="transfer_release",
        key=f"transfer_release:{payment.pk}",
        contract_id=contract.pk,
        milestone_id=payment.milestone_id,
        memo=f"bank transfer {status}",
        legs=[
            (account_for(Account.ESCROW, contract_id=contract.pk), -held),
            (account_for(Account.BALANCE, user_id=contract.client_id), held),
        ],
    )
    payment.status = status
    payment.updated_at = clock.now()
    payment.save(update_fields=["status", "updated_at"])
    return held


def pending_payments(milestones: list[Milestone]) -> dict[int, Payment]:
    """The pending payment of each milestone awaiting one (one query, none when none awaits)."""
    ids = [m.pk for m in milestones if m.status == Milestone.AWAITING_PAYMENT]
    if not ids:
        return {}
    return {p.milestone_id: p for p in Payment.objects.filter(milestone_id__in=ids, status=Payment.PENDING)}
