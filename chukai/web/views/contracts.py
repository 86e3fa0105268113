"""The contract page and its actions (milestones, due dates, plan changes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chukai import clock
from chukai.contracts import selectors as contract_selectors
from chukai.contracts import services as contract_services
from chukai.documents.exports import timeline_csv
from chukai.errors import NotFound
from chukai.messaging import services as messaging_services
from chukai.web import integrations, labels
from chukai.web.forms import DeliverForm, DueDateForm, PlanChangeForm, RevisionForm
from chukai.web.views.common import attempt, bad_form, me

CONTRACT_LEVEL = ("due_date_change", "plan_change")


def _contract(request: HttpRequest, contract_id: int) -> Any:
    try:
        return contract_selectors.contract_for(user=me(request), contract_id=contract_id)
    except NotFound:
        raise Http404 from None


def contract_context(request: HttpRequest, contract_id: int, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    user = me(request)
    contract = _contract(request, contract_id)
    detail = contract_selectors.contract_detail(contract=contract, user=user)
    titles = {m["id"]: m["title"] for m in detail["milestones"]}
    timeline = integrations.timeline_view(contract, titles=titles)
    role = detail["role"]
    counterpart = contract.worker if role == "client" else contract.client
    forms = forms or {}
    today = clock.now().date()
    ctx: dict[str, Any] = {
        "c": detail,
        "contract": contract,
        "role": role,
        "counterpart": counterpart,
        "timeline": timeline,
        "policy": contract.policy,
        "deliver_form": forms.get("deliver") or DeliverForm(),
        "deliver_for": forms.get("deliver_for"),
        "revision_form": forms.get("revision") or RevisionForm(),
        "revision_for": forms.get("revision_for"),
        "due_form": forms.get("due") or DueDateForm(today=today),
        "plan_form": forms.get("plan") or PlanChangeForm(),
        "actions": detail["actions"],
        "contract_actions": [
            {"name": n, "label": labels.label(labels.ACTIONS, n), **detail["actions"][n]}
            for n in integrations.CONTRACT_ACTIONS
            if n in detail["actions"]
        ],
        "deadlines": [
            {**d, "label": labels.label(labels.DEADLINES, d["kind"]), "subject": titles.get(d["subject_id"])}
            for d in detail["deadlines"]
        ],
        "escrow_total": detail["escrow_jpy"],
    }
    ctx.update(integrations.contract_panels(request=request, contract=contract, user=user, forms=forms))
    return ctx


@login_required
def contract_page(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _contract(request, contract_id)
    user = me(request)
    role = contract.role_of(user.pk)
    if role is not None and getattr(contract, f"{role}_unread"):
        # Opening the page shows the thread: the counterpart sees 既読 (read) from now on.
        messaging_services.messages_mark_read(user_id=user.pk, contract_id=contract_id)
    return render(request, "web/contract.html", contract_context(request, contract_id))


def rerender(request: HttpRequest, contract_id: int, forms: dict[str, Any], status: int = 422) -> HttpResponse:
    for f in forms.values():
        if isinstance(f, djforms.Form):
            bad_form(request, f)
            break
    return render(request, "web/contract.html", contract_context(request, contract_id, forms), status=status)


def act(
    request: HttpRequest,
    contract_id: int,
    fn: Callable[[], Any],
    done: str,
    *,
    form: djforms.Form | None = None,
    form_key: str | None = None,
    extra_forms: dict[str, Any] | None = None,
    anchor: str = "",
) -> HttpResponse:
    """Run a service for the contract page; success redirects (PRG), failure re-renders with the reason."""
    if form is not None and not form.is_valid():
        return rerender(request, contract_id, {form_key or "form": form, **(extra_forms or {})})
    ok, _result = attempt(request, fn, form)
    if ok:
        messages.success(request, done)
        return redirect(f"/contracts/{contract_id}{anchor}")
    if form is not None:
        return rerender(request, contract_id, {form_key or "form": form, **(extra_forms or {})})
    return render(request, "web/contract.html", contract_context(request, contract_id), status=409)


@login_required
@require_POST
def milestone_fund(request: HttpRequest, contract_id: int, milestone_id: int) -> HttpResponse:
    uid = me(request).pk
    return act(
        request,
        contract_id,
        lambda: contract_services.milestone_fund(user_id=uid, contract_id=contract_id, milestone_id=milestone_id),
        _("Escrow funded. The worker can start on this milestone."),
        anchor="#milestones",
    )


@login_required
@require_POST
def milestone_deliver(request: HttpRequest, contract_id: int, milestone_id: int) -> HttpResponse:
    uid = me(request).pk
    form = DeliverForm(request.POST)
    return act(
        request,
        contract_id,
        lambda: contract_services.milestone_deliver(
            user_id=uid, contract_id=contract_id, milestone_id=milestone_id, message=form.cleaned_data["message"]
        ),
        _("Completion reported. The client's acceptance period has started."),
        form=form,
        form_key="deliver",
        extra_forms={"deliver_for": milestone_id},
        anchor="#milestones",
    )


@login_required
@require_POST
def milestone_accept(request: HttpRequest, contract_id: int, milestone_id: int) -> HttpResponse:
    uid = me(request).pk
    return act(
        request,
        contract_id,
        lambda: contract_services.milestone_accept(user_id=uid, contract_id=contract_id, milestone_id=milestone_id),
        _("Delivery accepted. The payment to the worker is confirmed."),
        anchor="#milestones",
    )


@login_required
@require_POST
def milestone_revision(request: HttpRequest, contract_id: int, milestone_id: int) -> HttpResponse:
    uid = me(request).pk
    form = RevisionForm(request.POST)
    return act(
        request,
        contract_id,
        lambda: contract_services.milestone_request_revision(
            user_id=uid, contract_id=contract_id, milestone_id=milestone_id, reason=form.cleaned_data["reason"]
        ),
        _("Revision requested. The money stays in escrow."),
        form=form,
        form_key="revision",
        extra_forms={"revision_for": milestone_id},
        anchor="#milestones",
    )


@login_required
@require_POST
def due_date_propose(request: HttpRequest, contract_id: int) -> HttpResponse:
    uid = me(request).pk
    form = DueDateForm(request.POST, today=clock.now().date())
    return act(
        request,
        contract_id,
        lambda: contract_services.due_date_propose(
            user_id=uid, contract_id=contract_id, due_date=form.cleaned_data["due_date"]
        ),
        _("New due date proposed. Your counterpart will accept or decline it."),
        form=form,
        form_key="due",
        anchor="#changes",
    )


@login_required
@require_POST
def due_date_decide(request: HttpRequest, contract_id: int, change_id: int, verdict: str) -> HttpResponse:
    uid = me(request).pk
    if verdict not in ("accept", "decline"):
        raise Http404
    accept = verdict == "accept"
    return act(
        request,
        contract_id,
        lambda: contract_services.due_date_decide(user_id=uid, change_id=change_id, accept=accept),
        _("The new due date was accepted.") if accept else _("The new due date was declined."),
        anchor="#changes",
    )


@login_required
@require_POST
def plan_change_propose(request: HttpRequest, contract_id: int) -> HttpResponse:
    uid = me(request).pk
    form = PlanChangeForm(request.POST)
    return act(
        request,
        contract_id,
        lambda: contract_services.plan_change_propose(
            user_id=uid, contract_id=contract_id, milestones=form.cleaned_data["milestones"]
        ),
        _("Plan change proposed. Your counterpart will accept or decline it."),
        form=form,
        form_key="plan",
        anchor="#changes",
    )


@login_required
@require_POST
def plan_change_decide(request: HttpRequest, contract_id: int, change_id: int, verdict: str) -> HttpResponse:
    uid = me(request).pk
    if verdict not in ("accept", "decline"):
        raise Http404
    accept = verdict == "accept"
    return act(
        request,
        contract_id,
        lambda: contract_services.plan_change_decide(user_id=uid, change_id=change_id, accept=accept),
        _("The plan change was accepted.") if accept else _("The plan change was declined."),
        anchor="#changes",
    )


@login_required
def contract_timeline_export(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The timeline as CSV: the evidence for a dispute, to keep."""
    contract = _contract(request, contract_id)
    resp = HttpResponse(timeline_csv(contract=contract, user=me(request)), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="contract-{contract.pk}-timeline.csv"'
    return resp
