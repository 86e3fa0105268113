"""Jobs board (search with the filters in the URL), posting a job, proposing, answering proposals."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chukai import clock
from chukai.errors import NotFound
from chukai.marketplace import categories
from chukai.marketplace import selectors as market
from chukai.marketplace import services as market_services
from chukai.marketplace.search import MAX_QUERY_CHARS
from chukai.policies import rulebooks
from chukai.web.forms import JobForm, ProposalForm
from chukai.web.views.common import attempt, me

JST = zoneinfo.ZoneInfo("Asia/Tokyo")


def _policies() -> list[dict[str, object]]:
    return [rulebooks.current(n) for n in rulebooks.NAMES]


def _locale() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


def _category_choices() -> list[tuple[str, str]]:
    return [(c["code"], c["name"]) for c in categories.category_list(_locale())]


class JobSearchForm(forms.Form):
    """The search page's filters; a GET form, so every search is a URL that can be shared or bookmarked."""

    q = forms.CharField(label=gettext_lazy("Words"), required=False, max_length=MAX_QUERY_CHARS)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    min_budget_jpy = forms.IntegerField(label=gettext_lazy("Budget from (yen)"), required=False, min_value=0)
    max_budget_jpy = forms.IntegerField(label=gettext_lazy("Budget up to (yen)"), required=False, min_value=0)
    policy = forms.ChoiceField(label=gettext_lazy("Policy"), required=False)
    pricing = forms.ChoiceField(label=gettext_lazy("Pricing"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Order"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_ = ("", _("Any"))
        en = _locale() == "en"
        choices: dict[str, list[tuple[str, str]]] = {
            "category": [any_, *_category_choices()],
            "policy": [any_]
            + [(p["name"], p["label"]["en" if en else "ja"]) for p in (rulebooks.current(n) for n in rulebooks.NAMES)],
            "pricing": [any_, ("fixed", _("Fixed price")), ("hourly", _("Hourly"))],
            "sort": [("newest", _("Newest first")), ("budget_desc", _("Highest budget first"))],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options


def _page_number(raw: str | None) -> int:
    try:
        return min(max(int(raw or 1), 1), market.PAGE_MAX)
    except ValueError:
        return 1


def job_list(request: HttpRequest) -> HttpResponse:
    form = JobSearchForm(request.GET or None)
    page = _page_number(request.GET.get("page"))
    jobs: list[dict[str, Any]] = []
    total, capped = 0, False
    data = form.cleaned_data if form.is_valid() else {} if not form.is_bound else None
    if data is not None:
        search = market.Search(
            q=data.get("q") or "",
            category=data.get("category") or None,
            min_budget_jpy=data.get("min_budget_jpy"),
            max_budget_jpy=data.get("max_budget_jpy"),
            policy=data.get("policy") or None,
            pricing=data.get("pricing") or None,
            sort=data.get("sort") or "newest",
            page=page,
        )
        ok, found = attempt(request, lambda: market.job_search(search, locale=_locale()), form)
        if ok and found is not None:
            jobs, total, capped = found
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}

    def page_url(n: int) -> str:
        return "?" + urlencode({**kept, "page": n})

    size = market.PAGE_SIZE_DEFAULT
    return render(
        request,
        "web/jobs.html",
        {
            "form": form,
            "jobs": jobs,
            "total": total,
            "capped": capped,
            "page": page,
            "prev_url": page_url(page - 1) if page > 1 else None,
            "next_url": page_url(page + 1) if page * size < total else None,
            "policies": {p["name"]: p for p in _policies()},
        },
        status=422 if form.errors else 200,
    )


class JobPostForm(JobForm):
    category = forms.ChoiceField(label=gettext_lazy("Category"), initial=categories.DEFAULT, required=False)
    apply_by = forms.DateField(
        label=gettext_lazy("Application deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Proposals are taken until the end of this day (Japan time). Empty: 14 days."),
    )
    due_date = forms.DateField(
        label=gettext_lazy("Wished due date (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = _category_choices()

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        day = data.pop("apply_by", None)
        data["apply_by"] = (
            dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=JST) if isinstance(day, dt.date) else None
        )
        return data


@login_required
def job_new(request: HttpRequest) -> HttpResponse:
    form = JobPostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, job = attempt(
            request, lambda: market_services.job_post(client_id=me(request).pk, **form.service_fields()), form
        )
        if ok and job is not None:
            messages.success(request, _("Your job was posted."))
            return redirect("web:job", job.pk)
    return render(
        request, "web/job_new.html", {"form": form, "policies": _policies()}, status=422 if form.errors else 200
    )


def _job_action(request: HttpRequest, job_id: int) -> HttpResponse:
    """The buttons of the job page: close or reopen (its client), decline (its client), withdraw (the worker)."""
    user = me(request)
    action = request.POST.get("action", "")
    proposal_id = _page_number(request.POST.get("proposal")) if request.POST.get("proposal") else 0
    done = {
        "close": (lambda: market_services.job_close(client_id=user.pk, job_id=job_id), _("The job was closed.")),
        "reopen": (
            lambda: market_services.job_reopen(client_id=user.pk, job_id=job_id),
            _("The job takes proposals again."),
        ),
        "decline": (
            lambda: market_services.proposal_decline(client_id=user.pk, proposal_id=proposal_id),
            _("The proposal was declined; the worker is told."),
        ),
        "withdraw": (
            lambda: market_services.proposal_withdraw(worker_id=user.pk, proposal_id=proposal_id),
            _("Your proposal was withdrawn."),
        ),
    }.get(action)
    if done is None:
        raise Http404
    try:
        ok, _result = attempt(request, done[0])
    except NotFound:
        raise Http404 from None
    if ok:
        messages.success(request, done[1])
    return redirect("web:job", job_id)


@login_required
def job_detail(request: HttpRequest, job_id: int, form: ProposalForm | None = None) -> HttpResponse:
    if request.method == "POST" and form is None:
        return _job_action(request, job_id)
    user = me(request)
    try:
        job, proposals = market.job_with_proposals(job_id=job_id, user=user)
    except NotFound:
        raise Http404 from None
    policy = rulebooks.current(job["policy"]) if job["policy"] in rulebooks.NAMES else None
    mine = job["client_id"] == user.pk
    hired = any(p["status"] == "accepted" for p in proposals)
    live = next((p for p in proposals if p["worker_id"] == user.pk and p["status"] in ("pending", "accepted")), None)
    fee = None
    if not mine and live is None:
        cleaned = getattr(form, "cleaned_data", None) or {}
        amount = cleaned.get("amount_jpy") or job["budget_jpy"]
        fee = market.worker_fee_preview(policy_name=job["policy"], amount_jpy=amount)
    return render(
        request,
        "web/job.html",
        {
            "job": job,
            "proposals": proposals,
            "policy": policy,
            "mine": mine,
            "hired": hired,
            "live": live,
            "fee": fee,
            "now": clock.now(),
            "form": form or ProposalForm(initial={"amount_jpy": job["budget_jpy"]}),
        },
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
