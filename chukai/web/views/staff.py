"""The support office console (staff only): queue by deadline, case page, notices, decisions, dashboard."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chukai.contracts import selectors as contract_selectors
from chukai.errors import NotFound
from chukai.messaging import selectors as messaging
from chukai.support import selectors as support
from chukai.support import services as support_services
from chukai.web import charts, integrations, labels
from chukai.web import selectors as web_selectors
from chukai.web.forms import DecideForm, NoteForm, NoticeForm
from chukai.web.views.common import attempt, me

_staff_member: Any = staff_member_required(login_url="web:login")


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff pages: anonymous visitors go to the login page; a signed-in user who is not staff gets
    a 403 page (sending them to the login page, which sends signed-in users back, looped forever)."""
    guarded = _staff_member(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not request.user.is_staff:
            raise PermissionDenied
        response: HttpResponse = guarded(request, *args, **kwargs)
        return response

    return wrapper


@staff_only
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, "open", "awaiting_response", "ready_for_decision", "closed"):
        status = None
    cases = support.case_list(user=me(request), status=status)
    if status is None:
        cases = [c for c in cases if c["status"] != "closed"]
    return render(request, "web/staff_queue.html", {"cases": cases, "status": status})


def _case_context(request: HttpRequest, case_id: int, **forms: Any) -> dict[str, Any]:
    user = me(request)
    try:
        case = support.case_for(user=user, case_id=case_id)
    except NotFound:
        raise Http404 from None
    detail = support.case_detail(case=case, user=user)
    contract = contract_selectors.contract_for(user=user, contract_id=case.contract_id)
    c = contract_selectors.contract_detail(contract=contract, user=user)
    titles = {m["id"]: m["title"] for m in c["milestones"]}
    timeline = integrations.timeline_view(contract, titles=titles)
    thread, _cur = messaging.thread_page(contract=contract, latest=True, limit=100)
    return {
        "k": detail,
        "c": c,
        "contract": contract,
        "timeline": timeline,
        "thread": thread,
        "notice_form": forms.get("notice")
        or NoticeForm(initial={"respond_within_days": contract.policy["notice"]["respond_days"]}),
        "note_form": forms.get("note") or NoteForm(),
        "decide_form": forms.get("decide") or DecideForm(),
        "policy": contract.policy,
    }


def _case_page(request: HttpRequest, case_id: int, status: int = 200, **forms: Any) -> HttpResponse:
    return render(request, "web/staff_case.html", _case_context(request, case_id, **forms), status=status)


@staff_only
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, case_id)


def _case_act(
    request: HttpRequest,
    case_id: int,
    form: djforms.Form,
    form_key: str,
    fn: Callable[[dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Run a staff service with the form's data; success goes back to the case (PRG), a bad form
    or a refusal shows the case page again with the reason on the form."""
    if form.is_valid():
        ok, _result = attempt(request, lambda: fn(form.cleaned_data), form)
        if ok:
            messages.success(request, done)
            return redirect("web:staff_case", case_id)
    return _case_page(request, case_id, 422, **{form_key: form})


@staff_only
@require_POST
def notice_send(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_act(
        request,
        case_id,
        NoticeForm(request.POST),
        "notice",
        lambda d: support_services.notice_send(
            staff_id=me(request).pk,
            case_id=case_id,
            to=d["to"],
            body=d["body"],
            respond_within_days=d["respond_within_days"],
        ),
        _("The official notice was sent."),
    )


@staff_only
@require_POST
def note_add(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_act(
        request,
        case_id,
        NoteForm(request.POST),
        "note",
        lambda d: support_services.note_add(staff_id=me(request).pk, case_id=case_id, body=d["body"]),
        _("Note added."),
    )


@staff_only
@require_POST
def decide(request: HttpRequest, case_id: int) -> HttpResponse:
    """First POST shows the money effect; the second (with confirm) applies it."""
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case_id, 422, decide=form)
    d = form.cleaned_data
    pay = d.get("pay_worker_jpy") if d["decision"] == "split" else None
    if request.POST.get("confirm") == "1":
        ok, _case = attempt(
            request,
            lambda: support_services.case_decide(
                staff_id=me(request).pk,
                case_id=case_id,
                decision=d["decision"],
                pay_worker_jpy=pay,
                reason=d.get("reason") or "",
            ),
            form,
        )
        if ok:
            messages.success(request, _("Decided: %(what)s.") % {"what": labels.label(labels.DECISIONS, d["decision"])})
            return redirect("web:staff_case", case_id)
        return _case_page(request, case_id, 409, decide=form)
    ctx = _case_context(request, case_id, decide=form)
    ctx["preview"] = web_selectors.decision_preview(
        contract=ctx["contract"], decision=d["decision"], pay_worker_jpy=pay
    )
    ctx["decision"] = d["decision"]
    ctx["pay"] = pay
    ctx["reason"] = d.get("reason") or ""
    return render(request, "web/staff_decide.html", ctx)


@staff_only
def dashboard(request: HttpRequest) -> HttpResponse:
    stats = web_selectors.reminder_stats()
    endings = stats["endings"]
    return render(
        request,
        "web/staff_dashboard.html",
        {
            "stats": stats,
            "chart_filed": charts.bars(
                [(d.strftime("%m/%d"), n) for d, n in stats["per_week"]], title=_("Contact reminders filed per week")
            ),
            "chart_endings": charts.bars(
                [
                    (labels.label(labels.REQUEST_STATUS, k), endings.get(k, 0))
                    for k in ("open", "answered", "expired", "closed")
                ],
                title=_("How contact reminders ended"),
            ),
            "chart_response": charts.bars(stats["response"], title=_("Time to answer after a reminder")),
        },
    )
