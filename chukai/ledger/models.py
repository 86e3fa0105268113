"""Double-entry ledger in integer yen.

Every movement is one LedgerTransaction whose legs sum to zero. An account's
balance is the sum of its legs: positive means the platform holds that much
for it. The two gateway accounts mirror money outside the platform and are
the only ones allowed below zero.
"""

from django.conf import settings
from django.db import models


class Account(models.Model):
    GATEWAY_IN = "gateway_in"  # client funding arriving from the payment gateway
    ESCROW = "escrow"  # one per contract
    BALANCE = "balance"  # one per user: worker earnings, client refunds
    FEES = "fees"  # platform fee revenue
    PAYOUT = "payout"  # money paid out to users' banks
    PAYOUT_PENDING = "payout_pending"  # one per user: withdrawals requested, not yet paid (chukai.payouts)
    KINDS = [(k, k) for k in (GATEWAY_IN, ESCROW, BALANCE, FEES, PAYOUT, PAYOUT_PENDING)]
    EXTERNAL = (GATEWAY_IN, PAYOUT)

    kind = models.CharField(max_length=20, choices=KINDS)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    contract = models.ForeignKey("contracts.Contract", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "user"], condition=models.Q(user__isnull=False), name="ledger_account_user"
            ),
            models.UniqueConstraint(
                fields=["kind", "contract"], condition=models.Q(contract__isnull=False), name="ledger_account_contract"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(user__isnull=True, contract__isnull=True),
                name="ledger_account_singleton",
            ),
        ]

    def __str__(self) -> str:
        owner = self.user_id or self.contract_id or ""
        return f"{self.kind}:{owner}"


class LedgerTransaction(models.Model):
    kind = models.CharField(max_length=30)  # fund, release, refund, payout
    idempotency_key = models.CharField(max_length=200, unique=True)
    contract = models.ForeignKey("contracts.Contract", null=True, blank=True, on_delete=models.PROTECT)
    milestone = models.ForeignKey("contracts.Milestone", null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField()
    memo = models.CharField(max_length=300, blank=True)


class Leg(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="legs")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="legs")
    amount = models.BigIntegerField()  # yen; + into the account, - out of it

    class Meta:
        indexes = [models.Index(fields=["account", "transaction"])]
