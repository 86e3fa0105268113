from django.contrib import admin

from chukai.admin_readonly import ReadOnlyAdmin
from chukai.contracts.models import Contract, DueDateChange, Event, Milestone, PlanChange


class MilestoneInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Milestone
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Milestone._meta.fields]


class EventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Event
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "actor_role", "kind", "detail")
    fields = ("at", "actor", "actor_role", "kind", "detail")


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "status", "policy_name", "client", "worker", "amount_jpy", "formed_at"]
    list_filter = ["status", "policy_name"]
    search_fields = ["title", "client__email", "worker__email"]
    inlines = [MilestoneInline, EventInline]


admin.site.register([DueDateChange, PlanChange, Event], ReadOnlyAdmin)
