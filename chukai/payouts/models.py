"""Money out (DOMAIN §10): bank accounts, withdrawal requests, payout batches, the staff audit.

Money itself lives in the ledger: a request moves its amount from the user's
`balance` into their `payout_pending` account; confirming a batch moves it on
to `payout` (the net) and `fees` (the transfer fee); a return (組戻し) brings
the whole amount back to the balance.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BankAccount(models.Model):
    """One registered account per user at a time; replacing it keeps the old row (`replaced_at`)."""

    ORDINARY = "ordinary"
    CHECKING = "checking"
    SAVINGS = "savings"
    TYPES = [(t, t) for t in (ORDINARY, CHECKING, SAVINGS)]
    ZENGIN_TYPE = {ORDINARY: "1", CHECKING: "2", SAVINGS: "4"}  # 預金種目 in the transfer file

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bank_accounts")
    bank_code = models.CharField(max_length=4)
    bank_name = models.CharField(max_length=100, blank=True)
    bank_name_kana = models.CharField(max_length=30, blank=True)  # half-width, as the transfer file wants
    branch_code = models.CharField(max_length=3)
    branch_name = models.CharField(max_length=100, blank=True)
    branch_name_kana = models.CharField(max_length=30, blank=True)
    account_type = models.CharField(max_length=10, choices=TYPES)
    account_number = models.CharField(max_length=7)  # zero-padded
    holder_kana = models.CharField(max_length=30)  # half-width katakana
    created_at = models.DateTimeField()
    replaced_at = models.DateTimeField(null=True, blank=True)
    # Set when a transfer to this account came back (組戻し): the owner must register it again.
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(replaced_at__isnull=True), name="payouts_one_current_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bank_code}-{self.branch_code} {self.account_number_masked}"

    @property
    def account_number_masked(self) -> str:
        return "*" * (len(self.account_number) - 3) + self.account_number[-3:]


class PayoutBatch(models.Model):
    CREATED = "created"
    CONFIRMED = "confirmed"
    STATUSES = [(s, s) for s in (CREATED, CONFIRMED)]

    pay_date = models.DateField()
    status = models.CharField(max_length=10, choices=STATUSES, default=CREATED)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)
    total_jpy = models.BigIntegerField(default=0)  # sum of the net amounts transferred


class Withdrawal(models.Model):
    REQUESTED = "requested"
    CANCELLED = "cancelled"
    IN_BATCH = "in_batch"
    PAID = "paid"
    RETURNED = "returned"
    STATUSES = [(s, s) for s in (REQUESTED, CANCELLED, IN_BATCH, PAID, RETURNED)]
    PENDING = (REQUESTED, IN_BATCH)  # held in payouts-pending

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="withdrawals")
    status = models.CharField(max_length=10, choices=STATUSES, default=REQUESTED)
    amount_jpy = models.BigIntegerField()  # leaves the balance
    fee_jpy = models.BigIntegerField()
    net_jpy = models.BigIntegerField()  # reaches the bank account
    requested_at = models.DateTimeField()
    pay_date = models.DateField()
    cutoff_at = models.DateTimeField()  # cancellable until (inclusive)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(PayoutBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="withdrawals")
    # The account the transfer went to: fixed when the batch is built.
    bank_account = models.ForeignKey(BankAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(null=True, blank=True)
    gateway_reference = models.CharField(max_length=100, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.CharField(max_length=500, blank=True)
    # The confirm step's one-time key: a double submit of the same confirmation is one withdrawal.
    request_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["user", "requested_at"]),
            models.Index(fields=["status", "pay_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "request_key"], condition=~models.Q(request_key=""), name="withdrawal_request_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"withdrawal {self.pk} ({self.status}, ¥{self.amount_jpy})"


class PayoutAudit(models.Model):
    """Every staff action on payouts: who, when, what."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=30)  # batch_create, batch_download, batch_confirm, withdrawal_return
    batch = models.ForeignKey(PayoutBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="audit")
    withdrawal = models.ForeignKey(Withdrawal, null=True, blank=True, on_delete=models.PROTECT, related_name="audit")
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
