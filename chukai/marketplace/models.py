from django.conf import settings
from django.db import models


class Job(models.Model):
    PRICING = [("fixed", "fixed"), ("hourly", "hourly")]
    STATUSES = [("open", "open"), ("closed", "closed")]

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    title = models.CharField(max_length=200)
    description = models.TextField()
    budget_jpy = models.BigIntegerField()
    pricing = models.CharField(max_length=10, choices=PRICING)
    policy = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "-created_at"])]


class Proposal(models.Model):
    STATUSES = [("pending", "pending"), ("accepted", "accepted"), ("declined", "declined")]

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="proposals")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals")
    amount_jpy = models.BigIntegerField()
    message = models.TextField()
    milestones = models.JSONField()  # [{"title", "amount_jpy"}]
    status = models.CharField(max_length=10, choices=STATUSES, default="pending")
    created_at = models.DateTimeField()
