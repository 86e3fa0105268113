from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class Message(models.Model):
    """One message of a contract's thread. The body is stored exactly as written."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)  # the recipient's read mark (既読)

    class Meta:
        indexes = [
            models.Index(fields=["contract", "id"], name="message_thread"),  # keyset pages
            models.Index(
                fields=["recipient", "created_at"], condition=models.Q(read_at__isnull=True), name="message_unread"
            ),
            models.Index(fields=["sender", "created_at"], name="message_sender_time"),  # rate limit
        ]

    def __str__(self) -> str:
        return f"message#{self.pk} on contract#{self.contract_id}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.contract_id}/{instance.token}/{filename}"


class Attachment(models.Model):
    """A file uploaded to a contract's thread; attached to a message when that message is posted."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    token = models.CharField(max_length=32)  # random path part, so names never collide or guess
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [
            # the worker's orphan clean-up reads only unsent uploads
            models.Index(fields=["created_at"], condition=models.Q(message__isnull=True), name="attachment_unsent"),
        ]


class Notification(models.Model):
    """An in-app notification, rendered in the recipient's language when it was created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=60)
    params = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    official = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "id"], name="notification_user"),
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
        ]


class OutboxEmail(models.Model):
    """A transactional-outbox row: written in the transaction of the event, sent by the worker.

    Delivery is at least once: the row is marked `sent` only after the SMTP
    server accepted it. A worker that dies between the two leaves a lease that
    runs out, and the email is sent again with the same Message-ID.
    """

    PENDING = "pending"  # waiting for its time (batch window) or a worker
    SENDING = "sending"  # leased by a worker
    DEFERRED = "deferred"  # a temporary failure; retried after `next_attempt_at`
    SENT = "sent"
    BOUNCED = "bounced"  # the server refused the recipient permanently (5xx)
    FAILED = "failed"  # gave up (another permanent error, or too many attempts)
    SKIPPED = "skipped"  # no longer needed (read in the app before it went out)
    SUPPRESSED = "suppressed"  # not sent: the address bounces
    STATUSES = [(s, s) for s in (PENDING, SENDING, DEFERRED, SENT, BOUNCED, FAILED, SKIPPED, SUPPRESSED)]
    WAITING = (PENDING, DEFERRED)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    to_email = models.EmailField()
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=60)
    locale = models.CharField(max_length=2)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    params = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    message_id = models.CharField(max_length=200, unique=True)
    batch_key = models.CharField(max_length=100, blank=True)
    official = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=STATUSES, default=PENDING)
    send_after = models.DateTimeField()  # domain time (the batch window)
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # wall time (retry back-off)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    smtp_code = models.PositiveIntegerField(null=True, blank=True)
    leased_by = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["send_after"], condition=models.Q(status__in=["pending", "deferred"]), name="outbox_waiting"
            ),
            models.Index(fields=["lease_until"], condition=models.Q(status="sending"), name="outbox_sending"),
            models.Index(fields=["batch_key"], condition=models.Q(status="pending"), name="outbox_batch"),
            models.Index(fields=["user", "id"], name="outbox_user"),
        ]

    def __str__(self) -> str:
        return f"email#{self.pk} {self.kind} to {self.to_email} ({self.status})"
