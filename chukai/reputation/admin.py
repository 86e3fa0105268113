from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chukai.admin_readonly import ReadOnlyAdmin
from chukai.reputation.models import PenaltyMark, Rating


@admin.register(PenaltyMark)
class PenaltyMarkAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "kind", "contract", "issued_at", "reason"]
    list_filter = ["kind"]
    search_fields = ["user__email", "reason"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    """Revealed ratings only: a hidden rating is its author's alone, staff included (DOMAIN §7)."""

    list_display = ["id", "contract", "rater", "rater_role", "ratee", "stars", "revealed_at"]
    list_filter = ["stars", "rater_role"]
    search_fields = ["rater__email", "ratee__email", "comment"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(revealed_at__isnull=False)
