"""The payment gateway interface and the sandbox that ships with chukai.

A real gateway (Stripe Connect, PAY.JP …) implements the same two calls and
is chosen with CHUKAI_PAYMENT_GATEWAY (a dotted path).
"""

from __future__ import annotations

import os
import uuid
from typing import Protocol

from django.utils.module_loading import import_string

from chukai import clock


class Gateway(Protocol):
    def charge(self, *, user_id: int, amount_jpy: int, key: str) -> str: ...

    def payout(self, *, user_id: int, amount_jpy: int, key: str) -> str: ...


class SandboxGateway:
    """Records charges and payouts in the database; always succeeds."""

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

    def charge(self, *, user_id: int, amount_jpy: int, key: str) -> str:
        return self._record("charge", user_id, amount_jpy, key)

    def payout(self, *, user_id: int, amount_jpy: int, key: str) -> str:
        return self._record("payout", user_id, amount_jpy, key)


def get_gateway() -> Gateway:
    path = os.environ.get("CHUKAI_PAYMENT_GATEWAY", "chukai.payments.gateway.SandboxGateway")
    gateway: Gateway = import_string(path)()
    return gateway
