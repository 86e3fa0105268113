from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from chukai.api import caller, created, ok
from chukai.contracts.selectors import contract_detail
from chukai.marketplace import selectors, services

router = Router(tags=["jobs"])


class JobIn(Schema):
    title: str
    description: str
    budget_jpy: int
    pricing: str
    policy: str | None = None


class MilestoneIn(Schema):
    title: str
    amount_jpy: int


class ProposalIn(Schema):
    amount_jpy: int
    message: str
    milestones: list[MilestoneIn] | None = None


@router.post("/jobs", response={201: dict})
def job_post(request: HttpRequest, data: JobIn) -> HttpResponse:
    user = caller(request)
    return created(request, lambda: selectors.job_dict(services.job_post(client_id=user.pk, **data.dict())))


@router.get("/jobs", response=list)
def job_list(request: HttpRequest, status: str = "open") -> HttpResponse:
    return ok(selectors.job_list(status=status))


@router.get("/jobs/{job_id}", response=dict)
def job_get(request: HttpRequest, job_id: int) -> HttpResponse:
    return ok(selectors.job_get(job_id=job_id, user=caller(request)))


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


@router.post("/proposals/{proposal_id}/accept", response={201: dict})
def proposal_accept(request: HttpRequest, proposal_id: int) -> HttpResponse:
    user = caller(request)

    def make() -> dict[str, Any]:
        contract = services.proposal_accept(client_id=user.pk, proposal_id=proposal_id)
        return contract_detail(contract=contract, user=user)

    return created(request, make)
