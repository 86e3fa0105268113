"""Sandbox: money reaches a payment's virtual account — POST the signed webhook to a running server."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chukai.payments.gateway import simulate_transfer


class Command(BaseCommand):
    help = (
        "Send transfer.received for PAYMENT_ID and AMOUNT (yen) to the server's webhook over HTTP, signed "
        "with CHUKAI_PAYMENT_WEBHOOK_SECRET, exactly as a real gateway would. Only with CHUKAI_MANUAL_CLOCK=1 or DEBUG."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("payment_id", type=int)
        parser.add_argument("amount_jpy", type=int)
        parser.add_argument("--event-id", default=None, help="the gateway's event id (repeat one to test idempotency)")
        parser.add_argument("--url", default=settings.CHUKAI_SITE_URL, help="the server (default CHUKAI_SITE_URL)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not (settings.CHUKAI_MANUAL_CLOCK or settings.DEBUG):
            raise CommandError("The sandbox simulator runs only with CHUKAI_MANUAL_CLOCK=1 or DEBUG.")
        status, body = simulate_transfer(
            base_url=opts["url"],
            payment_id=opts["payment_id"],
            amount_jpy=opts["amount_jpy"],
            event_id=opts["event_id"],
        )
        self.stdout.write(f"{status} {body}")
        if status >= 400:
            raise CommandError(f"The webhook refused the transfer ({status}).")
