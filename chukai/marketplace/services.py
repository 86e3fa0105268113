from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import IntegrityError, transaction

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts import hooks
from chukai.contracts.models import Contract, Milestone
from chukai.contracts.timeline import event_add
from chukai.contracts.validation import clean_amount, clean_milestones
from chukai.errors import Forbidden, Invalid, NotFound, RuleViolation
from chukai.marketplace import categories
from chukai.marketplace.models import Job, Proposal
from chukai.marketplace.search import search_text_for
from chukai.policies import rulebooks

APPLY_DAYS_DEFAULT = 14  # 募集期限 when the client gives none (Lancers and CrowdWorks offer 1–4 weeks)
APPLY_DAYS_MAX = 90
JST = zoneinfo.ZoneInfo("Asia/Tokyo")


def _today() -> dt.date:
    return clock.now().astimezone(JST).date()


def _milestone_has_due_date() -> bool:
    return any(f.name == "due_date" for f in Milestone._meta.get_fields())


def _clean_apply_by(value: dt.datetime | None, errors: dict[str, str]) -> dt.datetime:
    now = clock.now()
    if value is None:
        return now + dt.timedelta(days=APPLY_DAYS_DEFAULT)
    if value.tzinfo is None:
        value = value.replace(tzinfo=JST)  # a time without offset is Japan time, as the site shows it
    if value <= now:
        errors["apply_by"] = "The application deadline must be in the future."
    elif value > now + dt.timedelta(days=APPLY_DAYS_MAX):
        errors["apply_by"] = f"The application deadline must be within {APPLY_DAYS_MAX} days."
    return value


def _clean_due_date(value: Any, field: str, errors: dict[str, str]) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            errors[field] = "Give a date as YYYY-MM-DD."
            return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[field] = "Give a date as YYYY-MM-DD."
        return None
    if value < _today():
        errors[field] = "The due date cannot be in the past."
    return value


