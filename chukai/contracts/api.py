from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Router
from pydantic import Field

from chukai.accounts.models import User
from chukai.api import caller, created, idempotency_key, idempotency_record, idempotency_replay, jsonable, ok
from chukai.common.models import IdempotencyRecord
from chukai.common.text import OptionalText10k, Text10k, Title
from chukai.common.types import Input, IsoDate, Yen
from chukai.contracts import selectors, services
from chukai.contracts.validation import MAX_MILESTONES
from chukai.payments.api import FundIn
from chukai.payments.gateway import SANDBOX_TOKEN_OK

router = Router(tags=["contracts"])


class DeliverIn(Input):
    message: OptionalText10k = ""


class RevisionIn(Input):
    reason: Text10k


class DueDateIn(Input):
    due_date: IsoDate


class MilestoneIn(Input):
    title: Title
    amount_jpy: Yen


class PlanChangeIn(Input):
    milestones: Annotated[list[MilestoneIn], Field(max_length=MAX_MILESTONES)]


def _detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    user = caller(request)
    contract = selectors.contract_for(user=user, contract_id=contract_id)
    return ok(selectors.contract_detail(contract=contract, user=user))


@router.get("/contracts", response=list)
def contract_list(request: HttpRequest) -> HttpResponse:
    user = caller(request)
    return ok(
        [
            {
                "id": c.pk,
                "title": c.title,
                "status": c.status,
                "policy": c.policy_name,
                "amount_jpy": c.amount_jpy,
                "role": c.role_of(user.pk),
                "client": {"id": c.client_id, "display_name": c.client.display_name},
                "worker": {"id": c.worker_id, "display_name": c.worker.display_name},
            }
            for c in selectors.contracts_of(user=user)[:200]
        ]
    )


@router.get("/contracts/{contract_id}", response=dict)
def contract_get(request: HttpRequest, contract_id: int) -> HttpResponse:
    return _detail(request, contract_id)


