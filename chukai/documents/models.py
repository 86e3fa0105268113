"""Papers (DOMAIN §12): invoices, receipts, payment notices, fee invoices, cancellations.

A document is written once, in the same transaction as the money it is about, and never
changed: its `payload` is everything the JSON answer and the PDF show. A correction is a new
document (a cancellation) pointing at the old one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DocumentCounter(models.Model):
    """The last number an issuer used in a year; locked (select_for_update) to take the next,
    so numbers are gapless: a rolled-back issue rolls its increment back with it."""

    issuer_key = models.CharField(max_length=30)  # "platform" or "user:<id>"
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer_key", "year"], name="documents_counter_issuer_year")]


class Document(models.Model):
    INVOICE = "invoice"  # 請求書: worker → client, when a milestone is funded
    RECEIPT = "receipt"  # 領収書: platform → client, for each payment
    PAYMENT_NOTICE = "payment_notice"  # 支払通知書: to the worker at each release or settlement
    FEE_INVOICE = "fee_invoice"  # 適格請求書 of the platform for its fees
    CANCELLATION = "cancellation"  # 取消通知: a funded milestone refunded
    KINDS = [(k, k) for k in (INVOICE, RECEIPT, PAYMENT_NOTICE, FEE_INVOICE, CANCELLATION)]

    key = models.CharField(max_length=120, unique=True)  # idempotency: a replay finds this row
    kind = models.CharField(max_length=20, choices=KINDS)
    issuer_key = models.CharField(max_length=30)
    issuer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # null: the platform
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="documents")
    milestone = models.ForeignKey("contracts.Milestone", null=True, blank=True, on_delete=models.PROTECT)
    cancels = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    seq = models.PositiveIntegerField()
    number = models.CharField(max_length=40)
    issued_at = models.DateTimeField()
    payload = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer_key", "year", "seq"], name="documents_number_unique"),
        ]
        indexes = [models.Index(fields=["contract", "issued_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"
