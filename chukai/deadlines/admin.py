from django.contrib import admin

from chukai.admin_readonly import ReadOnlyAdmin
from chukai.deadlines.models import Deadline


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "contract", "due_at", "status", "attempts", "last_error"]
    list_filter = ["status", "kind"]