@router.get("/contracts/{contract_id}/timeline", response=list)
def contract_timeline(request: HttpRequest, contract_id: int, format: Literal["json", "csv"] = "json") -> HttpResponse:
    user = caller(request)
    contract = selectors.contract_for(user=user, contract_id=contract_id)
    if format == "csv":  # for Excel on a Japanese PC (DOMAIN §12): BOM, the caller's zone and language
        from chukai.documents.exports import timeline_csv

        response = HttpResponse(timeline_csv(contract=contract, user=user), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="contract-{contract.pk}-timeline.csv"'
        return response
    return ok(selectors.contract_timeline(contract=contract))


@router.get("/contracts/{contract_id}/milestones/{milestone_id}/fund-preview", response=dict)
def fund_preview(request: HttpRequest, contract_id: int, milestone_id: int) -> HttpResponse:
    """What funding would charge (client only): `{amount_jpy, client_fee_jpy, withholding_jpy,
    from_balance_jpy, charge_jpy, total_jpy}`, total = amount − withholding + client fee =
    from_balance + charge. The funding computes it with the same function, so it charges exactly this."""
    return ok(services.fund_preview(user_id=caller(request).pk, contract_id=contract_id, milestone_id=milestone_id))


@router.post("/contracts/{contract_id}/milestones/{milestone_id}/fund", response=dict)
def fund(request: HttpRequest, contract_id: int, milestone_id: int, data: FundIn | None = None) -> HttpResponse:
    """`payment_method`: `{type: "card", token}` or `{type: "bank_transfer"}`; none = card with the
    sandbox's success token. Declined card → 409 `payment_declined` with `reason: {ja, en}`, nothing
    changes; bank transfer → the milestone is `awaiting_payment` and carries `payment` (the virtual
    account and the pay-by time). With an Idempotency-Key, a repeat gets the first answer and pays nothing."""
    user = caller(request)
    method = data.payment_method if data is not None else None

    def make() -> dict[str, object]:
        services.milestone_fund(
            user_id=user.pk,
            contract_id=contract_id,
            milestone_id=milestone_id,
            method=method.type if method is not None else "card",
            token=(method.token if method is not None else None) or SANDBOX_TOKEN_OK,
        )
        contract = selectors.contract_for(user=user, contract_id=contract_id)
        return selectors.contract_detail(contract=contract, user=user)

    return _fund_answer(request, make)


def _fund_answer(request: HttpRequest, make: Callable[[], dict[str, object]]) -> HttpResponse:
    """`created` with the Idempotency-Key record stored AFTER funding, not in one transaction around it:
    a card charge commits its own steps (record the attempt, charge, fund) so the money the gateway
    took is never rolled back with the request (docs/decisions.md, "charge safety"). Two racing
    repeats cannot both charge: the second is refused under the contract lock (payment_in_progress)."""
    key = idempotency_key(request)
    user = getattr(request, "auth", None)
    if not key or not isinstance(user, User):
        return created(request, make, status=200)  # no key: `created` calls `make` as it is
    first = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if first is None:
        body = jsonable(make())
        try:
            with transaction.atomic():
                idempotency_record(request, user=user, key=key, status=200, body=body)
            return ok(body)
        except IntegrityError:
            first = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if first is None:
                raise
    return idempotency_replay(request, first)


@router.post("/contracts/{contract_id}/milestones/{milestone_id}/deliver", response=dict)
def deliver(request: HttpRequest, contract_id: int, milestone_id: int, data: DeliverIn | None = None) -> HttpResponse:
    services.milestone_deliver(
        user_id=caller(request).pk,
        contract_id=contract_id,
        milestone_id=milestone_id,
        message=data.message if data else "",
    )
    return _detail(request, contract_id)


@router.post("/contracts/{contract_id}/milestones/{milestone_id}/accept", response=dict)
def accept(request: HttpRequest, contract_id: int, milestone_id: int) -> HttpResponse:
    services.milestone_accept(user_id=caller(request).pk, contract_id=contract_id, milestone_id=milestone_id)
    return _detail(request, contract_id)


@router.post("/contracts/{contract_id}/milestones/{milestone_id}/request-revision", response=dict)
def request_revision(request: HttpRequest, contract_id: int, milestone_id: int, data: RevisionIn) -> HttpResponse:
    services.milestone_request_revision(
        user_id=caller(request).pk,
        contract_id=contract_id,
        milestone_id=milestone_id,
        reason=data.reason,
    )
    return _detail(request, contract_id)


@router.post("/contracts/{contract_id}/due-date-changes", response={201: dict})
def due_date_propose(request: HttpRequest, contract_id: int, data: DueDateIn) -> HttpResponse:
    uid = caller(request).pk
    return created(
        request,
        lambda: selectors.change_dict(
            services.due_date_propose(user_id=uid, contract_id=contract_id, due_date=data.due_date)
        ),
    )


@router.post("/due-date-changes/{change_id}/accept", response=dict)
def due_date_accept(request: HttpRequest, change_id: int) -> HttpResponse:
    c = services.due_date_decide(user_id=caller(request).pk, change_id=change_id, accept=True)
    return _detail(request, c.pk)


@router.post("/due-date-changes/{change_id}/decline", response=dict)
def due_date_decline(request: HttpRequest, change_id: int) -> HttpResponse:
    c = services.due_date_decide(user_id=caller(request).pk, change_id=change_id, accept=False)
    return _detail(request, c.pk)


@router.post("/contracts/{contract_id}/plan-changes", response={201: dict})
def plan_change_propose(request: HttpRequest, contract_id: int, data: PlanChangeIn) -> HttpResponse:
    uid = caller(request).pk
    items = [m.dict() for m in data.milestones]
    return created(
        request,
        lambda: selectors.change_dict(
            services.plan_change_propose(user_id=uid, contract_id=contract_id, milestones=items)
        ),
    )


@router.post("/plan-changes/{change_id}/accept", response=dict)
def plan_change_accept(request: HttpRequest, change_id: int) -> HttpResponse:
    c = services.plan_change_decide(user_id=caller(request).pk, change_id=change_id, accept=True)
    return _detail(request, c.pk)


@router.post("/plan-changes/{change_id}/decline", response=dict)
def plan_change_decline(request: HttpRequest, change_id: int) -> HttpResponse:
    c = services.plan_change_decide(user_id=caller(request).pk, change_id=change_id, accept=False)
    return _detail(request, c.pk)
