from typing import Any

from django.conf import settings
from django.db import models


class SandboxCharge(models.Model):
    """What the sandbox gateway 'charged' or 'paid out'; a real gateway keeps its own records."""

    KINDS = [("charge", "charge"), ("payout", "payout")]
    kind = models.CharField(max_length=10, choices=KINDS)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    amount_jpy = models.BigIntegerField()
    idempotency_key = models.CharField(max_length=200, unique=True)
    reference = models.CharField(max_length=64)
    created_at = models.DateTimeField()


class Payment(models.Model):
    """Money a client pays in for one milestone (DOMAIN §11): a card charge or a bank transfer.

    The numbers are the fund quote the client confirmed (`contracts.money.fund_quote`):
    `amount_due_jpy` is what the payment method must bring in, `from_balance_jpy` what the
    client's platform balance adds. A pending transfer keeps what has arrived (`paid_jpy`) and
    the balance part in the contract's escrow account until it completes, expires or is cancelled.
    """

    CARD = "card"
    BANK_TRANSFER = "bank_transfer"
    METHODS = [(m, m) for m in (CARD, BANK_TRANSFER)]

    CHARGING = "charging"  # a card charge recorded before the gateway is called; reconciled if it stays
    PENDING = "pending"  # a transfer not (fully) received yet
    SUCCEEDED = "succeeded"  # the money is in escrow
    DECLINED = "declined"  # the card was refused; nothing moved
    FAILED = "failed"  # the gateway did not answer (timeout, error); nothing moved
    EXPIRED = "expired"  # the pay-by time passed; what had arrived went to the client's balance
    CANCELLED = "cancelled"  # the contract ended first; what had arrived went to the client's balance
    CREDITED = "credited"  # the card was charged but the milestone could not be funded: to the client's balance
    STATUSES = [(s, s) for s in (CHARGING, PENDING, SUCCEEDED, DECLINED, FAILED, EXPIRED, CANCELLED, CREDITED)]

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="payments")
    milestone = models.ForeignKey("contracts.Milestone", on_delete=models.PROTECT, related_name="payments")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=20, choices=METHODS)
    status = models.CharField(max_length=20, choices=STATUSES)
    amount_jpy = models.BigIntegerField()  # the milestone's amount
    client_fee_jpy = models.BigIntegerField(default=0)
    withholding_jpy = models.BigIntegerField(default=0)
    from_balance_jpy = models.BigIntegerField(default=0)
    amount_due_jpy = models.BigIntegerField()  # charged to the card / to be transferred
    paid_jpy = models.BigIntegerField(default=0)  # received from the gateway and applied to this payment
    gateway = models.CharField(max_length=40)
    gateway_ref = models.CharField(max_length=100, blank=True)  # the gateway's charge or transfer id
    decline_code = models.CharField(max_length=50, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)
    # Bank transfer: the virtual account opened for this payment alone, and the time to pay by.
    bank_name = models.CharField(max_length=100, blank=True)
    branch_name = models.CharField(max_length=100, blank=True)
    account_number = models.CharField(max_length=20, blank=True)
    pay_by = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["milestone", "status"]), models.Index(fields=["status", "contract"])]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone"], condition=models.Q(status="pending"), name="one_pending_payment_per_milestone"
            )
        ]

    def as_dict(self) -> dict[str, Any]:
        """The payment as the contract answer's milestone carries it."""
        return {
            "id": self.pk,
            "method": self.method,
            "status": self.status,
            "amount_due_jpy": self.amount_due_jpy,
            "paid_jpy": self.paid_jpy,
            "from_balance_jpy": self.from_balance_jpy,
            "pay_by": self.pay_by,
            "bank_name": self.bank_name,
            "branch_name": self.branch_name,
            "account_number": self.account_number,
        }

    @property
    def held_jpy(self) -> int:
        """What a pending transfer keeps in escrow: the balance part and what has arrived."""
        return self.from_balance_jpy + self.paid_jpy if self.status == self.PENDING else 0


class PaymentEvent(models.Model):
    """One gateway event applied: the unique event id makes a repeated or racing delivery a no-op."""

    event_id = models.CharField(max_length=100, unique=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=50)
    amount_jpy = models.BigIntegerField()
    applied_jpy = models.BigIntegerField(default=0)  # to the payment (escrow)
    to_balance_jpy = models.BigIntegerField(default=0)  # excess or late: to the client's balance
    received_at = models.DateTimeField()


class WebhookCall(models.Model):
    """Every call to the payment webhook, kept for the support office whatever its verdict."""

    received_at = models.DateTimeField()  # the server's wall clock
    signature = models.CharField(max_length=500, blank=True)  # the Chukai-Signature header as sent
    body = models.TextField(blank=True)  # the raw body (decoded as UTF-8, invalid bytes replaced)
    event_id = models.CharField(max_length=100, blank=True)
    verdict = models.CharField(max_length=40)  # applied, duplicate, bad_signature, stale, …
    status_code = models.PositiveSmallIntegerField()
    detail = models.CharField(max_length=300, blank=True)
    remote_addr = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["received_at"])]
