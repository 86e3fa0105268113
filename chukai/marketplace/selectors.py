from __future__ import annotations

from typing import Any

from chukai.accounts.models import User
from chukai.errors import Invalid, NotFound
from chukai.marketplace.models import Job, Proposal


def job_dict(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "client_id": job.client_id,
        "title": job.title,
        "description": job.description,
        "budget_jpy": job.budget_jpy,
        "pricing": job.pricing,
        "policy": job.policy,
        "status": job.status,
        "created_at": job.created_at,
    }


def proposal_dict(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.pk,
        "job_id": p.job_id,
        "worker_id": p.worker_id,
        "amount_jpy": p.amount_jpy,
        "message": p.message,
        "milestones": p.milestones,
        "status": p.status,
        "created_at": p.created_at,
    }


def job_list(*, status: str = "open", limit: int = 100) -> list[dict[str, Any]]:
    if status not in ("open", "closed", "all"):
        raise Invalid({"status": "Choose open, closed or all."})
    qs = Job.objects.order_by("-created_at", "-id")
    if status != "all":
        qs = qs.filter(status=status)
    return [job_dict(j) for j in qs[:limit]]


def job_get(*, job_id: int, user: User) -> dict[str, Any]:
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such job.")
    out = job_dict(job)
    # The client sees every proposal; a worker sees only their own.
    qs = job.proposals.order_by("created_at", "id")
    if job.client_id != user.pk and not user.is_staff:
        qs = qs.filter(worker=user)
    out["proposals"] = [proposal_dict(p) for p in qs]
    return out
