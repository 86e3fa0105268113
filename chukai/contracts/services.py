"""Every write to a contract. Each starts a transaction and locks the contract row,
then its milestones, in that order (DESIGN: one writer per contract at a time)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts import hooks
from chukai.contracts.models import Contract, DueDateChange, Milestone, PlanChange
from chukai.contracts.money import (
    client_balance_lock,
    escrow_fund,
    escrow_settle,
    fund_quote,
    pending_payments,
    transfer_hold,
    transfer_release,
)
from chukai.contracts.timeline import event_add
from chukai.contracts.validation import clean_milestones
from chukai.deadlines.models import Deadline
from chukai.deadlines.registry import handler
from chukai.deadlines.services import deadline_cancel, deadline_schedule
from chukai.errors import Forbidden, Invalid, NotFound, RuleViolation
from chukai.ledger.models import Account
from chukai.ledger.selectors import user_balance_jpy
from chukai.ledger.services import account_for, balance_of, transaction_post
from chukai.payments.gateway import SANDBOX_TOKEN_OK, GatewayUnavailable, get_gateway
from chukai.payments.models import Payment
from chukai.policies.calendar import TOKYO, add_days
from chukai.policies.rulebooks import transfer_pay_days

ACCEPTANCE_KINDS = ("acceptance_due", "acceptance_reminder", "auto_accept")
log = logging.getLogger("chukai.payments")


# --- locking and access -------------------------------------------------------------


def contract_lock(contract_id: int, *, user_id: int | None = None, staff: bool = False) -> Contract:
    """Lock the contract row; 404 for anyone who is neither a party nor staff. Staff, who may read
    every contract, get 403 on a write only a party may make (not a 404 for a contract they see)."""
    contract = Contract.objects.select_for_update().filter(pk=contract_id).first()
    if contract is None or (user_id is not None and not staff and contract.role_of(user_id) is None):
        if contract is not None and user_id is not None and User.objects.filter(pk=user_id, is_staff=True).exists():
            raise Forbidden("Only a party of the contract may do this; staff act through the support office.")
        raise NotFound("No such contract.")
    return contract


def milestones_lock(contract: Contract) -> list[Milestone]:
    return list(Milestone.objects.select_for_update().filter(contract=contract).order_by("position", "id"))


def _require_role(contract: Contract, user_id: int, role: str, what: str) -> None:
    if contract.role_of(user_id) != role:
        raise Forbidden(f"Only the {role} may {what}.")


def _require_open(contract: Contract) -> None:
    if not contract.is_open:
        raise RuleViolation("not_in_progress", f"The contract is {contract.status}.")


def _pick(milestones: list[Milestone], milestone_id: int) -> Milestone:
    for m in milestones:
        if m.pk == milestone_id:
            return m
    raise NotFound("No such milestone on this contract.")


# --- status and ending --------------------------------------------------------------


def _derived_status(milestones: list[Milestone]) -> str:
    if milestones and all(m.status in Milestone.FINAL for m in milestones):
        paid = any(m.worker_paid_jpy + m.worker_fee_jpy > 0 for m in milestones)
        return Contract.COMPLETED if paid else Contract.CANCELLED
    if any(m.funded_at is not None for m in milestones):
        return Contract.IN_PROGRESS
    return Contract.AWAITING_ESCROW


def contract_sync_status(
    contract: Contract,
    milestones: list[Milestone],
    *,
    cause: str = Contract.END_COMPLETED,
    caused_by_id: int | None = None,
    actor_id: int | None = None,
) -> None:
    """Set the status from the milestones; record the end (and who caused it) once."""
    status = _derived_status(milestones)
    if status == contract.status:
        return
    contract.status = status
    fields = ["status"]
    if status in (Contract.COMPLETED, Contract.CANCELLED):
        contract.ended_at = clock.now()
        contract.end_cause = cause
        contract.ended_by_id = caused_by_id
        fields += ["ended_at", "end_cause", "ended_by"]
        deadline_cancel(contract_id=contract.pk, kinds=hooks.CANCEL_ON_END)
        # Proposals nobody can answer any more are closed, not left pending forever.
        for model in (DueDateChange, PlanChange):
            model.objects.filter(contract=contract, status="pending").update(status="cancelled", decided_at=clock.now())
    contract.save(update_fields=fields)
    if status in (Contract.COMPLETED, Contract.CANCELLED):
        event_add(
            contract=contract,
            kind="contract_ended",
            actor_id=actor_id,
            actor_role=None if actor_id else "system",
            status=status,
            cause=cause,
            caused_by=caused_by_id,
        )
        hooks.contract_ended(contract)


def contract_end(
    *,
    contract: Contract,
    milestones: list[Milestone],
    pay: dict[int, int],
    cause: str,
    caused_by_id: int | None,
    actor_id: int | None,
    reason: str,
) -> list[dict[str, Any]]:
    """End an open contract: each held milestone settles with `pay[milestone_id]` yen to the
    worker (default 0 = refund), unfunded ones are cancelled. The caller holds the locks."""
    if not contract.is_open:
        raise RuleViolation("not_in_progress", f"The contract is already {contract.status}.")
    moved: list[dict[str, Any]] = []
    awaiting = pending_payments(milestones)
    for m in milestones:
        if m.status == Milestone.AWAITING_PAYMENT:
            # Not funded yet: the transfer is cancelled and what it held goes back to the client's balance.
            payment = awaiting.get(m.pk)
            back = transfer_release(contract=contract, payment=payment, status=Payment.CANCELLED) if payment else 0
            m.status = Milestone.CANCELLED
            m.settled_at = clock.now()
            m.save(update_fields=["status", "settled_at"])
            moved.append(
                {
                    "id": m.pk,
                    "milestone_id": m.pk,
                    "becomes": Milestone.CANCELLED,
                    "worker_jpy": 0,
                    "client_jpy": back,
                    "payment_id": payment.pk if payment else None,
                }
            )
        elif m.status in Milestone.HOLDING:
            split = escrow_settle(
                contract=contract, milestones=milestones, milestone=m, pay_worker_jpy=pay.get(m.pk, 0), reason=reason
            )
            moved.append({"id": m.pk, "milestone_id": m.pk, **split})
        elif m.status == Milestone.UNFUNDED:
            m.status = Milestone.CANCELLED
            m.settled_at = clock.now()
            m.save(update_fields=["status", "settled_at"])
            moved.append(
                {"id": m.pk, "milestone_id": m.pk, "becomes": Milestone.CANCELLED, "worker_jpy": 0, "client_jpy": 0}
            )
    event_add(
        contract=contract,
        kind="settled",
        actor_id=actor_id,
        actor_role=None if actor_id else "system",
        reason=reason,
        milestones=moved,
    )
    contract_sync_status(contract, milestones, cause=cause, caused_by_id=caused_by_id, actor_id=actor_id)
    return moved


# --- milestones ---------------------------------------------------------------------


class PaymentRefused(Exception):
    """The gateway did not open a bank transfer: the fund transaction rolls back and only the
    refused Payment row is written (after the rollback)."""

    def __init__(self, payment: Payment, error: RuleViolation) -> None:
        super().__init__(error.detail)
        self.payment = payment
        self.error = error


class GatewayFailed(RuleViolation):
    """The payment gateway did not answer: nothing was charged, the milestone stays unfunded."""

    status = 503
    title = "Payment gateway unavailable"


def fund_preview(*, user_id: int, contract_id: int, milestone_id: int) -> dict[str, int]:
    """What funding would charge, by the same function the funding uses (no lock, no write)."""
    contract = Contract.objects.filter(pk=contract_id).first()
    if contract is None or contract.role_of(user_id) is None:
        raise NotFound("No such contract.")
    milestones = list(Milestone.objects.filter(contract=contract).order_by("position", "id"))
    m = _pick(milestones, milestone_id)
    _require_role(contract, user_id, "client", "fund escrow")
    return fund_quote(
        contract=contract, milestones=milestones, milestone=m, balance_jpy=user_balance_jpy(contract.client_id)
    )


def milestone_fund(
    *,
    user_id: int,
    contract_id: int,
    milestone_id: int,
    method: str = Payment.CARD,
    token: str = SANDBOX_TOKEN_OK,
) -> Contract:
    """Fund a milestone as the client confirmed it (DOMAIN §11).

    Card, in three steps so money the gateway took is never rolled back: (1) under the locks,
    check and COMMIT a `charging` Payment plus a `charge_reconcile` deadline; (2) call the gateway
    outside any transaction, keyed by the attempt (`charge:{payment id}`); (3) under the locks
    again, fund if the milestone can still be funded as confirmed, else — or if step 3 fails —
    credit the charge to the client's balance (409 charge_credited). Declined → 409
    payment_declined, a gateway failure → 503 payment_failed: nothing changes but the Payment
    row (a timed-out attempt keeps its reconcile deadline). Bank transfer: the
    milestone awaits the transfer into a virtual account until the pay-by time. The client's
    balance is used first either way; a balance that covers everything needs no method.
    """
    if method not in (Payment.CARD, Payment.BANK_TRANSFER):
        raise Invalid({"payment_method.type": "card or bank_transfer."})
    try:
        with transaction.atomic():
            contract = contract_lock(contract_id, user_id=user_id)
            milestones = milestones_lock(contract)
            m = _pick(milestones, milestone_id)
            _require_role(contract, user_id, "client", "fund escrow")
            _require_open(contract)
            if m.status != Milestone.UNFUNDED:
                raise RuleViolation("invalid_state", f"The milestone is {m.status}, not unfunded.")
            if Payment.objects.filter(milestone=m, status=Payment.CHARGING).exists():
                raise RuleViolation(
                    "payment_in_progress", "A card payment for this milestone is being processed; check it shortly."
                )
            balance_jpy = _balance_peek(contract)
            quote = fund_quote(contract=contract, milestones=milestones, milestone=m, balance_jpy=balance_jpy)
            if method == Payment.BANK_TRANSFER or quote["charge_jpy"] == 0:
                balance, _ = client_balance_lock(contract)
            if method == Payment.BANK_TRANSFER and quote["charge_jpy"] > 0:
                _transfer_start(contract, milestones, m, quote, balance, user_id)
                return contract
            if quote["charge_jpy"] == 0:  # the balance covers it all: no payment method, no Payment row
                moved = escrow_fund(
                    contract=contract,
                    milestones=milestones,
                    milestone=m,
                    quote=quote,
                    balance=balance,
                    from_gateway_jpy=0,
                    key=f"fund:{m.pk}",
                )
                _funded(contract, milestones, m, moved, actor_id=user_id, payment=None)
                return contract
            # Card, step 1: record the attempt (and the deadline that reconciles it should this
            # process die) and COMMIT before the gateway is called (docs/decisions.md, "charge safety").
            gateway = get_gateway()
            payment = _payment_new(contract, m, quote, method=Payment.CARD, gateway=gateway.name)
            payment.status = Payment.CHARGING
            payment.save()
            deadline_schedule(
                kind="charge_reconcile",
                due_at=clock.now() + CHARGE_RECONCILE_AFTER,
                contract_id=contract.pk,
                subject_id=payment.pk,
                visible=False,
            )
    except PaymentRefused as refused:
        # The refusal is the only trace: the Payment row says declined/failed; no ledger
        # entry, no status change, no timeline event.
        refused.payment.pk = None
        refused.payment.save()
        raise refused.error from None
    # Step 2: the gateway, outside any transaction of ours; the key is this attempt's.
    try:
        result = gateway.charge(
            user_id=contract.client_id, amount_jpy=payment.amount_due_jpy, key=charge_key(payment), token=token
        )
    except GatewayUnavailable as exc:
        log.warning("payment gateway failed funding milestone %s: %s", m.pk, exc)
        # The outcome is unknown: the payment is failed, and the reconcile deadline stays to ask
        # the gateway later; money it did take after all goes to the client's balance.
        _charge_refused(payment, Payment.FAILED, reason=str(exc), keep_reconcile=True)
        raise GatewayFailed(
            "payment_failed", "The payment service did not answer. Nothing was charged; please try again."
        ) from None
    if result.status != "succeeded":
        _charge_refused(payment, Payment.DECLINED, code=result.decline_code, reason=result.reason.get("en", ""))
        raise RuleViolation(
            "payment_declined",
            f"The card was declined: {result.reason.get('en', result.decline_code)}",
            decline_code=result.decline_code,
            reason=result.reason,
        )
    # Step 3: fund under the locks, re-checking; whatever stops it, the charged money is kept.
    try:
        with transaction.atomic():
            contract = contract_lock(contract_id)
            milestones = milestones_lock(contract)
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            funded = charge_complete(contract, milestones, payment, ref=result.ref, actor_id=user_id)
    except Exception:
        log.exception("funding milestone %s failed after the card was charged (payment %s)", m.pk, payment.pk)
        with transaction.atomic():  # if this fails too, the payment stays charging and the deadline credits it
            contract = contract_lock(contract_id)
            milestones_lock(contract)
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            if payment.status == Payment.CHARGING:
                charge_credit(contract, payment, ref=result.ref)
        funded = False
    if not funded:
        raise RuleViolation(
            "charge_credited",
            "The card was charged but the milestone could not be funded; the amount was added to your "
            "balance. Check the milestone and fund it again (the balance is used first).",
            payment_id=payment.pk,
        )
    return contract


CHARGE_RECONCILE_AFTER = dt.timedelta(minutes=5)


def _balance_peek(contract: Contract) -> int:
    """The client's balance, its account locked when it exists; creates no row (a declined card leaves none)."""
    row = (
        Account.objects.select_for_update()
        .filter(kind=Account.BALANCE, user_id=contract.client_id, contract__isnull=True)
        .first()
    )
    return balance_of(row)


