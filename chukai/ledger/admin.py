from django.contrib import admin

from chukai.admin_readonly import ReadOnlyAdmin
from chukai.ledger.models import Account, LedgerTransaction, Leg


class LegInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Leg
    extra = 0
    can_delete = False
    readonly_fields = ["account", "amount"]


@admin.register(LedgerTransaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "contract", "milestone", "created_at", "idempotency_key"]
    list_filter = ["kind"]
    inlines = [LegInline]


admin.site.register(Account, ReadOnlyAdmin)
