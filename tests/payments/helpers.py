"""Steps for the money-in tests: fund by a method, deliver a signed webhook as the gateway would."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from django.test import Client

from chukai.payments.gateway import sign, webhook_secret
from tests.conftest import Api

WEBHOOK = "/api/payments/webhook"


def fund(api: Api, contract: dict[str, Any], mid: int, method: dict[str, Any] | None = None) -> Any:
    body = {"payment_method": method} if method is not None else None
    return api.post(f"/api/contracts/{contract['id']}/milestones/{mid}/fund", body)


def preview(api: Api, contract: dict[str, Any], mid: int) -> dict[str, Any]:
    r = api.get(f"/api/contracts/{contract['id']}/milestones/{mid}/fund-preview")
    assert r.status_code == 200, r.content
    return r.json()


def milestone(api: Api, contract_id: int, mid: int) -> dict[str, Any]:
    r = api.get(f"/api/contracts/{contract_id}")
    assert r.status_code == 200, r.content
    return next(m for m in r.json()["milestones"] if m["id"] == mid)


def event_body(payment_id: int, amount: int, event_id: str | None = None, **extra: Any) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex}",
            "type": "transfer.received",
            "payment_id": payment_id,
            "amount_jpy": amount,
            **extra,
        }
    ).encode()


def post_webhook(body: bytes, signature: str | None = "sign", *, timestamp: int | None = None) -> Any:
    """POST raw bytes to the webhook; `signature="sign"` signs them correctly now."""
    if signature == "sign":
        signature = sign(body, secret=webhook_secret(), timestamp=timestamp)
    headers = {"HTTP_CHUKAI_SIGNATURE": signature} if signature is not None else {}
    return Client().post(WEBHOOK, data=body, content_type="application/json", **headers)


def transfer(payment_id: int, amount: int, event_id: str | None = None) -> Any:
    return post_webhook(event_body(payment_id, amount, event_id))


def now() -> int:
    return int(time.time())
