"""The support office console (staff only)."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@staff_member_required(login_url="web:login")
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "web/staff_queue.html", {"cases": []})
