"""The support office reads payments and every webhook call here (read-only: money moves only through services)."""

from django.contrib import admin

from chukai.admin_readonly import ReadOnlyAdmin
from chukai.payments.models import Payment, PaymentEvent, WebhookCall


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "contract", "milestone", "method", "status", "amount_due_jpy", "paid_jpy", "pay_by"]
    list_filter = ["method", "status"]
    search_fields = ["gateway_ref", "account_number"]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "payment", "amount_jpy", "applied_jpy", "to_balance_jpy", "received_at"]
    search_fields = ["event_id"]


@admin.register(WebhookCall)
class WebhookCallAdmin(ReadOnlyAdmin):
    list_display = ["id", "received_at", "verdict", "status_code", "event_id", "remote_addr"]
    list_filter = ["verdict", "status_code"]
    search_fields = ["event_id", "body"]
