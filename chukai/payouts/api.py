"""Money out over HTTP (API.md "Money out"): a thin router over payouts.services and selectors."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router

from chukai.api import caller, created, ok
from chukai.common.text import Text500
from chukai.common.types import Input, IsoDate, Yen
from chukai.contracts.validation import MAX_JPY
from chukai.errors import Forbidden, NotFound
from chukai.payouts import selectors, services

router = Router(tags=["payouts"])
MONTH = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"


class BankAccountIn(Input):
    # Codes and numbers as text (full-width digits are accepted); the rest of DOMAIN §10's
    # rules (a known bank and branch, katakana) are checked by the service, field by field.
    bank_code: str | int
    branch_code: str | int
    # An enum in the OpenAPI document; a wrong value gets the service's bilingual message.
    account_type: Annotated[str, Field(json_schema_extra={"enum": ["ordinary", "checking", "savings"]})]
    account_number: str | int
    holder_kana: str


class WithdrawalIn(Input):
    amount_jpy: Yen


class BatchIn(Input):
    pay_date: IsoDate


class ReturnIn(Input):
    reason: Text500


@router.get("/me/balance", response=dict)
def balance(request: HttpRequest) -> HttpResponse:
    return ok(selectors.balance_summary(user_id=caller(request).pk))


@router.get("/me/statement", response=list)
def statement(
    request: HttpRequest,
    month: str | None = Query(None, pattern=MONTH),
    format: Literal["json", "csv"] = "json",
) -> HttpResponse:
    user = caller(request)
    if format == "csv":
        body = selectors.statement_csv(user=user, month=month)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        name = f"chukai-statement-{month or 'all'}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return ok(selectors.statement(user_id=user.pk, month=month, locale=user.locale))


@router.get("/me/earnings", response=list)
def earnings(request: HttpRequest) -> HttpResponse:
    return ok(selectors.earnings_by_month(user_id=caller(request).pk))


@router.put("/me/bank-account", response=dict)
def bank_account_put(request: HttpRequest, data: BankAccountIn) -> HttpResponse:
    account = services.bank_account_put(
        user=caller(request),
        bank_code=str(data.bank_code),
        branch_code=str(data.branch_code),
        account_type=data.account_type,
        account_number=str(data.account_number),
        holder_kana=data.holder_kana,
    )
    return ok(selectors.bank_account_out(account, owner=True))


@router.get("/me/bank-account", response=dict)
def bank_account_get(request: HttpRequest) -> HttpResponse:
    account = selectors.bank_account_of(user_id=caller(request).pk)
    if account is None:
        raise NotFound("No bank account registered.")
    return ok(selectors.bank_account_out(account, owner=True))


@router.post("/me/withdrawals", response={201: dict})
def withdrawal_request(request: HttpRequest, data: WithdrawalIn) -> HttpResponse:
    user = caller(request)
    return created(
        request, lambda: selectors.withdrawal_out(services.withdrawal_request(user=user, amount_jpy=data.amount_jpy))
    )


@router.get("/me/withdrawals", response=list)
def withdrawals(request: HttpRequest) -> HttpResponse:
    return ok([selectors.withdrawal_out(w) for w in selectors.withdrawals_of(user_id=caller(request).pk)])


@router.get("/me/withdrawal-quote", response=dict)
def withdrawal_quote(request: HttpRequest, amount_jpy: Annotated[int, Field(ge=1, le=MAX_JPY)]) -> HttpResponse:
    return ok(selectors.withdrawal_quote(user_id=caller(request).pk, amount_jpy=amount_jpy))


@router.post("/withdrawals/{withdrawal_id}/cancel", response=dict)
def withdrawal_cancel(request: HttpRequest, withdrawal_id: int) -> HttpResponse:
    return ok(selectors.withdrawal_out(services.withdrawal_cancel(user=caller(request), withdrawal_id=withdrawal_id)))


# --- staff --------------------------------------------------------------------------


def _staff(request: HttpRequest) -> object:
    user = caller(request)
    if not (user.is_active and user.is_staff):
        raise Forbidden("Only the support office pays out.")
    return user


@router.post("/withdrawals/{withdrawal_id}/return", response=dict)
def withdrawal_return(request: HttpRequest, withdrawal_id: int, data: ReturnIn) -> HttpResponse:
    w = services.withdrawal_return(staff=caller(request), withdrawal_id=withdrawal_id, reason=data.reason)
    return ok({**selectors.withdrawal_out(w), "user_id": w.user_id})


@router.get("/payout-batches/due", response=list)
def due(request: HttpRequest, pay_date: IsoDate) -> HttpResponse:
    _staff(request)
    return ok(
        [{**selectors.withdrawal_out(w), "user_id": w.user_id} for w in selectors.due_withdrawals(pay_date=pay_date)]
    )


@router.post("/payout-batches", response={201: dict})
def batch_create(request: HttpRequest, data: BatchIn) -> HttpResponse:
    staff = caller(request)
    return created(
        request, lambda: selectors.batch_out(services.payout_batch_create(staff=staff, pay_date=data.pay_date))
    )


@router.get("/payout-batches", response=list)
def batch_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return ok([selectors.batch_out(b) for b in selectors.batches()])


@router.get("/payout-batches/{batch_id}", response=dict)
def batch_get(request: HttpRequest, batch_id: int) -> HttpResponse:
    _staff(request)
    return ok(selectors.batch_out(selectors.batch(batch_id=batch_id), with_items=True))


@router.get("/payout-batches/{batch_id}/zengin", response=str)
def batch_zengin(request: HttpRequest, batch_id: int) -> HttpResponse:
    _staff(request)
    b = selectors.batch(batch_id=batch_id)
    body = services.payout_batch_zengin(batch=b, staff=caller(request))
    response = HttpResponse(body, content_type="text/plain; charset=Shift_JIS")
    response["Content-Disposition"] = f'attachment; filename="zengin-{b.pay_date:%Y%m%d}-{b.pk}.txt"'
    return response


@router.post("/payout-batches/{batch_id}/confirm", response=dict)
def batch_confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    b = services.payout_batch_confirm(staff=caller(request), batch_id=batch_id)
    return ok(selectors.batch_out(b, with_items=True))
