"""The support office's API: parties open and escalate cases; staff send notices, add notes, decide."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router
from pydantic import Field, StrictBool, StrictInt

from chukai.api import caller, created, ok
from chukai.common.text import OptionalText10k, Text10k
from chukai.common.types import WHOLE, Input, IsoDate, YenOrZero
from chukai.support import selectors, services
from chukai.support.services import MAX_NOTICE_DAYS

router = Router(tags=["support"])


class CaseIn(Input):
    kind: Literal["unresponsive", "acceptance_overdue", "dispute", "other"]
    body: Text10k


class EscalateIn(Input):
    body: OptionalText10k = ""


class NoticeIn(Input):
    to: Literal["client", "worker"]
    body: Text10k
    respond_within_days: Annotated[StrictInt, Field(ge=1, le=MAX_NOTICE_DAYS), WHOLE] | None = None


class NoteIn(Input):
    body: Text10k


class DecideIn(Input):
    decision: Literal["release_delivered", "refund_escrow", "split", "cancel", "extend_due_date"]
    pay_worker_jpy: YenOrZero | None = None  # a split only
    due_date: IsoDate | None = None  # extend_due_date only
    at_fault: Literal["client", "worker", "none"] | None = None
    end_contract: StrictBool = False
    reason: OptionalText10k = ""


class CloseIn(Input):
    reason: OptionalText10k = ""


def _detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = caller(request)
    return ok(selectors.case_detail(case=selectors.case_for(user=user, case_id=case_id), user=user))


@router.post("/contracts/{contract_id}/support-cases", response={201: dict})
def case_open(request: HttpRequest, contract_id: int, data: CaseIn) -> HttpResponse:
    uid = caller(request).pk
    return created(
        request,
        lambda: selectors.case_summary(
            services.case_open(user_id=uid, contract_id=contract_id, kind=data.kind, body=data.body)
        ),
    )


@router.get("/support-cases", response=list)
def case_list(
    request: HttpRequest,
    status: Literal["open", "awaiting_response", "ready_for_decision", "closed"] | None = None,
    contract_id: int | None = None,
) -> HttpResponse:
    return ok(selectors.case_list(user=caller(request), status=status, contract_id=contract_id))


@router.get("/support-cases/{case_id}", response=dict)
def case_get(request: HttpRequest, case_id: int) -> HttpResponse:
    return _detail(request, case_id)


@router.post("/support-cases/{case_id}/escalate", response=dict)
def case_escalate(request: HttpRequest, case_id: int, data: EscalateIn | None = None) -> HttpResponse:
    services.case_escalate(user_id=caller(request).pk, case_id=case_id, body=data.body if data else "")
    return _detail(request, case_id)


@router.post("/support-cases/{case_id}/withdraw", response=dict)
def case_withdraw(request: HttpRequest, case_id: int) -> HttpResponse:
    services.case_withdraw(user_id=caller(request).pk, case_id=case_id)
    return _detail(request, case_id)


@router.post("/support-cases/{case_id}/notices", response={201: dict})
def notice_send(request: HttpRequest, case_id: int, data: NoticeIn) -> HttpResponse:
    uid = caller(request).pk
    return created(
        request,
        lambda: selectors.notice_dict(
            services.notice_send(
                staff_id=uid,
                case_id=case_id,
                to=data.to,
                body=data.body,
                respond_within_days=data.respond_within_days,
            )
        ),
    )


@router.post("/support-cases/{case_id}/notes", response={201: dict})
def note_add(request: HttpRequest, case_id: int, data: NoteIn) -> HttpResponse:
    uid = caller(request).pk
    return created(
        request, lambda: selectors.note_dict(services.note_add(staff_id=uid, case_id=case_id, body=data.body))
    )


@router.post("/support-cases/{case_id}/decide", response=dict)
def case_decide(request: HttpRequest, case_id: int, data: DecideIn) -> HttpResponse:
    services.case_decide(
        staff_id=caller(request).pk,
        case_id=case_id,
        decision=data.decision,
        pay_worker_jpy=data.pay_worker_jpy,
        due_date=data.due_date,
        at_fault=data.at_fault,
        end_contract=data.end_contract,
        reason=data.reason,
    )
    return _detail(request, case_id)


@router.post("/support-cases/{case_id}/close", response=dict)
def case_close(request: HttpRequest, case_id: int, data: CloseIn | None = None) -> HttpResponse:
    services.case_close(staff_id=caller(request).pk, case_id=case_id, reason=data.reason if data else "")
    return _detail(request, case_id)
