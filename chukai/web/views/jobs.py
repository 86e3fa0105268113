"""Jobs board, posting a job, proposing, accepting a proposal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chukai.marketplace import selectors as market
from chukai.marketplace import services as market_services
from chukai.policies import rulebooks
from chukai.web.forms import JobForm, ProposalForm
from chukai.web.views.common import attempt, me


def _policies() -> list[dict[str, object]]:
    return [rulebooks.current(n) for n in rulebooks.NAMES]


def job_list(request: HttpRequest) -> HttpResponse:
    jobs = market.job_list(status="open")
    return render(request, "web/jobs.html", {"jobs": jobs, "policies": {p["name"]: p for p in _policies()}})


@login_required
def job_new(request: HttpRequest) -> HttpResponse:
    form = JobForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, job = attempt(
            request, lambda: market_services.job_post(client_id=me(request).pk, **form.cleaned_data), form
        )
        if ok and job is not None:
            messages.success(request, _("Your job was posted."))
            return redirect("web:job", job.pk)
    return render(
        request, "web/job_new.html", {"form": form, "policies": _policies()}, status=422 if form.errors else 200
    )


@login_required
def job_detail(request: HttpRequest, job_id: int, form: ProposalForm | None = None) -> HttpResponse:
    from django.http import Http404

    from chukai.errors import NotFound

    try:
        job = market.job_get(job_id=job_id, user=me(request))
    except NotFound:
        raise Http404 from None
    policy = rulebooks.current(job["policy"]) if job["policy"] in rulebooks.NAMES else None
    mine = job["client_id"] == me(request).pk
    return render(
        request,
        "web/job.html",
        {"job": job, "policy": policy, "mine": mine, "form": form or ProposalForm()},
        status=422 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def job_propose(request: HttpRequest, job_id: int) -> HttpResponse:
    form = ProposalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        ok, _p = attempt(
            request,
            lambda: market_services.proposal_submit(
                worker_id=me(request).pk,
                job_id=job_id,
                amount_jpy=data["amount_jpy"],
                message=data["message"],
                milestones=data["milestones"],
            ),
            form,
        )
        if ok:
            messages.success(request, _("Your proposal was sent."))
            return redirect("web:job", job_id)
    return job_detail(request, job_id, form=form)


@login_required
@require_POST
def proposal_accept(request: HttpRequest, proposal_id: int) -> HttpResponse:
    ok, contract = attempt(
        request, lambda: market_services.proposal_accept(client_id=me(request).pk, proposal_id=proposal_id)
    )
    if ok and contract is not None:
        messages.success(request, _("The contract was formed. Fund the first milestone so the worker can start."))
        return redirect("web:contract", contract.pk)
    return redirect(request.POST.get("next") or "web:jobs")
