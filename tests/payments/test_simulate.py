"""The sandbox's `simulate` path calls the server's own webhook over HTTP, signed, like a real gateway."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.core.management import CommandError, call_command

from chukai.payments.models import WebhookCall
from tests.conftest import make_contract, signup
from tests.foundation.invariants import assert_ledger_invariants
from tests.payments.helpers import fund, milestone


def _post(url: str, token: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=20) as r:  # noqa: S310 - the test server
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.mark.django_db(transaction=True)
def test_simulate_endpoint_and_command_go_through_the_webhook(live_server, settings):
    settings.CHUKAI_MANUAL_CLOCK = True
    client_api, worker_api = signup("client"), signup("worker")
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    assert fund(client_api, c, mid, {"type": "bank_transfer"}).status_code == 200
    pay = milestone(client_api, c["id"], mid)["payment"]
    url = live_server.url + "/api/_sandbox/transfers"
    # the worker may not simulate the client's money
    assert _post(url, worker_api.token, {"payment_id": pay["id"], "amount_jpy": 1})[0] == 403
    status, body = _post(url, client_api.token, {"payment_id": pay["id"], "amount_jpy": 20_000, "event_id": "evt_sim"})
    assert status == 200 and body["webhook_status"] == 200, body
    assert milestone(client_api, c["id"], mid)["payment"]["paid_jpy"] == 20_000
    assert WebhookCall.objects.get(event_id="evt_sim").verdict == "applied"  # it came in over HTTP, signed
    call_command("simulate_transfer", str(pay["id"]), "30000", "--url", live_server.url)
    assert milestone(client_api, c["id"], mid)["status"] == "escrowed"
    with pytest.raises(CommandError):
        call_command("simulate_transfer", str(pay["id"] + 99), "1", "--url", live_server.url)
    assert_ledger_invariants()
    settings.CHUKAI_MANUAL_CLOCK = False
    settings.DEBUG = False
    assert _post(url, client_api.token, {"payment_id": pay["id"], "amount_jpy": 1})[0] == 404