def _clean_job_fields(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Check the job fields present in `data` (a post has all of them, an edit some)."""
    out: dict[str, Any] = {}
    if "title" in data:
        title = (data["title"] or "").strip()
        if not title or len(title) > 200:
            errors["title"] = "Give a title of 1 to 200 characters."
        out["title"] = title
    if "description" in data:
        description = (data["description"] or "").strip()
        if not description or len(description) > 20_000:
            errors["description"] = "Describe the job in 1 to 20,000 characters."
        out["description"] = description
    if "pricing" in data:
        if data["pricing"] not in ("fixed", "hourly"):
            errors["pricing"] = "Choose fixed or hourly."
        out["pricing"] = data["pricing"]
    if "policy" in data:
        policy = data["policy"] or rulebooks.DEFAULT_POLICY
        if policy not in rulebooks.NAMES:
            errors["policy"] = f"Choose one of {', '.join(rulebooks.NAMES)}."
        out["policy"] = policy
    if "category" in data:
        category = data["category"] or categories.DEFAULT
        if category not in categories.CODES:
            errors["category"] = f"Choose one of {', '.join(categories.CODES)}."
        out["category"] = category
    if "budget_jpy" in data:
        try:
            out["budget_jpy"] = clean_amount(data["budget_jpy"], "budget_jpy")
        except Invalid as exc:
            errors.update({k: " ".join(v) for k, v in exc.fields.items()})
    if "apply_by" in data:
        out["apply_by"] = _clean_apply_by(data["apply_by"], errors)
    if "due_date" in data:
        out["due_date"] = _clean_due_date(data["due_date"], "due_date", errors)
    if "withholding_tax" in data:
        if not isinstance(data["withholding_tax"], bool):
            errors["withholding_tax"] = "Give true or false."
        out["withholding_tax"] = data["withholding_tax"]
    return out


def job_post(
    *,
    client_id: int,
    title: str,
    description: str,
    budget_jpy: int,
    pricing: str,
    policy: str | None = None,
    category: str | None = None,
    apply_by: dt.datetime | None = None,
    due_date: dt.date | None = None,
    withholding_tax: bool = False,
) -> Job:
    errors: dict[str, str] = {}
    fields = _clean_job_fields(
        {
            "title": title,
            "description": description,
            "budget_jpy": budget_jpy,
            "pricing": pricing,
            "policy": policy,
            "category": category,
            "apply_by": apply_by,
            "due_date": due_date,
            "withholding_tax": withholding_tax,
        },
        errors,
    )
    if errors:
        raise Invalid(errors)
    return Job.objects.create(
        client_id=client_id,
        created_at=clock.now(),
        search_text=search_text_for(fields["title"], fields["description"]),
        **fields,
    )


def _job_of_client(job_id: int, client_id: int) -> Job:
    """The job locked for its client; 404 for anyone else (a job's proposals are the client's business)."""
    job = Job.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.client_id != client_id:
        raise NotFound("No such job.")
    return job


def _hired(job: Job) -> bool:
    return job.proposals.filter(status=Proposal.ACCEPTED).exists()


def job_edit(*, client_id: int, job_id: int, changes: dict[str, Any]) -> Job:
    """Change a job while nobody is hired. Pricing and policy are the terms workers proposed on:
    they change only while no proposal is pending."""
    errors: dict[str, str] = {}
    fields = _clean_job_fields(changes, errors)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        job = _job_of_client(job_id, client_id)
        if _hired(job):
            raise RuleViolation("job_filled", "Someone was hired for this job; it can no longer be changed.")
        terms = {k for k in ("pricing", "policy") if k in fields and fields[k] != getattr(job, k)}
        if terms and job.proposals.filter(status=Proposal.PENDING).exists():
            raise RuleViolation(
                "has_proposals",
                "Pricing and policy cannot change while proposals made on them are pending.",
                fields=sorted(terms),
            )
        for k, v in fields.items():
            setattr(job, k, v)
        job.search_text = search_text_for(job.title, job.description)
        job.edited_at = clock.now()
        job.save()
    return job


def job_close(*, client_id: int, job_id: int) -> Job:
    """Stop taking proposals. Pending ones stay: the client may still hire from them (選定)."""
    with transaction.atomic():
        job = _job_of_client(job_id, client_id)
        if job.status != "closed":
            job.status = "closed"
            job.save(update_fields=["status"])
    return job


def job_reopen(*, client_id: int, job_id: int, apply_by: dt.datetime | None = None) -> Job:
    """Take proposals again; a new application deadline (14 days by default) when the old one passed."""
    errors: dict[str, str] = {}
    with transaction.atomic():
        job = _job_of_client(job_id, client_id)
        if _hired(job):
            raise RuleViolation("job_filled", "Someone was hired for this job; it cannot be reopened.")
        if apply_by is not None or job.apply_by <= clock.now():
            job.apply_by = _clean_apply_by(apply_by, errors)
        if errors:
            raise Invalid(errors)
        job.status = "open"
        job.save(update_fields=["status", "apply_by"])
    return job


def _clean_plan(amount: int, milestones: list[dict[str, Any]] | None, errors: dict[str, str]) -> list[dict[str, Any]]:
    if milestones:
        plan = clean_milestones(milestones)
        for i, (raw, m) in enumerate(zip(milestones, plan, strict=True)):
            due = raw.get("due_date") if isinstance(raw, dict) else None
            if due is not None:
                clean = _clean_due_date(due, f"milestones[{i}].due_date", errors)
                if clean is not None:
                    m["due_date"] = clean.isoformat()
        total = sum(m["amount_jpy"] for m in plan)
        if total != amount:
            errors["milestones"] = f"The milestones add up to ¥{total:,}, not ¥{amount:,}."
        return plan
    return [{"title": "納品一式 / Whole delivery", "amount_jpy": amount}]


def _clean_proposal(
    amount_jpy: int, message: str, milestones: list[dict[str, Any]] | None
) -> tuple[int, str, list[dict[str, Any]]]:
    amount = clean_amount(amount_jpy, "amount_jpy")
    message = (message or "").strip()
    errors: dict[str, str] = {}
    if not message or len(message) > 10_000:
        errors["message"] = "Write a message of 1 to 10,000 characters."
    plan = _clean_plan(amount, milestones, errors)
    if errors:
        raise Invalid(errors)
    return amount, message, plan


def job_takes_proposals(job: Job, now: dt.datetime) -> bool:
    return job.status == "open" and job.apply_by > now


def proposal_submit(
    *, worker_id: int, job_id: int, amount_jpy: int, message: str, milestones: list[dict[str, Any]] | None = None
) -> Proposal:
    amount, message, plan = _clean_proposal(amount_jpy, message, milestones)
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise NotFound("No such job.")
        if job.client_id == worker_id:
            raise Forbidden("You cannot propose on your own job.")
        now = clock.now()
        if not job_takes_proposals(job, now):
            raise RuleViolation("job_closed", "This job no longer takes proposals.")
        mine = job.proposals.filter(worker_id=worker_id, status__in=Proposal.LIVE).values_list("pk", flat=True)
        if (earlier := mine.first()) is not None:
            raise RuleViolation(
                "already_proposed",
                "You already proposed on this job: edit or withdraw that proposal.",
                proposal_id=earlier,
            )
        try:
            with transaction.atomic():
                proposal = Proposal.objects.create(
                    job=job, worker_id=worker_id, amount_jpy=amount, message=message, milestones=plan, created_at=now
                )
        except IntegrityError:  # the partial unique index, should a check ever be bypassed
            raise RuleViolation("already_proposed", "You already proposed on this job.") from None
        hooks.notify(
            contract=None,
            user_id=job.client_id,
            kind="proposal_received",
            params={
                "job": job.title,
                "job_id": job.pk,
                "proposal_id": proposal.pk,
                "amount": amount,
                "worker": User.objects.filter(pk=worker_id).values_list("display_name", flat=True).first() or "",
            },
        )
    return proposal


def _proposal_locked(proposal_id: int) -> tuple[Job, Proposal]:
    """Job, then proposal, locked in that order (as accepting does)."""
    head = Proposal.objects.filter(pk=proposal_id).values_list("job_id", flat=True).first()
    if head is None:
        raise NotFound("No such proposal.")
    job = Job.objects.select_for_update().get(pk=head)
    return job, Proposal.objects.select_for_update().get(pk=proposal_id)


def _own_pending(proposal_id: int, worker_id: int) -> tuple[Job, Proposal]:
    job, proposal = _proposal_locked(proposal_id)
    if proposal.worker_id != worker_id:
        if job.client_id == worker_id:
            raise Forbidden("Only the worker who made a proposal changes it.")
        raise NotFound("No such proposal.")
    if proposal.status != Proposal.PENDING:
        raise RuleViolation("invalid_state", f"This proposal is {proposal.status}; only a pending one changes.")
    return job, proposal


def proposal_edit(
    *, worker_id: int, proposal_id: int, amount_jpy: int, message: str, milestones: list[dict[str, Any]] | None = None
) -> Proposal:
    amount, message, plan = _clean_proposal(amount_jpy, message, milestones)
    with transaction.atomic():
        _job, proposal = _own_pending(proposal_id, worker_id)
        proposal.amount_jpy = amount
        proposal.message = message
        proposal.milestones = plan
        proposal.edited_at = clock.now()
        proposal.save(update_fields=["amount_jpy", "message", "milestones", "edited_at"])
    return proposal


def proposal_withdraw(*, worker_id: int, proposal_id: int) -> Proposal:
    with transaction.atomic():
        _job, proposal = _own_pending(proposal_id, worker_id)
        proposal.status = Proposal.WITHDRAWN
        proposal.closed_at = clock.now()
        proposal.save(update_fields=["status", "closed_at"])
    return proposal


def proposal_decline(*, client_id: int, proposal_id: int) -> Proposal:
    with transaction.atomic():
        job, proposal = _proposal_locked(proposal_id)
        if job.client_id != client_id:
            if proposal.worker_id == client_id:
                raise Forbidden("Only the job's client declines a proposal.")
            raise NotFound("No such proposal.")
        if proposal.status != Proposal.PENDING:
            raise RuleViolation("invalid_state", f"This proposal is {proposal.status}; only a pending one is declined.")
        proposal.status = Proposal.DECLINED
        proposal.closed_at = clock.now()
        proposal.save(update_fields=["status", "closed_at"])
        hooks.notify(
            contract=None,
            user_id=proposal.worker_id,
            kind="proposal_declined",
            params={"job": job.title, "job_id": job.pk, "proposal_id": proposal.pk},
        )
    return proposal


def proposal_accept(*, client_id: int, proposal_id: int) -> Contract:
    """Hire: allowed while the job is open and also after its application deadline or a close (the
    client chooses among the proposals received), once per job."""
    with transaction.atomic():
        job, proposal = _proposal_locked(proposal_id)
        if job.client_id != client_id:
            if proposal.worker_id == client_id:
                raise Forbidden("Only the job's client accepts a proposal.")
            raise NotFound("No such proposal.")
        if proposal.status != Proposal.PENDING or _hired(job):
            raise RuleViolation("invalid_state", "This proposal can no longer be accepted.")
        policy = rulebooks.current(job.policy)
        now = clock.now()
        plan = proposal.milestones
        dues = [dt.date.fromisoformat(m["due_date"]) for m in plan if m.get("due_date")]
        # 源泉徴収 (DOMAIN §12): only on an individual worker; a company worker's contract ignores the job's flag.
        worker_type = User.objects.filter(pk=proposal.worker_id).values_list("entity_type", flat=True).get()
        withholding = bool(job.withholding_tax) and worker_type == "individual"
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
            # The contract's due date: the last milestone's, else the job's wish.
            due_date=max(dues) if dues else job.due_date,
            formed_at=now,
            withholding_tax=withholding,
        )
        with_due = _milestone_has_due_date()
        Milestone.objects.bulk_create(
            [
                Milestone(
                    contract=contract,
                    position=i + 1,
                    title=m["title"],
                    amount_jpy=m["amount_jpy"],
                    **(
                        {"due_date": dt.date.fromisoformat(m["due_date"]) if m.get("due_date") else None}
                        if with_due
                        else {}
                    ),
                )
                for i, m in enumerate(plan)
            ]
        )
        proposal.status = Proposal.ACCEPTED
        proposal.closed_at = now
        proposal.save(update_fields=["status", "closed_at"])
        others = list(job.proposals.filter(status=Proposal.PENDING).exclude(pk=proposal.pk))
        job.proposals.filter(pk__in=[p.pk for p in others]).update(status=Proposal.DECLINED, closed_at=now)
        job.status = "closed"
        job.save(update_fields=["status"])
        event_add(
            contract=contract,
            kind="contract_formed",
            actor_id=client_id,
            amount_jpy=contract.amount_jpy,
            policy=f"{policy['name']} v{policy['version']}",
            withholding_tax=withholding,
            **({"withholding_ignored": "worker_is_company"} if job.withholding_tax and not withholding else {}),
        )
        hooks.notify(contract=contract, user_id=contract.worker_id, kind="contract_formed", params={})
        for other in others:  # each worker not chosen is told, as with a decline
            hooks.notify(
                contract=None,
                user_id=other.worker_id,
                kind="proposal_declined",
                params={"job": job.title, "job_id": job.pk, "proposal_id": other.pk, "hired_other": True},
            )
    return contract
