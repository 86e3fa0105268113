from django.contrib import admin

from chukai.accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "email", "display_name", "is_staff", "email_status", "last_seen_at"]
    search_fields = ["email", "display_name"]
    readonly_fields = ["password", "last_login", "date_joined", "last_seen_at"]
    exclude = ["groups", "user_permissions"]
