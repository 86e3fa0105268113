from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from chukai.api import caller, created, ok
from chukai.common.text import Text5k
from chukai.common.types import Input, YenOrZero
from chukai.contracts.selectors import contract_for
from chukai.remedies import selectors, services

router = Router(tags=["silent counterpart"])


class TerminationIn(Input):
    reason: Text5k
    pay_worker_jpy: YenOrZero | None = None


@router.get("/contracts/{contract_id}/contact-reminders/preview", response=dict)
def reminder_preview(request: HttpRequest, contract_id: int) -> HttpResponse:
    user = caller(request)
    contract = contract_for(user=user, contract_id=contract_id)
    return ok(services.reminder_preview(contract=contract, user_id=user.pk))


@router.post("/contracts/{contract_id}/contact-reminders", response={201: dict})
def reminder_file(request: HttpRequest, contract_id: int) -> HttpResponse:
    uid = caller(request).pk
    return created(
        request, lambda: selectors.reminder_dict(services.reminder_file(user_id=uid, contract_id=contract_id))
    )


@router.get("/contact-reminders/{reminder_id}", response=dict)
def reminder_get(request: HttpRequest, reminder_id: int) -> HttpResponse:
    return ok(selectors.reminder_dict(selectors.reminder_for(user=caller(request), reminder_id=reminder_id)))


@router.post("/contracts/{contract_id}/termination-requests", response={201: dict})
def termination_request(request: HttpRequest, contract_id: int, data: TerminationIn) -> HttpResponse:
    uid = caller(request).pk

    def make() -> dict[str, Any]:
        req = services.termination_request(
            user_id=uid, contract_id=contract_id, reason=data.reason, pay_worker_jpy=data.pay_worker_jpy
        )
        return selectors.termination_dict(req)

    return created(request, make)


@router.get("/termination-requests/{request_id}", response=dict)
def termination_get(request: HttpRequest, request_id: int) -> HttpResponse:
    return ok(selectors.termination_dict(selectors.termination_for(user=caller(request), request_id=request_id)))


@router.post("/termination-requests/{request_id}/agree", response=dict)
def termination_agree(request: HttpRequest, request_id: int) -> HttpResponse:
    return ok(selectors.termination_dict(services.termination_agree(user_id=caller(request).pk, request_id=request_id)))


@router.post("/termination-requests/{request_id}/decline", response=dict)
def termination_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    return ok(
        selectors.termination_dict(services.termination_decline(user_id=caller(request).pk, request_id=request_id))
    )


@router.post("/termination-requests/{request_id}/withdraw", response=dict)
def termination_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    return ok(
        selectors.termination_dict(services.termination_withdraw(user_id=caller(request).pk, request_id=request_id))
    )
