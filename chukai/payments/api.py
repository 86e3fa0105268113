"""Money in: the gateway's webhook, and (manual clock or DEBUG only) the sandbox's transfer simulator."""

from __future__ import annotations

from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router
from pydantic import StrictInt

from chukai.api import _json, caller
from chukai.common.types import WHOLE, Id, Input
from chukai.errors import Forbidden, NotFound
from chukai.payments import gateway, services

router = Router(tags=["payments"])


class PaymentMethodIn(Input):
    type: Literal["card", "bank_transfer"]
    token: str | None = Field(default=None, max_length=200)


class FundIn(Input):
    """`payment_method` is optional: none = card with the sandbox's success token."""

    payment_method: PaymentMethodIn | None = None


WEBHOOK_DESCRIPTION = """Called by the payment gateway, never by users (no bearer token).

Body (JSON): `{"id": "<event id>", "type": "transfer.received", "payment_id": <int>, "amount_jpy": <int>}`.

Header: `Chukai-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with
the shared secret `CHUKAI_PAYMENT_WEBHOOK_SECRET`. Compared in constant time; `t` must be within
300 seconds of the server's wall clock.

Answers: 200 `{received, duplicate, …}` — an event id seen before is answered 200 again with no
effect; 400 problem for a missing or bad signature, a stale timestamp, a malformed body, an
unsupported type or an amount outside 1…1,000,000,000; 404 for an unknown payment. A refused call
changes nothing. Every call is stored with its raw body and verdict for the support office.

Effect: the amount goes to the payment's escrow up to what is still due; a short transfer waits
for the rest; an excess, or any transfer after the payment expired, was cancelled or completed,
goes to the client's chukai balance. When the amount due is complete, the milestone is `escrowed`
and both parties are told."""


@router.post("/payments/webhook", auth=None, response=dict, description=WEBHOOK_DESCRIPTION)
def webhook(request: HttpRequest) -> HttpResponse:
    headers = {"Chukai-Signature": request.headers.get("Chukai-Signature", "")}
    status, body = services.webhook_receive(
        headers=headers, body=request.body, remote_addr=str(request.META.get("REMOTE_ADDR", ""))
    )
    answer = _json(status, body)
    if status >= 400:
        answer["Content-Type"] = "application/problem+json"
    return answer


class SimulateIn(Input):
    payment_id: Id
    amount_jpy: Annotated[StrictInt, Field(ge=1, le=gateway.MAX_TRANSFER_JPY), WHOLE]
    event_id: str | None = Field(default=None, min_length=1, max_length=100)


@router.post(
    "/_sandbox/transfers",
    response=dict,
    description="Sandbox only (CHUKAI_MANUAL_CLOCK=1 or DEBUG; 404 otherwise), staff or the payment's "
    "client: the sandbox gateway sends `transfer.received` to this server's own webhook over HTTP, "
    "signed, exactly as a real gateway would. Answers the webhook's status and body.",
)
def sandbox_transfer(request: HttpRequest, data: SimulateIn) -> HttpResponse:
    if not (settings.CHUKAI_MANUAL_CLOCK or settings.DEBUG):
        raise NotFound("The sandbox simulator is off (CHUKAI_MANUAL_CLOCK=1 or DEBUG only).")
    user = caller(request)
    from chukai.payments.models import Payment

    payment = Payment.objects.filter(pk=data.payment_id).first()
    if payment is None:
        raise NotFound("No such payment.")
    if not user.is_staff and payment.client_id != user.pk:
        raise Forbidden("Only the paying client or staff may simulate a transfer.")
    status, body = gateway.simulate_transfer(
        base_url=request.build_absolute_uri("/"),
        payment_id=data.payment_id,
        amount_jpy=data.amount_jpy,
        event_id=data.event_id,
    )
    return _json(200, {"webhook_status": status, "webhook_answer": body})
