"""Money arriving after the fact: the gateway's signed webhook, and the pay-by deadline of a transfer.

Lock order as everywhere: contract → milestones → the payment → ledger rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction

from chukai import clock
from chukai.contracts import hooks
from chukai.contracts.models import Contract, Milestone
from chukai.contracts.money import escrow_mark_funded, transfer_receive, transfer_release
from chukai.contracts.services import _funded, contract_lock, milestones_lock
from chukai.contracts.timeline import event_add
from chukai.deadlines.registry import handler
from chukai.deadlines.services import deadline_cancel
from chukai.payments.gateway import TransferReceived, WebhookRefused, get_gateway
from chukai.payments.models import Payment, PaymentEvent, WebhookCall

log = logging.getLogger("chukai.payments")
MAX_LOGGED_BODY = 64 * 1024


def webhook_receive(*, headers: dict[str, str], body: bytes, remote_addr: str = "") -> tuple[int, dict[str, Any]]:
    """Check, apply and record one webhook call. Returns (HTTP status, answer body).

    Every call is stored (raw body, signature header, verdict) whatever its outcome; a refused
    call changes nothing else. The same event id applied twice has one effect.
    """
    event_id = ""
    try:
        event = get_gateway().parse_webhook(headers=headers, body=body)
        event_id = event.event_id
        verdict, answer = _apply(event)
        status = 200
    except WebhookRefused as refused:
        verdict, status = refused.verdict, refused.status
        answer = {
            "type": f"/problems/{refused.verdict}",
            "title": "Webhook refused",
            "status": refused.status,
            "detail": refused.detail,
            "code": refused.verdict,
        }
        log.warning("payment webhook refused (%s): %s", refused.verdict, refused.detail)
    WebhookCall.objects.create(
        received_at=dt.datetime.now(dt.UTC),
        signature=_storable(headers.get("Chukai-Signature", "")[:500]),
        body=_storable(body[:MAX_LOGGED_BODY].decode("utf-8", errors="replace")),
        event_id=event_id[:100],
        verdict=verdict,
        status_code=status,
        detail=str(answer.get("detail", ""))[:300],
        remote_addr=remote_addr[:64],
    )
    return status, answer


def _storable(text: str) -> str:
    """PostgreSQL text cannot hold NUL: keep the call, mark the byte."""
    return text.replace("\x00", "\ufffd")


def _apply(event: TransferReceived) -> tuple[str, dict[str, Any]]:
    head = Payment.objects.filter(pk=event.payment_id).values_list("contract_id", flat=True).first()
    if head is None:
        raise WebhookRefused("unknown_payment", f"No payment {event.payment_id}.", status=404)
    try:
        with transaction.atomic():
            contract = contract_lock(head)
            milestones = milestones_lock(contract)
            payment = Payment.objects.select_for_update().get(pk=event.payment_id)
            if payment.method != Payment.BANK_TRANSFER:
                raise WebhookRefused("not_a_transfer", f"Payment {payment.pk} is not a bank transfer.")
            if PaymentEvent.objects.filter(event_id=event.event_id).exists():
                return "duplicate", {"received": True, "duplicate": True, "event_id": event.event_id}
            result = _transfer_arrived(contract, milestones, payment, event)
            PaymentEvent.objects.create(
                event_id=event.event_id,
                payment=payment,
                kind="transfer.received",
                amount_jpy=event.amount_jpy,
                applied_jpy=result["applied_jpy"],
                to_balance_jpy=result["to_balance_jpy"],
                received_at=clock.now(),
            )
    except IntegrityError:  # the same event id committed meanwhile by a racing delivery
        if PaymentEvent.objects.filter(event_id=event.event_id).exists():
            return "duplicate", {"received": True, "duplicate": True, "event_id": event.event_id}
        raise
    return "applied", {"received": True, "duplicate": False, "event_id": event.event_id, **result}


def _transfer_arrived(
    contract: Contract, milestones: list[Milestone], payment: Payment, event: TransferReceived
) -> dict[str, Any]:
    m = next(x for x in milestones if x.pk == payment.milestone_id)
    now = clock.now()
    late = (
        payment.status != Payment.PENDING
        or m.status != Milestone.AWAITING_PAYMENT
        or (payment.pay_by is not None and now > payment.pay_by)
    )
    moved = transfer_receive(
        contract=contract, payment=payment, event_id=event.event_id, amount_jpy=event.amount_jpy, late=late
    )
    payment.updated_at = now
    complete = not late and payment.paid_jpy >= payment.amount_due_jpy
    if complete:
        payment.status = Payment.SUCCEEDED
    payment.save(update_fields=["paid_jpy", "status", "updated_at"])
    event_add(
        contract=contract,
        kind="transfer_received",
        actor_role="system",
        milestone_id=m.pk,
        payment_id=payment.pk,
        event_id=event.event_id,
        amount_jpy=event.amount_jpy,
        applied_jpy=moved["applied_jpy"],
        to_balance_jpy=moved["to_balance_jpy"],
        paid_jpy=payment.paid_jpy,
        amount_due_jpy=payment.amount_due_jpy,
    )
    if moved["to_balance_jpy"]:
        hooks.notify(
            contract=contract,
            user_id=contract.client_id,
            kind="transfer_to_balance",
            params={"milestone": m.title, "amount": moved["to_balance_jpy"]},
        )
    if complete:
        deadline_cancel(contract_id=contract.pk, kinds=("payment_due",), subject_id=payment.pk)
        quote = {
            "amount_jpy": payment.amount_jpy,
            "client_fee_jpy": payment.client_fee_jpy,
            "withholding_jpy": payment.withholding_jpy,
            "from_balance_jpy": payment.from_balance_jpy,
            "charge_jpy": payment.amount_due_jpy,
            "total_jpy": payment.from_balance_jpy + payment.amount_due_jpy,
        }
        _funded(contract, milestones, m, escrow_mark_funded(milestone=m, quote=quote), actor_id=None, payment=payment)
    elif not late and moved["applied_jpy"]:
        hooks.notify(
            contract=contract,
            user_id=contract.client_id,
            kind="transfer_short",
            params={
                "milestone": m.title,
                "amount": moved["applied_jpy"],
                "remaining": payment.amount_due_jpy - payment.paid_jpy,
                "pay_by": payment.pay_by,
            },
        )
    return {
        "payment_id": payment.pk,
        "payment_status": payment.status,
        "paid_jpy": payment.paid_jpy,
        "amount_due_jpy": payment.amount_due_jpy,
        **moved,
    }


@handler("payment_due")
def _payment_due(deadline: Any) -> None:
    """At the pay-by time an unpaid milestone returns to `unfunded`; what arrived goes to the balance."""
    contract = Contract.objects.get(pk=deadline.contract_id)  # locked by the worker
    milestones = milestones_lock(contract)
    payment = Payment.objects.select_for_update().filter(pk=deadline.subject_id).first()
    if payment is None or payment.status != Payment.PENDING:
        return  # paid, cancelled or expired meanwhile
    m = next((x for x in milestones if x.pk == payment.milestone_id), None)
    if m is None or m.status != Milestone.AWAITING_PAYMENT:
        return
    back = transfer_release(contract=contract, payment=payment, status=Payment.EXPIRED)
    m.status = Milestone.UNFUNDED
    m.save(update_fields=["status"])
    event_add(
        contract=contract,
        kind="payment_expired",
        actor_role="system",
        milestone_id=m.pk,
        payment_id=payment.pk,
        paid_jpy=payment.paid_jpy,
        to_balance_jpy=back,
    )
    params = {"milestone": m.title, "amount": payment.amount_due_jpy, "back": back}
    for uid in (contract.client_id, contract.worker_id):
        hooks.notify(contract=contract, user_id=uid, kind="payment_expired", params=params)
