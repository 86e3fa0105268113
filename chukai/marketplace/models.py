from django.conf import settings
from django.db import models

from chukai.marketplace import categories


class Job(models.Model):
    PRICING = [("fixed", "fixed"), ("hourly", "hourly")]
    # The stored status is what the client decided (open, or closed by hand or by hiring); a job whose
    # application deadline (apply_by) has passed is closed too, computed against clock.now() in every
    # query (`selectors.open_jobs`), so nothing has to run at the deadline.
    STATUSES = [("open", "open"), ("closed", "closed")]
    CATEGORIES = [(c, c) for c in categories.CODES]

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    title = models.CharField(max_length=200)
    description = models.TextField()
    budget_jpy = models.BigIntegerField()
    pricing = models.CharField(max_length=10, choices=PRICING)
    policy = models.CharField(max_length=20)
    category = models.CharField(max_length=20, choices=CATEGORIES, default=categories.DEFAULT)
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    created_at = models.DateTimeField()
    apply_by = models.DateTimeField()  # 募集期限: no proposals after it
    due_date = models.DateField(null=True, blank=True)  # 希望納期 (optional)
    # 源泉徴収 (DOMAIN §12): the client withholds income tax from an individual worker's pay; the
    # contract formed from the job decides (issue 11, helper "tax").
    withholding_tax = models.BooleanField(default=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    # NFKC + casefold of title and description, kept by the services: one column that the search
    # matches with LIKE on both databases (a trigram GIN index serves it on PostgreSQL).
    search_text = models.TextField(default="", editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["-budget_jpy", "-id"], condition=models.Q(status="open"), name="job_open_budget"),
            models.Index(
                fields=["category", "-created_at", "-id"], condition=models.Q(status="open"), name="job_open_category"
            ),
        ]


class Proposal(models.Model):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    STATUSES = [(s, s) for s in (PENDING, ACCEPTED, DECLINED, WITHDRAWN)]
    LIVE = (PENDING, ACCEPTED)  # at most one of these per worker and job

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="proposals")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals")
    amount_jpy = models.BigIntegerField()
    message = models.TextField()
    milestones = models.JSONField()  # [{"title", "amount_jpy", "due_date"?}]
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # accepted, declined or withdrawn

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["job", "worker"],
                condition=models.Q(status__in=["pending", "accepted"]),
                name="proposal_one_live_per_worker",
            )
        ]
