"""The support office (事務局): cases opened by a party, official notices, staff notes, decisions.

A case's status is kept on the row (the staff queue filters and sorts on it):
`open` → `awaiting_response` while an official notice runs → `ready_for_decision`
when a notice lapses or the opener escalates → `closed` by a staff decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SupportCase(models.Model):
    OPEN = "open"
    AWAITING_RESPONSE = "awaiting_response"
    READY_FOR_DECISION = "ready_for_decision"
    CLOSED = "closed"
    STATUSES = [(s, s) for s in (OPEN, AWAITING_RESPONSE, READY_FOR_DECISION, CLOSED)]

    UNRESPONSIVE = "unresponsive"
    ACCEPTANCE_OVERDUE = "acceptance_overdue"
    DISPUTE = "dispute"
    OTHER = "other"
    KINDS = (UNRESPONSIVE, ACCEPTANCE_OVERDUE, DISPUTE, OTHER)

    RELEASE_DELIVERED = "release_delivered"
    REFUND_ESCROW = "refund_escrow"
    SPLIT = "split"
    CANCEL = "cancel"
    EXTEND_DUE_DATE = "extend_due_date"
    DECISIONS = (RELEASE_DELIVERED, REFUND_ESCROW, SPLIT, CANCEL, EXTEND_DUE_DATE)

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="support_cases")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=[(k, k) for k in KINDS])
    body = models.TextField()
    status = models.CharField(max_length=20, choices=STATUSES, default=OPEN)
    opened_at = models.DateTimeField()
    # When staff should look at it next: opened_at while open, the running notice's
    # deadline while awaiting a response, ready_at once ready; null when closed.
    attention_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    ready_reason = models.CharField(max_length=20, blank=True)  # notice_lapsed, escalated, contract_ended
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_count = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, blank=True)  # one of DECISIONS, or "" when closed without one
    decision_reason = models.TextField(blank=True)
    decision_detail = models.JSONField(default=dict, blank=True)  # money moved, party at fault, penalty …

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=~models.Q(status="closed"), name="one_open_support_case_per_contract"
            )
        ]
        indexes = [
            models.Index(fields=["attention_at"], condition=~models.Q(status="closed"), name="support_case_queue"),
            models.Index(fields=["contract", "status"]),
        ]

    def __str__(self) -> str:
        return f"case #{self.pk} ({self.kind}, {self.status})"


class OfficialNotice(models.Model):
    """事務局からの連絡: staff ask one party to respond by a deadline."""

    RUNNING = "running"
    ANSWERED = "answered"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"  # the case closed or the contract ended while it ran
    STATUSES = [(s, s) for s in (RUNNING, ANSWERED, LAPSED, WITHDRAWN)]

    case = models.ForeignKey(SupportCase, on_delete=models.PROTECT, related_name="notices")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    to_role = models.CharField(max_length=10)  # client, worker
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    respond_by = models.DateTimeField()
    status = models.CharField(max_length=10, choices=STATUSES, default=RUNNING)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "to_user"], condition=models.Q(status="running"), name="one_running_notice_per_party"
            )
        ]
        indexes = [
            models.Index(fields=["contract", "to_user"], condition=models.Q(status="running"), name="notice_running")
        ]

    def __str__(self) -> str:
        return f"notice #{self.pk} to {self.to_role} ({self.status})"


class StaffNote(models.Model):
    """Internal to the office: never shown to the parties (the timeline records only that one was added)."""

    case = models.ForeignKey(SupportCase, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
