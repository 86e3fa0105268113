"""The payment gateway interface, and the sandbox gateway that ships with chukai.

Everything that depends on one gateway's API lives in a class implementing `Gateway`; the
rest of chukai (contracts.money, payments.services, the webhook endpoint) speaks only this
interface. The class is chosen with CHUKAI_PAYMENT_GATEWAY (a dotted path). How Stripe,
PAY.JP or GMO plug in: docs/decisions.md, "Money in".

Calls:
- `charge` — a card charge: `succeeded`, `declined` (with a code and the gateway's reason in
  Japanese and English) or raises `GatewayUnavailable` (timeout, network, 5xx): the caller
  records the payment `failed` and moves nothing. The key is per attempt (`charge:{payment id}`).
- `charge_status` — what the gateway did with the charge of one key: the `succeeded` result
  (with its id) or None when it has no successful charge for that key; how chukai finds out
  about an attempt interrupted before it recorded the answer (the `charge_reconcile` deadline).
- `open_transfer` — a bank transfer (銀行振込): a virtual account opened for one payment; the
  money arrives later through the webhook.
- `refund` — give card money back to the card (not used by chukai today: a refund goes to the
  client's platform balance; see docs/decisions.md).
- `payout` — money out to a user's bank (the payouts app).
- `parse_webhook` — check a webhook call's signature and freshness and read its event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from chukai import clock

SANDBOX_TOKEN_OK = "tok_ok"
SIGNATURE_HEADER = "Chukai-Signature"
TOLERANCE_SECONDS = 300
MAX_TRANSFER_JPY = 1_000_000_000  # more than any contract can owe: refused as absurd
EVENT_ID = re.compile(r"[\x21-\x7e]{1,100}")


class GatewayUnavailable(Exception):
    """The gateway did not answer in time or failed: nothing is known to be charged."""


class WebhookRefused(Exception):
    """A webhook call that must change nothing: 400 (or 404 for an unknown payment)."""

    def __init__(self, verdict: str, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.verdict = verdict
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class ChargeResult:
    status: str  # "succeeded" or "declined"
    ref: str = ""
    decline_code: str = ""
    reason: dict[str, str] = field(default_factory=dict)  # {"ja": …, "en": …}


@dataclass(frozen=True)
class TransferAccount:
    ref: str
    bank_name: str
    branch_name: str
    account_number: str


@dataclass(frozen=True)
class TransferReceived:
    event_id: str
    payment_id: int
    amount_jpy: int


class Gateway(Protocol):
    name: str

    def charge(self, *, user_id: int, amount_jpy: int, key: str, token: str = SANDBOX_TOKEN_OK) -> ChargeResult: ...

    def charge_status(self, *, key: str) -> ChargeResult | None: ...

    def open_transfer(
        self, *, user_id: int, payment_id: int, amount_jpy: int, pay_by: dt.datetime
    ) -> TransferAccount: ...

    def refund(self, *, charge_ref: str, amount_jpy: int, key: str) -> str: ...

    def payout(self, *, user_id: int, amount_jpy: int, key: str) -> str: ...

    def parse_webhook(self, *, headers: dict[str, str], body: bytes) -> TransferReceived: ...


# --- signing (the sandbox's webhook format; a real gateway brings its own) -------------


def webhook_secret() -> str:
    """CHUKAI_PAYMENT_WEBHOOK_SECRET; a fixed development secret only in DEBUG or manual-clock demos."""
    secret = getattr(settings, "CHUKAI_PAYMENT_WEBHOOK_SECRET", "") or os.environ.get(
        "CHUKAI_PAYMENT_WEBHOOK_SECRET", ""
    )
    if secret:
        return str(secret)
    if settings.DEBUG or settings.CHUKAI_MANUAL_CLOCK:
        return "chukai-sandbox-webhook-secret-not-for-production"
    return ""


def sign(body: bytes, *, secret: str, timestamp: int | None = None) -> str:
    """The Chukai-Signature header value for `body`: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify_signature(header: str, body: bytes, *, secret: str, now: float | None = None) -> None:
    """Refuse a missing or bad signature, or a timestamp more than 300 s from the WALL clock.

    The wall clock, never chukai's manual clock: the gateway signs with real time.
    Several v1 values are allowed (a gateway rotating its secret sends both).
    """
    if not secret:
        raise WebhookRefused("no_secret", "The webhook secret is not configured; every call is refused.")
    if not header:
        raise WebhookRefused("missing_signature", f"The {SIGNATURE_HEADER} header is missing.")
    stamp = ""
    macs: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            stamp = value
        elif key == "v1":
            macs.append(value)
    if not stamp.isdigit() or len(stamp) > 12 or not macs:
        raise WebhookRefused("bad_signature", f"The {SIGNATURE_HEADER} header is malformed.")
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected.encode(), mac.encode()) for mac in macs):
        raise WebhookRefused("bad_signature", "The signature does not match the body.")
    wall = time.time() if now is None else now
    if abs(wall - int(stamp)) > TOLERANCE_SECONDS:
        raise WebhookRefused("stale", f"The timestamp is more than {TOLERANCE_SECONDS} s from the server's clock.")


