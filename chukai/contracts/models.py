from __future__ import annotations

from django.conf import settings
from django.db import models


class Contract(models.Model):
    AWAITING_ESCROW = "awaiting_escrow"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    STATUSES = [(s, s) for s in (AWAITING_ESCROW, IN_PROGRESS, COMPLETED, CANCELLED)]
    OPEN_STATUSES = (AWAITING_ESCROW, IN_PROGRESS)

    # Why a contract ended (attribution, DOMAIN §3).
    END_COMPLETED = "completed"
    END_AGREEMENT = "agreement"
    END_SILENCE = "silence"
    END_STAFF = "staff_decision"

    job = models.ForeignKey("marketplace.Job", on_delete=models.PROTECT, related_name="contracts")
    proposal = models.OneToOneField("marketplace.Proposal", on_delete=models.PROTECT, related_name="contract")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contracts_as_client")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contracts_as_worker")
    title = models.CharField(max_length=200)
    pricing = models.CharField(max_length=10)
    policy_name = models.CharField(max_length=20)
    policy_version = models.PositiveIntegerField()
    policy = models.JSONField()  # the rulebook as it was when the contract formed
    amount_jpy = models.BigIntegerField()
    # 源泉徴収 (DOMAIN §12): the job declared it and the worker was an individual when the contract formed.
    withholding_tax = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=STATUSES, default=AWAITING_ESCROW)
    due_date = models.DateField(null=True, blank=True)
    formed_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_cause = models.CharField(max_length=20, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Facts the rules need often, kept on the row instead of scanning messages.
    client_last_message_at = models.DateTimeField(null=True, blank=True)
    worker_last_message_at = models.DateTimeField(null=True, blank=True)
    client_waiting_since = models.DateTimeField(null=True, blank=True)  # client's oldest unanswered message
    worker_waiting_since = models.DateTimeField(null=True, blank=True)
    client_unanswered = models.PositiveIntegerField(default=0)  # client's messages since worker's last
    worker_unanswered = models.PositiveIntegerField(default=0)
    client_unread = models.PositiveIntegerField(default=0)  # messages to the client not yet read
    worker_unread = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["client", "status"]),
            models.Index(fields=["worker", "status"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def role_of(self, user_id: int) -> str | None:
        if user_id == self.client_id:
            return "client"
        if user_id == self.worker_id:
            return "worker"
        return None

    def other_party_id(self, user_id: int) -> int:
        return self.worker_id if user_id == self.client_id else self.client_id


class Milestone(models.Model):
    UNFUNDED = "unfunded"
    AWAITING_PAYMENT = "awaiting_payment"  # a bank transfer is on its way (DOMAIN §11); nothing is escrowed yet
    ESCROWED = "escrowed"
    DELIVERED = "delivered"
    PAID = "paid"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    SETTLED = "settled"
    STATUSES = [(s, s) for s in (UNFUNDED, AWAITING_PAYMENT, ESCROWED, DELIVERED, PAID, REFUNDED, CANCELLED, SETTLED)]
    HOLDING = (ESCROWED, DELIVERED)  # money is in escrow
    FINAL = (PAID, REFUNDED, CANCELLED, SETTLED)

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="milestones")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    amount_jpy = models.BigIntegerField()
    client_fee_jpy = models.BigIntegerField(default=0)  # charged on top at funding, held in escrow
    # Withholding income tax: while held, what the client kept back at funding; once settled, what was
    # withheld from the part paid to the worker (chukai.ledger.tax.withholding_for).
    withholding_jpy = models.BigIntegerField(default=0)
    status = models.CharField(max_length=20, choices=STATUSES, default=UNFUNDED)
    funded_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    worker_paid_jpy = models.BigIntegerField(default=0)  # after the worker's fee
    worker_fee_jpy = models.BigIntegerField(default=0)
    client_refunded_jpy = models.BigIntegerField(default=0)
    delivery_message = models.TextField(blank=True)
    revision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]


class DueDateChange(models.Model):
    STATUSES = [(s, s) for s in ("pending", "accepted", "declined", "cancelled")]
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="due_date_changes")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=STATUSES, default="pending")
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)


class PlanChange(models.Model):
    STATUSES = [(s, s) for s in ("pending", "accepted", "declined", "cancelled")]
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="plan_changes")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    milestones = models.JSONField()
    replaces = models.JSONField(default=list)  # ids of the unfunded milestones when proposed
    status = models.CharField(max_length=10, choices=STATUSES, default="pending")
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=models.Q(status="pending"), name="one_pending_plan_change"
            )
        ]


class Event(models.Model):
    """One line of the contract's timeline: who did what, when, and the money it moved."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_role = models.CharField(max_length=10)  # client, worker, staff, system
    kind = models.CharField(max_length=50)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["contract", "at"])]
