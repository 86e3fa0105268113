from django.conf import settings
from django.db import models


class PenaltyMark(models.Model):
    """Issued by the platform alone (never by a party), always with the contract it came from."""

    KINDS = [("unresponsive", "unresponsive"), ("staff", "staff")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="penalty_marks")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="penalty_marks")
    kind = models.CharField(max_length=20, choices=KINDS)
    reason = models.CharField(max_length=300)
    issued_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "contract", "kind"], name="one_penalty_per_contract_kind")
        ]
