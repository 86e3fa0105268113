"""The support office's queue in Django admin: read-only rows; decisions go through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import F, QuerySet
from django.http import HttpRequest

from chukai.admin_readonly import ReadOnlyAdmin
from chukai.errors import ChukaiError
from chukai.support import services
from chukai.support.models import OfficialNotice, StaffNote, SupportCase


class NoticeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OfficialNotice
    extra = 0
    can_delete = False
    fields = ("to_role", "to_user", "sent_at", "respond_by", "status", "answered_at", "body")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoteInline(admin.TabularInline):  # type: ignore[type-arg]
    model = StaffNote
    extra = 0
    can_delete = False
    fields = ("created_at", "author", "body")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _decide_action(decision: str, label: str) -> Any:
    def action(modeladmin: SupportCaseAdmin, request: HttpRequest, queryset: QuerySet[SupportCase]) -> None:
        done = 0
        for case in queryset:
            try:
                services.case_decide(
                    staff_id=int(request.user.pk or 0), case_id=case.pk, decision=decision, reason="decided in admin"
                )
                done += 1
            except ChukaiError as exc:
                modeladmin.message_user(request, f"Case #{case.pk}: {exc.detail}", messages.ERROR)
        if done:
            modeladmin.message_user(request, f"{label}: {done} case(s).", messages.SUCCESS)

    action.__name__ = f"decide_{decision}"
    return admin.action(description=label)(action)


@admin.register(SupportCase)
class SupportCaseAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "kind", "contract", "opened_by", "opened_at", "attention_at", "decision"]
    list_filter = ["status", "kind", "decision"]
    search_fields = ["contract__title", "opened_by__email", "body"]
    inlines = [NoticeInline, NoteInline]
    actions = [
        _decide_action(SupportCase.RELEASE_DELIVERED, "Decide: pay the delivered milestones / 納品済みを支払い確定"),
        _decide_action(SupportCase.REFUND_ESCROW, "Decide: refund the escrow / 仮払いを返金"),
        _decide_action(SupportCase.CANCEL, "Decide: cancel the contract / 契約をキャンセル"),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SupportCase]:
        # The queue: what needs attention first, closed cases last.
        return (
            super()
            .get_queryset(request)
            .select_related("contract", "opened_by")
            .order_by(F("attention_at").asc(nulls_last=True), "-closed_at")
        )


@admin.register(OfficialNotice)
class OfficialNoticeAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "to_role", "to_user", "sent_at", "respond_by", "status"]
    list_filter = ["status", "to_role"]
