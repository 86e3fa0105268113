from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from ninja import Router
from pydantic import AfterValidator, ConfigDict, Field, field_validator

from chukai.api import caller, created, ok
from chukai.common.text import Text10k, Text20k, Title
from chukai.common.types import Flag, Input, IsoDate, IsoDateTime, Yen
from chukai.contracts.selectors import contract_detail
from chukai.contracts.validation import MAX_JPY, MAX_MILESTONES
from chukai.errors import Invalid
from chukai.marketplace import categories, selectors, services

router = Router(tags=["jobs"])


def _category(value: str) -> str:
    if value not in categories.CODES:
        raise ValueError(f"Choose one of {', '.join(categories.CODES)}.")
    return value


# A category code (marketplace.categories.CODES); null or absent: "other".
Category = Annotated[str, Field(json_schema_extra={"enum": list(categories.CODES)}), AfterValidator(_category)]
Policy = Literal["chukai", "lancers", "crowdworks", "upwork"]  # rulebooks.NAMES
Pricing = Literal["fixed", "hourly"]


class JobIn(Input):
    title: Title
    description: Text20k
    budget_jpy: Yen
    pricing: Pricing
    policy: Policy | None = None
    category: Category | None = None
    apply_by: IsoDateTime | None = None  # 募集期限; 14 days from now when not given
    due_date: IsoDate | None = None
    withholding_tax: Flag = False  # 源泉徴収 by the client (DOMAIN §12)


_NOT_NULL = ("title", "description", "budget_jpy", "pricing")


def _not_null_in_schema(schema: dict[str, Any]) -> None:
    for name in _NOT_NULL:
        prop = schema["properties"][name]
        options = [o for o in prop.pop("anyOf", []) if o.get("type") != "null"]
        prop.update(options[0] if options else {})
        prop.pop("default", None)