def parse_transfer_event(body: bytes) -> TransferReceived:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WebhookRefused("malformed", "The body is not JSON.") from None
    if not isinstance(data, dict):
        raise WebhookRefused("malformed", "The body must be a JSON object.")
    event_id, kind, pid, amount = data.get("id"), data.get("type"), data.get("payment_id"), data.get("amount_jpy")
    if not isinstance(event_id, str) or not EVENT_ID.fullmatch(event_id):
        raise WebhookRefused("malformed", "'id' must be 1 to 100 printable ASCII characters.")
    if kind != "transfer.received":
        raise WebhookRefused("unsupported_event", f"Unsupported event type {kind!r}.")
    if not isinstance(pid, int) or isinstance(pid, bool) or not 1 <= pid < 2**63:
        raise WebhookRefused("malformed", "'payment_id' must be a positive integer.")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= MAX_TRANSFER_JPY:
        raise WebhookRefused("bad_amount", f"'amount_jpy' must be an integer from 1 to {MAX_TRANSFER_JPY:,}.")
    return TransferReceived(event_id=event_id, payment_id=pid, amount_jpy=amount)


# --- the sandbox ------------------------------------------------------------------------

DECLINES: dict[str, tuple[str, dict[str, str]]] = {
    "tok_declined": (
        "card_declined",
        {
            "ja": "カードが拒否されました。カード会社にお問い合わせいただくか、別のカードをお使いください。",
            "en": "The card was declined. Contact your card issuer or use another card.",
        },
    ),
    "tok_insufficient_funds": (
        "insufficient_funds",
        {
            "ja": "カードの利用可能額が不足しています。別のカードか銀行振込をお使いください。",
            "en": "The card has insufficient funds. Use another card or a bank transfer.",
        },
    ),
}
UNKNOWN_TOKEN = (
    "invalid_token",
    {
        "ja": "カード情報を確認できませんでした。入力し直してください。",
        "en": "The card could not be read. Please enter it again.",
    },
)


class SandboxGateway:
    """Behaves like a real gateway, records what it did in the database, never moves real money.

    Card tokens: `tok_ok` succeeds; `tok_declined` and `tok_insufficient_funds` are declined;
    `tok_timeout` never answers (GatewayUnavailable); anything else is an unreadable card.
    Bank transfers: a virtual account per payment; incoming money arrives through the signed
    webhook, which `simulate_transfer` calls over HTTP exactly as a real gateway would.
    """

    name = "sandbox"
    bank_name = "チュウカイサンドボックス銀行"

    def _record(self, kind: str, user_id: int, amount_jpy: int, key: str) -> str:
        from chukai.payments.models import SandboxCharge

        row, _ = SandboxCharge.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "kind": kind,
                "user_id": user_id,
                "amount_jpy": amount_jpy,
                "reference": f"sbx_{uuid.uuid4().hex[:20]}",
                "created_at": clock.now(),
            },
        )
        return row.reference

    def charge(self, *, user_id: int, amount_jpy: int, key: str, token: str = SANDBOX_TOKEN_OK) -> ChargeResult:
        if token == "tok_timeout":
            raise GatewayUnavailable("The sandbox gateway timed out (tok_timeout).")
        if token != SANDBOX_TOKEN_OK:
            code, reason = DECLINES.get(token, UNKNOWN_TOKEN)
            return ChargeResult(status="declined", decline_code=code, reason=reason)
        return ChargeResult(status="succeeded", ref=self._record("charge", user_id, amount_jpy, key))

    def charge_status(self, *, key: str) -> ChargeResult | None:
        from chukai.payments.models import SandboxCharge

        row = SandboxCharge.objects.filter(kind="charge", idempotency_key=key).first()
        return ChargeResult(status="succeeded", ref=row.reference) if row is not None else None

    def open_transfer(self, *, user_id: int, payment_id: int, amount_jpy: int, pay_by: dt.datetime) -> TransferAccount:
        # 7 digits, distinct for each of the first ten million payments (7919 is prime to 10^7).
        number = f"{payment_id * 7919 % 10_000_000:07d}"
        return TransferAccount(
            ref=f"sbx_tr_{uuid.uuid4().hex[:16]}",
            bank_name=self.bank_name,
            branch_name=f"仮想{payment_id % 900 + 100:03d}支店",
            account_number=number,
        )

    def refund(self, *, charge_ref: str, amount_jpy: int, key: str) -> str:
        return f"sbx_re_{uuid.uuid4().hex[:16]}"

    def payout(self, *, user_id: int, amount_jpy: int, key: str) -> str:
        return self._record("payout", user_id, amount_jpy, key)

    def parse_webhook(self, *, headers: dict[str, str], body: bytes) -> TransferReceived:
        verify_signature(headers.get(SIGNATURE_HEADER, ""), body, secret=webhook_secret())
        return parse_transfer_event(body)


def simulate_transfer(
    *, base_url: str, payment_id: int, amount_jpy: int, event_id: str | None = None, timeout: float = 10.0
) -> tuple[int, dict[str, Any]]:
    """What a real gateway does when money reaches a virtual account: POST a signed event to
    chukai's webhook over HTTP. Returns the answer's status and JSON body."""
    body = json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex}",
            "type": "transfer.received",
            "payment_id": payment_id,
            "amount_jpy": amount_jpy,
        }
    ).encode()
    request = urllib.request.Request(
        base_url.rstrip("/") + "/api/payments/webhook",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret=webhook_secret())},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - our own URL
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def get_gateway() -> Gateway:
    path = os.environ.get("CHUKAI_PAYMENT_GATEWAY", "chukai.payments.gateway.SandboxGateway")
    gateway: Gateway = import_string(path)()
    return gateway
