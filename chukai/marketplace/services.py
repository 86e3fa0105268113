from __future__ import annotations

from typing import Any

from django.db import transaction

from chukai import clock
from chukai.contracts import hooks
from chukai.contracts.models import Contract, Milestone
from chukai.contracts.timeline import event_add
from chukai.contracts.validation import clean_amount, clean_milestones
from chukai.errors import Forbidden, Invalid, NotFound, RuleViolation
from chukai.marketplace.models import Job, Proposal
from chukai.policies import rulebooks


def job_post(
    *, client_id: int, title: str, description: str, budget_jpy: int, pricing: str, policy: str | None = None
) -> Job:
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title or len(title) > 200:
        errors["title"] = "Give a title of 1 to 200 characters."
    description = (description or "").strip()
    if not description or len(description) > 20_000:
        errors["description"] = "Describe the job in 1 to 20,000 characters."
    if pricing not in ("fixed", "hourly"):
        errors["pricing"] = "Choose fixed or hourly."
    policy = policy or rulebooks.DEFAULT_POLICY
    if policy not in rulebooks.NAMES:
        errors["policy"] = f"Choose one of {', '.join(rulebooks.NAMES)}."
    try:
        clean_amount(budget_jpy, "budget_jpy")
    except Invalid as exc:
        errors.update({k: " ".join(v) for k, v in exc.fields.items()})
    if errors:
        raise Invalid(errors)
    return Job.objects.create(
        client_id=client_id,
        title=title,
        description=description,
        budget_jpy=budget_jpy,
        pricing=pricing,
        policy=policy,
        created_at=clock.now(),
    )


def proposal_submit(
    *, worker_id: int, job_id: int, amount_jpy: int, message: str, milestones: list[dict[str, Any]] | None = None
) -> Proposal:
    amount = clean_amount(amount_jpy, "amount_jpy")
    message = (message or "").strip()
    if not message or len(message) > 10_000:
        raise Invalid({"message": "Write a message of 1 to 10,000 characters."})
    if milestones:
        plan = clean_milestones(milestones)
        if sum(m["amount_jpy"] for m in plan) != amount:
            raise Invalid(
                {"milestones": f"The milestones add up to ¥{sum(m['amount_jpy'] for m in plan):,}, not ¥{amount:,}."}
            )
    else:
        plan = [{"title": "納品一式 / Whole delivery", "amount_jpy": amount}]
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise NotFound("No such job.")
        if job.client_id == worker_id:
            raise Forbidden("You cannot propose on your own job.")
        if job.status != "open":
            raise RuleViolation("invalid_state", "This job no longer takes proposals.")
        return Proposal.objects.create(
            job=job, worker_id=worker_id, amount_jpy=amount, message=message, milestones=plan, created_at=clock.now()
        )


def proposal_accept(*, client_id: int, proposal_id: int) -> Contract:
    with transaction.atomic():
        head = Proposal.objects.filter(pk=proposal_id).values_list("job_id", flat=True).first()
        if head is None:
            raise NotFound("No such proposal.")
        job = Job.objects.select_for_update().get(pk=head)
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        if job.client_id != client_id:
            if proposal.worker_id == client_id:
                raise Forbidden("Only the job's client accepts a proposal.")
            raise NotFound("No such proposal.")
        if job.status != "open" or proposal.status != "pending":
            raise RuleViolation("invalid_state", "This proposal can no longer be accepted.")
        policy = rulebooks.current(job.policy)
        now = clock.now()
        contract = Contract.objects.create(
            job=job,
            proposal=proposal,
            client_id=job.client_id,
            worker_id=proposal.worker_id,
            title=job.title,
            pricing=job.pricing,
            policy_name=policy["name"],
            policy_version=policy["version"],
            policy=policy,
            amount_jpy=proposal.amount_jpy,
            formed_at=now,
        )
        Milestone.objects.bulk_create(
            [
                Milestone(contract=contract, position=i + 1, title=m["title"], amount_jpy=m["amount_jpy"])
                for i, m in enumerate(proposal.milestones)
            ]
        )
        proposal.status = "accepted"
        proposal.save(update_fields=["status"])
        job.proposals.filter(status="pending").exclude(pk=proposal.pk).update(status="declined")
        job.status = "closed"
        job.save(update_fields=["status"])
        event_add(
            contract=contract,
            kind="contract_formed",
            actor_id=client_id,
            amount_jpy=contract.amount_jpy,
            policy=f"{policy['name']} v{policy['version']}",
        )
        hooks.notify(contract=contract, user_id=contract.worker_id, kind="contract_formed", params={})
    return contract
