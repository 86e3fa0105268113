"""Contact reminders, early termination, support cases (pages)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def reminder_confirm(request: HttpRequest, contract_id: int) -> HttpResponse:
    return redirect("web:contract", contract_id)


@login_required
def reminder_done(request: HttpRequest, contract_id: int) -> HttpResponse:
    return redirect("web:contract", contract_id)
