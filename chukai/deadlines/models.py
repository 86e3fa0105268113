from django.db import models


class Deadline(models.Model):
    """A rule that fires at a time: domain data shown to users, run by the worker.

    `pending` rows are claimed with SKIP LOCKED and leased while running; a
    worker that dies leaves a lease that runs out, and the row is claimed
    again. The handler re-checks its condition under the contract lock, so
    an effect happens once however many workers run.
    """

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    STATUSES = [(s, s) for s in (PENDING, RUNNING, DONE, FAILED, CANCELLED)]

    kind = models.CharField(max_length=40)
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    subject_id = models.BigIntegerField(null=True, blank=True)  # milestone, reminder, case … by kind
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    not_before = models.DateTimeField(null=True, blank=True)  # retry back-off (wall time)
    leased_by = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    visible = models.BooleanField(default=True)  # shown in the contract's `deadlines`

    class Meta:
        indexes = [
            # Claims scan only what is pending (finished rows would slow them 15-20x).
            models.Index(fields=["due_at"], condition=models.Q(status="pending"), name="deadline_pending_due"),
            models.Index(fields=["contract", "status"]),
            models.Index(fields=["lease_until"], condition=models.Q(status="running"), name="deadline_running"),
            # "Is an earlier deadline of this contract unfinished?" — one probe per claimed row.
            models.Index(
                fields=["contract", "due_at", "id"],
                condition=models.Q(status__in=["pending", "running"]),
                name="deadline_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} {self.status} {self.due_at:%Y-%m-%d %H:%M}"