def charge_key(payment: Payment) -> str:
    """The gateway's idempotency key: one per attempt, so a retry with another card is a new charge."""
    return f"charge:{payment.pk}"


def _charge_refused(
    payment: Payment, status: str, *, code: str = "", reason: str = "", keep_reconcile: bool = False
) -> None:
    """A declined card (or a gateway that did not answer) changes nothing but the payment row."""
    with transaction.atomic():
        contract = contract_lock(payment.contract_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != Payment.CHARGING:
            return
        payment.status = status
        payment.decline_code = code[:50]
        payment.decline_reason = reason[:300]
        payment.updated_at = clock.now()
        payment.save(update_fields=["status", "decline_code", "decline_reason", "updated_at"])
        if not keep_reconcile:  # nothing was charged: the reconcile row never existed as far as anyone cares
            Deadline.objects.filter(
                contract_id=contract.pk, kind="charge_reconcile", subject_id=payment.pk, status=Deadline.PENDING
            ).delete()


def charge_complete(
    contract: Contract, milestones: list[Milestone], payment: Payment, *, ref: str, actor_id: int | None
) -> bool:
    """A card charge succeeded (under the contract, milestones and payment locks): fund the milestone
    as the client confirmed it if it can still be funded so; otherwise credit the client's balance."""
    deadline_cancel(contract_id=contract.pk, kinds=("charge_reconcile",), subject_id=payment.pk)
    m = next((x for x in milestones if x.pk == payment.milestone_id), None)
    balance, balance_jpy = client_balance_lock(contract)
    quote = {
        "amount_jpy": payment.amount_jpy,
        "client_fee_jpy": payment.client_fee_jpy,
        "withholding_jpy": payment.withholding_jpy,
        "from_balance_jpy": payment.from_balance_jpy,
        "charge_jpy": payment.amount_due_jpy,
        "total_jpy": payment.from_balance_jpy + payment.amount_due_jpy,
    }
    same = False
    if (
        m is not None
        and m.status == Milestone.UNFUNDED
        and contract.is_open
        and balance_jpy >= payment.from_balance_jpy
    ):
        now = fund_quote(contract=contract, milestones=milestones, milestone=m, balance_jpy=balance_jpy)
        same = all(now[k] == quote[k] for k in ("amount_jpy", "client_fee_jpy", "withholding_jpy", "total_jpy"))
    if m is None or not same:
        charge_credit(contract, payment, ref=ref)
        return False
    payment.status = Payment.SUCCEEDED
    payment.gateway_ref = ref
    payment.paid_jpy = payment.amount_due_jpy
    payment.updated_at = clock.now()
    payment.save(update_fields=["status", "gateway_ref", "paid_jpy", "updated_at"])
    moved = escrow_fund(
        contract=contract,
        milestones=milestones,
        milestone=m,
        quote=quote,
        balance=balance,
        from_gateway_jpy=payment.amount_due_jpy,
        key=f"fund:{m.pk}",
    )
    _funded(contract, milestones, m, moved, actor_id=actor_id, payment=payment)
    return True


def charge_credit(contract: Contract, payment: Payment, *, ref: str) -> None:
    """Card money that cannot fund its milestone goes to the client's balance (ledger, keyed by the payment)."""
    transaction_post(
        kind="charge_credit",
        key=f"charge_credit:{payment.pk}",
        contract_id=contract.pk,
        milestone_id=payment.milestone_id,
        memo=f"card payment {payment.pk} not applied: to the client's balance",
        legs=[
            (account_for(Account.GATEWAY_IN), -payment.amount_due_jpy),
            (account_for(Account.BALANCE, user_id=contract.client_id), payment.amount_due_jpy),
        ],
    )
    payment.status = Payment.CREDITED
    payment.gateway_ref = ref
    payment.updated_at = clock.now()
    payment.save(update_fields=["status", "gateway_ref", "updated_at"])
    deadline_cancel(contract_id=contract.pk, kinds=("charge_reconcile",), subject_id=payment.pk)
    log.warning("card payment %s credited to client %s's balance", payment.pk, contract.client_id)


@handler("charge_reconcile")
def _charge_reconcile(deadline: Any) -> None:
    """A card attempt whose answer was never recorded (the process died, or the gateway timed out):
    ask the gateway by the attempt's key; fund the milestone or credit the client's balance."""
    contract = Contract.objects.get(pk=deadline.contract_id)  # locked by the worker
    milestones = milestones_lock(contract)
    payment = Payment.objects.select_for_update().filter(pk=deadline.subject_id).first()
    if payment is None or payment.status not in (Payment.CHARGING, Payment.FAILED):
        return
    found = get_gateway().charge_status(key=charge_key(payment))  # GatewayUnavailable: the row retries
    if found is None or found.status != "succeeded":
        if payment.status == Payment.CHARGING:
            payment.status = Payment.FAILED
            payment.decline_reason = "No charge at the gateway for this attempt (reconciled)."
            payment.updated_at = clock.now()
            payment.save(update_fields=["status", "decline_reason", "updated_at"])
        return
    if payment.status == Payment.FAILED:  # the client was told it failed: the money is theirs, on the balance
        charge_credit(contract, payment, ref=found.ref)
    else:
        charge_complete(contract, milestones, payment, ref=found.ref, actor_id=None)


def _payment_new(contract: Contract, m: Milestone, quote: dict[str, int], *, method: str, gateway: str) -> Payment:
    now = clock.now()
    return Payment(
        contract=contract,
        milestone=m,
        client_id=contract.client_id,
        method=method,
        status=Payment.PENDING,
        amount_jpy=quote["amount_jpy"],
        client_fee_jpy=quote["client_fee_jpy"],
        withholding_jpy=quote["withholding_jpy"],
        from_balance_jpy=quote["from_balance_jpy"],
        amount_due_jpy=quote["charge_jpy"],
        gateway=gateway,
        created_at=now,
        updated_at=now,
    )


def _transfer_start(
    contract: Contract, milestones: list[Milestone], m: Milestone, quote: dict[str, int], balance: Any, user_id: int
) -> None:
    gateway = get_gateway()
    payment = _payment_new(contract, m, quote, method=Payment.BANK_TRANSFER, gateway=gateway.name)
    payment.pay_by = add_days(clock.now(), transfer_pay_days(contract.policy))
    payment.save()
    try:
        account = gateway.open_transfer(
            user_id=contract.client_id, payment_id=payment.pk, amount_jpy=payment.amount_due_jpy, pay_by=payment.pay_by
        )
    except GatewayUnavailable as exc:
        log.warning("payment gateway failed opening a transfer for milestone %s: %s", m.pk, exc)
        payment.status = Payment.FAILED
        raise PaymentRefused(
            payment,
            GatewayFailed("payment_failed", "The payment service did not answer. Nothing changed; please try again."),
        ) from None
    payment.gateway_ref = account.ref
    payment.bank_name = account.bank_name
    payment.branch_name = account.branch_name
    payment.account_number = account.account_number
    payment.save()
    transfer_hold(contract=contract, milestone=m, payment=payment, balance=balance)
    m.status = Milestone.AWAITING_PAYMENT
    m.save(update_fields=["status"])
    deadline_schedule(kind="payment_due", due_at=payment.pay_by, contract_id=contract.pk, subject_id=payment.pk)
    info = {
        "milestone": m.title,
        "amount": payment.amount_due_jpy,
        "pay_by": payment.pay_by,
        "bank_name": payment.bank_name,
        "branch_name": payment.branch_name,
        "account_number": payment.account_number,
    }
    event_add(
        contract=contract,
        kind="payment_awaited",
        actor_id=user_id,
        milestone_id=m.pk,
        payment_id=payment.pk,
        money=quote,
        pay_by=payment.pay_by.isoformat(),
    )
    hooks.party_acted(contract, user_id)
    hooks.notify(contract=contract, user_id=contract.client_id, kind="transfer_instructions", params=info)
    hooks.notify(contract=contract, user_id=contract.worker_id, kind="transfer_awaited", params=info)


def _funded(
    contract: Contract,
    milestones: list[Milestone],
    m: Milestone,
    moved: dict[str, int],
    *,
    actor_id: int | None,
    payment: Payment | None,
) -> None:
    """Escrow is in place for `m`: the timeline, the contract's status, and both parties told."""
    event_add(
        contract=contract,
        kind="milestone_funded",
        actor_id=actor_id,
        actor_role=None if actor_id else "system",
        milestone_id=m.pk,
        money=moved,
        method=payment.method if payment else "balance",
        payment_id=payment.pk if payment else None,
    )
    contract_sync_status(contract, milestones)
    if actor_id is not None:
        hooks.party_acted(contract, actor_id)
    # Seed 000: the worker must not start before escrow; say so the moment it is funded.
    hooks.notify(
        contract=contract,
        user_id=contract.worker_id,
        kind="milestone_funded",
        params={"milestone": m.title, "amount": m.amount_jpy},
    )
    hooks.notify(
        contract=contract,
        user_id=contract.client_id,
        kind="escrow_in_place",
        params={"milestone": m.title, "amount": m.amount_jpy, "total": moved["total_jpy"]},
    )


def milestone_deliver(*, user_id: int, contract_id: int, milestone_id: int, message: str = "") -> Contract:
    if len(message or "") > 10_000:
        raise Invalid({"message": "At most 10,000 characters."})
    with transaction.atomic():
        contract = contract_lock(contract_id, user_id=user_id)
        milestones = milestones_lock(contract)
        m = _pick(milestones, milestone_id)
        _require_role(contract, user_id, "worker", "report completion")
        _require_open(contract)
        if m.status != Milestone.ESCROWED:
            raise RuleViolation("invalid_state", f"The milestone is {m.status}; only escrowed work can be delivered.")
        now = clock.now()
        m.status = Milestone.DELIVERED
        m.delivered_at = now
        m.delivery_message = message or ""
        m.save(update_fields=["status", "delivered_at", "delivery_message"])
        _schedule_acceptance(contract, m, now)
        event_add(
            contract=contract, kind="milestone_delivered", actor_id=user_id, milestone_id=m.pk, message=message or ""
        )
        hooks.party_acted(contract, user_id)
        hooks.notify(
            contract=contract, user_id=contract.client_id, kind="milestone_delivered", params={"milestone": m.title}
        )
    return contract


def _schedule_acceptance(contract: Contract, m: Milestone, delivered_at: dt.datetime) -> None:
    acc = contract.policy["acceptance"]
    due = add_days(delivered_at, acc["review_days"], business=acc.get("business_days", False))
    kind = "auto_accept" if acc["on_lapse"] == "auto_accept" else "acceptance_due"
    deadline_schedule(kind=kind, due_at=due, contract_id=contract.pk, subject_id=m.pk)
    for days in acc.get("notify_before_days", []):
        deadline_schedule(
            kind="acceptance_reminder",
            due_at=due - dt.timedelta(days=days),
            contract_id=contract.pk,
            subject_id=m.pk,
            visible=False,
        )


def _release(contract: Contract, milestones: list[Milestone], m: Milestone, *, actor_id: int | None, kind: str) -> None:
    split = escrow_settle(
        contract=contract, milestones=milestones, milestone=m, pay_worker_jpy=m.amount_jpy, reason=kind
    )
    deadline_cancel(contract_id=contract.pk, kinds=ACCEPTANCE_KINDS, subject_id=m.pk)
    event_add(
        contract=contract,
        kind=kind,
        actor_id=actor_id,
        actor_role=None if actor_id else "system",
        milestone_id=m.pk,
        **split,
    )
    hooks.notify(
        contract=contract,
        user_id=contract.worker_id,
        kind="milestone_paid",
        params={"milestone": m.title, "amount": split["worker_jpy"]},
    )
    contract_sync_status(contract, milestones, actor_id=actor_id)


def milestone_accept(*, user_id: int, contract_id: int, milestone_id: int) -> Contract:
    with transaction.atomic():
        contract = contract_lock(contract_id, user_id=user_id)
        milestones = milestones_lock(contract)
        m = _pick(milestones, milestone_id)
        _require_role(contract, user_id, "client", "accept a delivery")
        _require_open(contract)
        if m.status != Milestone.DELIVERED:
            raise RuleViolation("invalid_state", f"The milestone is {m.status}; only delivered work can be accepted.")
        hooks.party_acted(contract, user_id)
        _release(contract, milestones, m, actor_id=user_id, kind="milestone_accepted")
    return contract


def milestone_request_revision(*, user_id: int, contract_id: int, milestone_id: int, reason: str) -> Contract:
    reason = (reason or "").strip()
    if not reason or len(reason) > 10_000:
        raise Invalid({"reason": "Say what to revise (1 to 10,000 characters)."})
    with transaction.atomic():
        contract = contract_lock(contract_id, user_id=user_id)
        milestones = milestones_lock(contract)
        m = _pick(milestones, milestone_id)
        _require_role(contract, user_id, "client", "request a revision")
        _require_open(contract)
        if m.status != Milestone.DELIVERED:
            raise RuleViolation("invalid_state", f"The milestone is {m.status}; only delivered work can be revised.")
        lapsed = Deadline.objects.filter(
            contract=contract,
            subject_id=m.pk,
            kind="auto_accept",
            status__in=(Deadline.PENDING, Deadline.RUNNING),
            due_at__lte=clock.now(),
        ).exists()
        if lapsed:  # the review period is over: the acceptance applies as of its deadline
            raise RuleViolation("invalid_state", "The review period has ended; this delivery is accepted.")
        m.status = Milestone.ESCROWED
        m.revision_reason = reason
        m.save(update_fields=["status", "revision_reason"])
        deadline_cancel(contract_id=contract.pk, kinds=ACCEPTANCE_KINDS, subject_id=m.pk)
        event_add(contract=contract, kind="revision_requested", actor_id=user_id, milestone_id=m.pk, reason=reason)
        hooks.party_acted(contract, user_id)
        hooks.notify(
            contract=contract, user_id=contract.worker_id, kind="revision_requested", params={"milestone": m.title}
        )
    return contract


@handler("auto_accept")
def _auto_accept(deadline: Any) -> None:
    contract = Contract.objects.get(pk=deadline.contract_id)  # locked by the worker
    milestones = milestones_lock(contract)
    m = next((x for x in milestones if x.pk == deadline.subject_id), None)
    if m is None or m.status != Milestone.DELIVERED or not contract.is_open:
        return  # accepted, revised or ended meanwhile
    _release(contract, milestones, m, actor_id=None, kind="milestone_auto_accepted")


@handler("acceptance_reminder")
def _acceptance_reminder(deadline: Any) -> None:
    contract = Contract.objects.get(pk=deadline.contract_id)
    m = Milestone.objects.filter(pk=deadline.subject_id, contract=contract).first()
    if m is None or m.status != Milestone.DELIVERED or not contract.is_open:
        return
    pending = (
        contract.deadlines.filter(subject_id=m.pk, kind__in=("auto_accept", "acceptance_due"), status="pending")
        .values_list("due_at", flat=True)
        .first()
    )
    hooks.notify(
        contract=contract,
        user_id=contract.client_id,
        kind="acceptance_reminder",
        params={"milestone": m.title, "due_at": pending},
    )


@handler("acceptance_due")
def _acceptance_due(deadline: Any) -> None:
    contract = Contract.objects.get(pk=deadline.contract_id)
    m = Milestone.objects.filter(pk=deadline.subject_id, contract=contract).first()
    if m is None or m.status != Milestone.DELIVERED or not contract.is_open:
        return
    event_add(
        contract=contract,
        kind="acceptance_lapsed",
        actor_role="system",
        milestone_id=m.pk,
        on_lapse=contract.policy["acceptance"]["on_lapse"],
    )
    for uid in (contract.client_id, contract.worker_id):
        hooks.notify(contract=contract, user_id=uid, kind="acceptance_lapsed", params={"milestone": m.title})


# --- due dates and plan changes -----------------------------------------------------


def due_date_propose(*, user_id: int, contract_id: int, due_date: dt.date) -> DueDateChange:
    with transaction.atomic():
        contract = contract_lock(contract_id, user_id=user_id)
        _require_open(contract)
        if due_date < clock.now().astimezone(TOKYO).date():  # dates are Japanese calendar dates
            raise Invalid({"due_date": "The new due date is in the past."})
        if contract.due_date_changes.filter(status="pending").exists():
            raise RuleViolation("request_open", "A due-date change is already waiting for an answer.")
        change = DueDateChange.objects.create(
            contract=contract, proposed_by_id=user_id, due_date=due_date, created_at=clock.now()
        )
        event_add(
            contract=contract,
            kind="due_date_proposed",
            actor_id=user_id,
            change_id=change.pk,
            due_date=due_date.isoformat(),
            previous=contract.due_date.isoformat() if contract.due_date else None,
        )
        hooks.party_acted(contract, user_id)
        hooks.notify(
            contract=contract,
            user_id=contract.other_party_id(user_id),
            kind="due_date_proposed",
            params={"due_date": due_date.isoformat()},
        )
    return change


def due_date_decide(*, user_id: int, change_id: int, accept: bool) -> Contract:
    with transaction.atomic():
        head = DueDateChange.objects.filter(pk=change_id).values_list("contract_id", flat=True).first()
        if head is None:
            raise NotFound("No such due-date change.")
        contract = contract_lock(head, user_id=user_id)
        change = DueDateChange.objects.select_for_update().get(pk=change_id)
        if change.proposed_by_id == user_id:
            raise Forbidden("The other party answers a proposal.")
        _require_open(contract)
        if change.status != "pending":
            raise RuleViolation("invalid_state", f"This proposal is already {change.status}.")
        change.status = "accepted" if accept else "declined"
        change.decided_at = clock.now()
        change.save(update_fields=["status", "decided_at"])
        if accept:
            contract.due_date = change.due_date
            contract.save(update_fields=["due_date"])
        event_add(
            contract=contract,
            kind=f"due_date_{change.status}",
            actor_id=user_id,
            change_id=change.pk,
            due_date=change.due_date.isoformat(),
        )
        hooks.party_acted(contract, user_id)
        hooks.notify(
            contract=contract,
            user_id=change.proposed_by_id,
            kind=f"due_date_{change.status}",
            params={"due_date": change.due_date.isoformat()},
        )
    return contract


def plan_change_propose(*, user_id: int, contract_id: int, milestones: list[dict[str, Any]]) -> PlanChange:
    cleaned = clean_milestones(milestones, allow_empty=True)
    with transaction.atomic():
        contract = contract_lock(contract_id, user_id=user_id)
        current = milestones_lock(contract)
        _require_open(contract)
        if not cleaned and not any(m.status != Milestone.UNFUNDED for m in current):
            raise Invalid({"milestones": "A contract needs at least one milestone."})
        if contract.plan_changes.filter(status="pending").exists():
            raise RuleViolation("request_open", "A plan change is already waiting for an answer.")
        change = PlanChange.objects.create(
            contract=contract,
            proposed_by_id=user_id,
            milestones=cleaned,
            replaces=[m.pk for m in current if m.status == Milestone.UNFUNDED],
            created_at=clock.now(),
        )
        event_add(
            contract=contract, kind="plan_change_proposed", actor_id=user_id, change_id=change.pk, milestones=cleaned
        )
        hooks.party_acted(contract, user_id)
        hooks.notify(
            contract=contract, user_id=contract.other_party_id(user_id), kind="plan_change_proposed", params={}
        )
    return change


def plan_change_decide(*, user_id: int, change_id: int, accept: bool) -> Contract:
    with transaction.atomic():
        head = PlanChange.objects.filter(pk=change_id).values_list("contract_id", flat=True).first()
        if head is None:
            raise NotFound("No such plan change.")
        contract = contract_lock(head, user_id=user_id)
        milestones = milestones_lock(contract)
        change = PlanChange.objects.select_for_update().get(pk=change_id)
        if change.proposed_by_id == user_id:
            raise Forbidden("The other party answers a proposal.")
        _require_open(contract)
        if change.status != "pending":
            raise RuleViolation("invalid_state", f"This proposal is already {change.status}.")
        unfunded_now = [m.pk for m in milestones if m.status == Milestone.UNFUNDED]
        if accept and unfunded_now != change.replaces:
            # The plan replaces the unfunded part as it was when proposed; that part has changed.
            raise RuleViolation(
                "invalid_state",
                "A milestone was funded after this plan change was proposed; "
                "propose the change again for what is still unfunded.",
            )
        change.status = "accepted" if accept else "declined"
        change.decided_at = clock.now()
        change.save(update_fields=["status", "decided_at"])
        if accept:
            kept = [m for m in milestones if m.status != Milestone.UNFUNDED]
            replaced = [m for m in milestones if m.status == Milestone.UNFUNDED]
            # A replaced milestone with payment history (a declined card, an expired transfer) stays,
            # cancelled, as evidence; the others are deleted.
            paid_at = set(Payment.objects.filter(milestone__in=replaced).values_list("milestone_id", flat=True))
            for m in replaced:
                if m.pk in paid_at:
                    m.status = Milestone.CANCELLED
                    m.settled_at = clock.now()
                    m.save(update_fields=["status", "settled_at"])
            Milestone.objects.filter(pk__in=[m.pk for m in replaced if m.pk not in paid_at]).delete()
            start = max((m.position for m in kept + replaced), default=0) + 1
            new = Milestone.objects.bulk_create(
                [
                    Milestone(contract=contract, position=start + i, title=x["title"], amount_jpy=x["amount_jpy"])
                    for i, x in enumerate(change.milestones)
                ]
            )
            contract.amount_jpy = sum(m.amount_jpy for m in kept + list(new))
            milestones = kept + [m for m in replaced if m.pk in paid_at] + list(new)
            contract.save(update_fields=["amount_jpy"])
        event_add(
            contract=contract,
            kind=f"plan_change_{change.status}",
            actor_id=user_id,
            change_id=change.pk,
            amount_jpy=contract.amount_jpy,
        )
        if accept:
            contract_sync_status(contract, milestones, actor_id=user_id)
        hooks.party_acted(contract, user_id)
        hooks.notify(contract=contract, user_id=change.proposed_by_id, kind=f"plan_change_{change.status}", params={})
    return contract
