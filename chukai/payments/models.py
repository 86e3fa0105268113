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
