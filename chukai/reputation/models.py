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


class Rating(models.Model):
    """One party's rating of the other after a contract ended.

    Double-blind: `revealed_at` stays null (and the rating is shown to its author
    alone, counted nowhere) until both parties have rated or the window closed.
    """

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ratings_given")
    ratee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ratings_received")
    rater_role = models.CharField(max_length=10)  # client or worker
    stars = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "rater"], name="one_rating_per_party"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5"),
        ]
        indexes = [
            # Profiles read only revealed ratings, newest first.
            models.Index(
                fields=["ratee", "-revealed_at"],
                condition=models.Q(revealed_at__isnull=False),
                name="rating_visible_by_ratee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ on #{self.contract_id} by {self.rater_role}"
