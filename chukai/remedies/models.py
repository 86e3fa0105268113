from django.conf import settings
from django.db import models


class ContactReminder(models.Model):
    """連絡催促申請: the applicant asks the platform to make a silent respondent answer."""

    OPEN = "open"
    ANSWERED = "answered"
    EXPIRED = "expired"
    CLOSED = "closed"  # the contract ended another way while it was open
    STATUSES = [(s, s) for s in (OPEN, ANSWERED, EXPIRED, CLOSED)]

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="contact_reminders")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    filed_at = models.DateTimeField()
    respond_by = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    response_seconds = models.PositiveIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "applicant"], name="one_reminder_per_applicant"),
            models.UniqueConstraint(fields=["contract"], condition=models.Q(status="open"), name="one_open_reminder"),
        ]


class TerminationRequest(models.Model):
    """途中終了リクエスト: end the contract early, by agreement or after the other side's silence."""

    OPEN = "open"
    AGREED = "agreed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    TOOK_EFFECT = "took_effect"
    CLOSED = "closed"
    STATUSES = [(s, s) for s in (OPEN, AGREED, DECLINED, WITHDRAWN, TOOK_EFFECT, CLOSED)]

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="termination_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    pay_worker_jpy = models.BigIntegerField(default=0)
    pay_plan = models.JSONField(default=dict)  # {milestone id: yen to the worker}, fixed when filed
    status = models.CharField(max_length=12, choices=STATUSES, default=OPEN)
    filed_at = models.DateTimeField()
    takes_effect_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=models.Q(status="open"), name="one_open_termination"
            ),
        ]
