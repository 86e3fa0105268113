from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet

from chukai import clock
from chukai.accounts.models import User
from chukai.errors import Invalid, NotFound
from chukai.ledger.fees import fee_for_part
from chukai.marketplace import categories
from chukai.marketplace.models import Job, Proposal
from chukai.marketplace.search import MAX_QUERY_CHARS, terms_of
from chukai.policies import rulebooks

SORTS = {"newest": ("-created_at", "-id"), "budget_desc": ("-budget_jpy", "-id")}
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100
PAGE_MAX = 1000  # deeper pages cost an ever longer OFFSET scan; narrow the search instead
COUNT_CAP = 10_000  # matches counted at most (X-Total-Count); beyond it the answer says "more"
STATUSES = ("open", "closed", "all")


def is_open(job: Job, now: dt.datetime) -> bool:
    return job.status == "open" and job.apply_by > now


def open_q(now: dt.datetime) -> Q:
    """A job takes proposals while its client keeps it open and its application deadline is ahead."""
    return Q(status="open", apply_by__gt=now)


def job_dict(job: Job, *, locale: str = "ja", now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or clock.now()
    return {
        "id": job.pk,
        "client_id": job.client_id,
        "title": job.title,
        "description": job.description,
        "budget_jpy": job.budget_jpy,
        "pricing": job.pricing,
        "policy": job.policy,
        "category": job.category,
        "category_name": categories.name_of(job.category, locale),
        "status": "open" if is_open(job, now) else "closed",
        "apply_by": job.apply_by,
        "due_date": job.due_date,
        "withholding_tax": job.withholding_tax,
        "created_at": job.created_at,
        "edited_at": job.edited_at,
    }


def worker_fee_preview(*, policy_name: str, amount_jpy: int) -> dict[str, int]:
    """What the worker would receive for `amount_jpy` under the policy's current fees: the same fee
    function the ledger charges at release (ledger.fees via contracts.money). Withholding tax, where it
    applies, is not in this preview."""
    policy = rulebooks.current(policy_name if policy_name in rulebooks.NAMES else rulebooks.DEFAULT_POLICY)
    fee = fee_for_part(policy["fees"]["worker"], amount_jpy)
    return {"amount_jpy": amount_jpy, "worker_fee_jpy": fee, "worker_receives_jpy": amount_jpy - fee}


def proposal_dict(p: Proposal, *, policy_name: str | None = None) -> dict[str, Any]:
    policy_name = policy_name or p.job.policy
    preview = worker_fee_preview(policy_name=policy_name, amount_jpy=p.amount_jpy)
    return {
        "id": p.pk,
        "job_id": p.job_id,
        "worker_id": p.worker_id,
        "amount_jpy": p.amount_jpy,
        "message": p.message,
        "milestones": p.milestones,
        "status": p.status,
        "created_at": p.created_at,
        "edited_at": p.edited_at,
        "worker_fee_jpy": preview["worker_fee_jpy"],
        "worker_receives_jpy": preview["worker_receives_jpy"],
    }


@dataclass(frozen=True)
class Search:
    q: str = ""
    category: str | None = None
    min_budget_jpy: int | None = None
    max_budget_jpy: int | None = None
    policy: str | None = None
    pricing: str | None = None
    sort: str = "newest"
    page: int = 1
    page_size: int = PAGE_SIZE_DEFAULT
    status: str = "open"
    client_id: int | None = None

    def check(self) -> None:
        errors: dict[str, str] = {}
        if len(self.q) > MAX_QUERY_CHARS:
            errors["q"] = f"Search with at most {MAX_QUERY_CHARS} characters."
        if self.category is not None and self.category not in categories.CODES:
            errors["category"] = f"Choose one of {', '.join(categories.CODES)}."
        if self.policy is not None and self.policy not in rulebooks.NAMES:
            errors["policy"] = f"Choose one of {', '.join(rulebooks.NAMES)}."
        if self.pricing is not None and self.pricing not in ("fixed", "hourly"):
            errors["pricing"] = "Choose fixed or hourly."
        if self.sort not in SORTS:
            errors["sort"] = f"Choose one of {', '.join(SORTS)}."
        if self.status not in STATUSES:
            errors["status"] = "Choose open, closed or all."
        if not 1 <= self.page <= PAGE_MAX:
            errors["page"] = f"Give a page from 1 to {PAGE_MAX}."
        if not 1 <= self.page_size <= PAGE_SIZE_MAX:
            errors["page_size"] = f"Give a page size from 1 to {PAGE_SIZE_MAX}."
        for name in ("min_budget_jpy", "max_budget_jpy"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 10**12:
                errors[name] = "Give an amount of yen from 0."
        if (
            self.min_budget_jpy is not None
            and self.max_budget_jpy is not None
            and self.min_budget_jpy > self.max_budget_jpy
        ):
            errors["max_budget_jpy"] = "The maximum budget is below the minimum."
        if errors:
            raise Invalid(errors)


def search_queryset(s: Search, now: dt.datetime) -> QuerySet[Job]:
    qs = Job.objects.all()
    if s.client_id is not None:
        qs = qs.filter(client_id=s.client_id)
    if s.status == "open":
        qs = qs.filter(open_q(now))
    elif s.status == "closed":
        qs = qs.exclude(open_q(now))
    for term in terms_of(s.q):
        # `contains` escapes % _ and \ itself; both sides are in the same normal form (search.normal).
        qs = qs.filter(search_text__contains=term)
    if s.category:
        qs = qs.filter(category=s.category)
    if s.policy:
        qs = qs.filter(policy=s.policy)
    if s.pricing:
        qs = qs.filter(pricing=s.pricing)
    if s.min_budget_jpy is not None:
        qs = qs.filter(budget_jpy__gte=s.min_budget_jpy)
    if s.max_budget_jpy is not None:
        qs = qs.filter(budget_jpy__lte=s.max_budget_jpy)
    return qs


class Found(NamedTuple):
    rows: list[dict[str, Any]]
    total: int  # exact up to COUNT_CAP; COUNT_CAP when capped
    capped: bool  # more than COUNT_CAP jobs match


def job_search(s: Search, *, locale: str = "ja") -> Found:
    """One page of jobs and the number of matches: two queries whatever the number of jobs.

    The count stops at COUNT_CAP + 1 rows (COUNT over a LIMIT subquery): an exact count of 25,000
    matches among 500,000 jobs costs ~0.5 s on PostgreSQL (every match is read), a capped one a
    fraction of that (docs/PERFORMANCE.md). Nobody pages through more than 10,000 jobs.
    """
    s.check()
    now = clock.now()
    qs = search_queryset(s, now)
    counted = qs.order_by()[: COUNT_CAP + 1].count()
    total, capped = min(counted, COUNT_CAP), counted > COUNT_CAP
    start = (s.page - 1) * s.page_size
    if start >= total:
        return Found([], total, capped)
    rows = qs.defer("search_text").order_by(*SORTS[s.sort])[start : start + s.page_size]
    return Found([job_dict(j, locale=locale, now=now) for j in rows], total, capped)


def job_list(*, status: str = "open", limit: int = 100) -> list[dict[str, Any]]:
    return job_search(Search(status=status, page_size=min(limit, PAGE_SIZE_MAX))).rows


def job_brief(*, job_id: int) -> Job:
    return _job(job_id)


def _job(job_id: int) -> Job:
    job = Job.objects.defer("search_text").filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such job.")
    return job


def _visible_proposals(job: Job, user: User) -> QuerySet[Proposal]:
    # The client (and staff) see every proposal; anyone else only their own.
    qs = job.proposals.order_by("created_at", "id")
    if job.client_id != user.pk and not user.is_staff:
        qs = qs.filter(worker=user)
    return qs


def job_get(*, job_id: int, user: User) -> dict[str, Any]:
    job = _job(job_id)
    out = job_dict(job, locale=user.locale)
    out["proposals"] = [proposal_dict(p, policy_name=job.policy) for p in _visible_proposals(job, user)]
    return out


def job_proposals(*, job_id: int, user: User) -> list[dict[str, Any]]:
    """The proposals the caller may see, each with the proposer's name and reputation figures:
    a fixed number of queries however many proposals (reputation.selectors.figures_for)."""
    return job_with_proposals(job_id=job_id, user=user)[1]


def job_with_proposals(*, job_id: int, user: User) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from chukai.reputation.selectors import figures_for  # reputation reads contracts; imported late

    job = _job(job_id)
    rows = list(_visible_proposals(job, user).select_related("worker"))
    figures = figures_for([p.worker_id for p in rows])
    out = []
    for p in rows:
        f = figures[p.worker_id]
        out.append(
            {
                **proposal_dict(p, policy_name=job.policy),
                "worker": {
                    "id": p.worker_id,
                    "display_name": p.worker.display_name,
                    "rating_average": f["rating_average"],
                    "rating_count": f["rating_count"],
                    "completion_rate": f["completion_rate"],
                    "penalty_marks": f["penalty_marks"],
                },
            }
        )
    return job_dict(job, locale=user.locale), out


def proposal_get(*, proposal_id: int, user: User) -> dict[str, Any]:
    p = Proposal.objects.select_related("job").filter(pk=proposal_id).first()
    if p is None or (user.pk not in (p.worker_id, p.job.client_id) and not user.is_staff):
        raise NotFound("No such proposal.")
    return proposal_dict(p)


def category_list(*, locale: str) -> list[dict[str, str]]:
    return categories.category_list(locale)
