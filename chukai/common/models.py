from django.conf import settings
from django.db import models


class ManualClock(models.Model):
    """The manual clock's time, shared by every process (tests and demos only)."""

    now = models.DateTimeField()


class IdempotencyRecord(models.Model):
    """The first answer to a creating POST, replayed for a repeat with the same key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    # sha256 of the request (chukai.api.request_fingerprint): a repeat with another body is refused.
    request_hash = models.CharField(max_length=64, blank=True, default="")
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key")]