class JobEditIn(Input):
    """Only the fields sent change; title, description, budget and pricing cannot be null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_not_null_in_schema)

    title: Title | None = None
    description: Text20k | None = None
    budget_jpy: Yen | None = None
    pricing: Pricing | None = None
    policy: Policy | None = None
    category: Category | None = None
    apply_by: IsoDateTime | None = None
    due_date: IsoDate | None = None

    @field_validator(*_NOT_NULL, mode="before")
    @classmethod
    def _given_not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("Leave the field out to keep it; it cannot be null.")
        return value


class ReopenIn(Input):
    apply_by: IsoDateTime | None = None


class MilestoneIn(Input):
    title: Title
    amount_jpy: Yen
    due_date: IsoDate | None = None


class ProposalIn(Input):
    amount_jpy: Yen
    message: Text10k
    milestones: Annotated[list[MilestoneIn], Field(max_length=MAX_MILESTONES)] | None = None


@router.post("/jobs", response={201: dict})
def job_post(request: HttpRequest, data: JobIn) -> HttpResponse:
    user = caller(request)
    return created(request, lambda: selectors.job_dict(services.job_post(client_id=user.pk, **data.dict())))


@router.get("/categories", response=list)
def category_list(request: HttpRequest) -> HttpResponse:
    return ok(selectors.category_list(locale=caller(request).locale))


@router.get("/jobs", response=list)
def job_list(
    request: HttpRequest,
    q: str = "",
    category: Category | None = None,
    min_budget_jpy: Annotated[int, Field(ge=0, le=10**12)] | None = None,
    max_budget_jpy: Annotated[int, Field(ge=0, le=10**12)] | None = None,
    policy: Policy | None = None,
    pricing: Pricing | None = None,
    sort: Literal["newest", "budget_desc"] = "newest",
    page: Annotated[int, Field(ge=1, le=selectors.PAGE_MAX)] = 1,
    page_size: Annotated[int, Field(ge=1, le=selectors.PAGE_SIZE_MAX)] = selectors.PAGE_SIZE_DEFAULT,
    status: Literal["open", "closed", "all"] = "open",
    mine: bool = False,
) -> HttpResponse:
    """Open jobs by words (title and description), category, budget, policy and pricing, a page at a time.
    `X-Total-Count` gives the number of matches, counted up to 10,000 (`X-Total-Count-Capped: true` when
    more match); `Link` has `rel="next"` while more pages follow."""
    user = caller(request)
    search = selectors.Search(
        q=q,
        category=category or None,
        min_budget_jpy=min_budget_jpy,
        max_budget_jpy=max_budget_jpy,
        policy=policy or None,
        pricing=pricing or None,
        sort=sort,
        page=page,
        page_size=page_size,
        status=status,
        client_id=user.pk if mine else None,
    )
    rows, total, capped = selectors.job_search(search, locale=user.locale)
    response = ok(rows)
    response["X-Total-Count"] = str(total)
    if capped:  # more than COUNT_CAP match: X-Total-Count says COUNT_CAP; narrow the search
        response["X-Total-Count-Capped"] = "true"
    if page * page_size < total:
        params = {k: v for k, v in request.GET.items() if k != "page"}
        url = request.build_absolute_uri(request.path) + "?" + urlencode({**params, "page": page + 1})
        response["Link"] = f'<{url}>; rel="next"'
    return response


@router.get("/jobs/{job_id}", response=dict)
def job_get(request: HttpRequest, job_id: int) -> HttpResponse:
    return ok(selectors.job_get(job_id=job_id, user=caller(request)))


@router.patch("/jobs/{job_id}", response=dict)
def job_edit(request: HttpRequest, job_id: int, data: JobEditIn) -> HttpResponse:
    """Change a job while nobody is hired (pricing and policy only while no proposal is pending)."""
    user = caller(request)
    changes = data.dict(exclude_unset=True)
    return ok(selectors.job_dict(services.job_edit(client_id=user.pk, job_id=job_id, changes=changes)))


@router.post("/jobs/{job_id}/close", response=dict)
def job_close(request: HttpRequest, job_id: int) -> HttpResponse:
    user = caller(request)
    return ok(selectors.job_dict(services.job_close(client_id=user.pk, job_id=job_id), locale=user.locale))


@router.post("/jobs/{job_id}/reopen", response=dict)
def job_reopen(request: HttpRequest, job_id: int, data: ReopenIn | None = None) -> HttpResponse:
    user = caller(request)
    apply_by = data.apply_by if data is not None else None
    job = services.job_reopen(client_id=user.pk, job_id=job_id, apply_by=apply_by)
    return ok(selectors.job_dict(job, locale=user.locale))


@router.get("/jobs/{job_id}/proposals", response=list)
def job_proposals(request: HttpRequest, job_id: int) -> HttpResponse:
    return ok(selectors.job_proposals(job_id=job_id, user=caller(request)))


@router.get("/jobs/{job_id}/fee-preview", response=dict)
def fee_preview(request: HttpRequest, job_id: int, amount_jpy: Annotated[int, Field(ge=1, le=MAX_JPY)]) -> HttpResponse:
    """What the worker would receive for a proposal of `amount_jpy` on this job (before withholding)."""
    caller(request)
    if not 1 <= amount_jpy <= MAX_JPY:
        raise Invalid({"amount_jpy": f"Must be between ¥1 and ¥{MAX_JPY:,}."})
    job = selectors.job_brief(job_id=job_id)
    return ok(selectors.worker_fee_preview(policy_name=job.policy, amount_jpy=amount_jpy))


@router.post("/jobs/{job_id}/proposals", response={201: dict})
def proposal_submit(request: HttpRequest, job_id: int, data: ProposalIn) -> HttpResponse:
    user = caller(request)
    milestones: list[dict[str, Any]] | None = (
        [m.dict() for m in data.milestones] if data.milestones is not None else None
    )

    def make() -> dict[str, Any]:
        p = services.proposal_submit(
            worker_id=user.pk, job_id=job_id, amount_jpy=data.amount_jpy, message=data.message, milestones=milestones
        )
        return selectors.proposal_dict(p)

    return created(request, make)


@router.get("/proposals/{proposal_id}", response=dict)
def proposal_get(request: HttpRequest, proposal_id: int) -> HttpResponse:
    return ok(selectors.proposal_get(proposal_id=proposal_id, user=caller(request)))


@router.put("/proposals/{proposal_id}", response=dict)
def proposal_edit(request: HttpRequest, proposal_id: int, data: ProposalIn) -> HttpResponse:
    """Replace a pending proposal's amount, message and milestones (its worker only)."""
    user = caller(request)
    milestones = [m.dict() for m in data.milestones] if data.milestones is not None else None
    p = services.proposal_edit(
        worker_id=user.pk,
        proposal_id=proposal_id,
        amount_jpy=data.amount_jpy,
        message=data.message,
        milestones=milestones,
    )
    return ok(selectors.proposal_dict(p))


@router.post("/proposals/{proposal_id}/withdraw", response=dict)
def proposal_withdraw(request: HttpRequest, proposal_id: int) -> HttpResponse:
    user = caller(request)
    return ok(selectors.proposal_dict(services.proposal_withdraw(worker_id=user.pk, proposal_id=proposal_id)))


@router.post("/proposals/{proposal_id}/decline", response=dict)
def proposal_decline(request: HttpRequest, proposal_id: int) -> HttpResponse:
    user = caller(request)
    return ok(selectors.proposal_dict(services.proposal_decline(client_id=user.pk, proposal_id=proposal_id)))


@router.post("/proposals/{proposal_id}/accept", response={201: dict})
def proposal_accept(request: HttpRequest, proposal_id: int) -> HttpResponse:
    user = caller(request)

    def make() -> dict[str, Any]:
        contract = services.proposal_accept(client_id=user.pk, proposal_id=proposal_id)
        return contract_detail(contract=contract, user=user)

    return created(request, make)


@router.get("/me/todo", response=list, tags=["me"])
def me_todo(request: HttpRequest) -> HttpResponse:
    """要対応: every action waiting on the caller (fund, deliver, accept, answer_reminder, answer_termination,
    answer_notice, rate) with its deadline (`due_at`, null when there is none), soonest first."""
    from chukai.todo import todo_for  # above every app it reads; registered here to need no new router

    return ok(todo_for(user_id=caller(request).pk))
