from django.contrib import admin

from chukai.admin_readonly import ReadOnlyAdmin
from chukai.payouts.models import BankAccount, PayoutAudit, PayoutBatch, Withdrawal


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "status", "amount_jpy", "net_jpy", "pay_date", "batch", "requested_at"]
    list_filter = ["status", "pay_date"]


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "pay_date", "status", "count", "total_jpy", "created_by", "confirmed_by"]


@admin.register(PayoutAudit)
class PayoutAuditAdmin(ReadOnlyAdmin):
    list_display = ["at", "staff", "action", "batch", "withdrawal"]
    list_filter = ["action"]


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdmin):
    # The number is shown masked here too: staff see it in full only in the audited transfer file.
    list_display = ["id", "user", "bank_code", "branch_code", "account_type", "account_number_masked", "replaced_at"]
    exclude = ["account_number"]
    readonly_fields = ["account_number_masked"]
