"""The webhook's signature checks (DOMAIN §11): good, bad, missing, stale, replayed, one byte
altered; unknown payment, bad amounts. A refused call changes nothing but is stored and logged."""

from __future__ import annotations

import json
import logging

import pytest

from chukai.payments.gateway import sign
from chukai.payments.models import WebhookCall
from tests.conftest import make_contract
from tests.foundation.invariants import assert_ledger_invariants, assert_same_state, db_state
from tests.payments.conftest import SECRET
from tests.payments.helpers import event_body, fund, milestone, now, post_webhook

STATE = ("contracts", "ledger", "messaging", "deadlines", "accounts")


@pytest.fixture
def pending(client_api, worker_api) -> dict:
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    assert fund(client_api, c, mid, {"type": "bank_transfer"}).status_code == 200
    return milestone(client_api, c["id"], mid)["payment"]


def _refused(status: int, verdict: str, body: bytes, signature: str | None, caplog) -> None:
    before = db_state(labels=STATE + ("payments",))
    calls = WebhookCall.objects.count()
    with caplog.at_level(logging.WARNING, logger="chukai.payments"):
        r = post_webhook(body, signature)
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == verdict
    after = db_state(labels=STATE + ("payments",))
    assert after.pop("payments.WebhookCall") != before.pop("payments.WebhookCall")
    assert_same_state(before, after)
    assert WebhookCall.objects.count() == calls + 1
    call = WebhookCall.objects.latest("id")
    assert (call.verdict, call.status_code) == (verdict, status)
    assert call.body == body.decode("utf-8", errors="replace")
    assert call.signature == (signature or "")
    assert any(verdict in rec.getMessage() for rec in caplog.records)


def test_good_signature_is_applied_and_stored(pending):
    body = event_body(pending["id"], 1_000, "evt_good")
    r = post_webhook(body)
    assert r.status_code == 200 and r.json()["applied_jpy"] == 1_000
    call = WebhookCall.objects.get(event_id="evt_good")
    assert call.verdict == "applied" and call.body == body.decode() and call.signature.startswith("t=")
    assert_ledger_invariants()


def test_bad_signature(pending, caplog):
    body = event_body(pending["id"], 1_000)
    _refused(400, "bad_signature", body, sign(body, secret="not-the-secret"), caplog)


def test_missing_signature(pending, caplog):
    _refused(400, "missing_signature", event_body(pending["id"], 1_000), None, caplog)


def test_malformed_signature_header(pending, caplog):
    _refused(400, "bad_signature", event_body(pending["id"], 1_000), "v1=abc", caplog)


@pytest.mark.parametrize("skew", [-301, 301, -10_000])
def test_stale_or_future_timestamp(pending, caplog, skew):
    body = event_body(pending["id"], 1_000)
    _refused(400, "stale", body, sign(body, secret=SECRET, timestamp=now() + skew), caplog)


def test_within_tolerance_is_accepted(pending):
    body = event_body(pending["id"], 1_000)
    assert post_webhook(body, sign(body, secret=SECRET, timestamp=now() - 290)).status_code == 200


def test_replayed_call_has_no_second_effect(pending):
    body = event_body(pending["id"], 1_000, "evt_replay")
    signature = sign(body, secret=SECRET)
    assert post_webhook(body, signature).status_code == 200
    before = db_state(labels=STATE)
    r = post_webhook(body, signature)  # the very same request, captured and sent again
    assert r.status_code == 200 and r.json()["duplicate"] is True
    assert_same_state(before, db_state(labels=STATE))
    assert WebhookCall.objects.filter(event_id="evt_replay").count() == 2


def test_body_altered_by_one_byte(pending, caplog):
    body = event_body(pending["id"], 1_000)
    signature = sign(body, secret=SECRET)
    altered = body.replace(b'"amount_jpy": 1000', b'"amount_jpy": 9000')
    assert len(altered) == len(body) and sum(a != b for a, b in zip(altered, body, strict=True)) == 1
    _refused(400, "bad_signature", altered, signature, caplog)


def test_unknown_payment_is_404(pending):
    body = event_body(pending["id"] + 1000, 1_000)
    before = db_state(labels=STATE)
    r = post_webhook(body)
    assert r.status_code == 404 and r.json()["code"] == "unknown_payment"
    assert_same_state(before, db_state(labels=STATE))
    assert WebhookCall.objects.latest("id").verdict == "unknown_payment"


@pytest.mark.parametrize(
    ("amount", "verdict"), [(-1_000, "bad_amount"), (0, "bad_amount"), (10**12, "bad_amount"), ("1000", "bad_amount")]
)
def test_negative_zero_absurd_or_text_amount(pending, amount, verdict):
    body = json.dumps({"id": "evt_x", "type": "transfer.received", "payment_id": pending["id"], "amount_jpy": amount})
    before = db_state(labels=STATE)
    r = post_webhook(body.encode())
    assert r.status_code == 400 and r.json()["code"] == verdict, r.content
    assert_same_state(before, db_state(labels=STATE))


def test_not_json_and_unknown_type(pending):
    before = db_state(labels=STATE)
    assert post_webhook(b"\xff\xfe not json").json()["code"] == "malformed"
    assert post_webhook(event_body(pending["id"], 1, type="charge.refunded")).json()["code"] == "unsupported_event"
    assert_same_state(before, db_state(labels=STATE))


def test_a_card_payment_cannot_receive_transfers(client_api, worker_api):
    from chukai.payments.models import Payment

    c = make_contract(client_api, worker_api)
    fund(client_api, c, c["milestones"][0]["id"])
    card = Payment.objects.get(contract_id=c["id"])
    before = db_state(labels=STATE)
    r = post_webhook(event_body(card.pk, 1_000))
    assert r.status_code == 400 and r.json()["code"] == "not_a_transfer"
    assert_same_state(before, db_state(labels=STATE))


def test_no_secret_configured_refuses_everything(pending, settings):
    settings.CHUKAI_PAYMENT_WEBHOOK_SECRET = ""
    settings.DEBUG = False
    settings.CHUKAI_MANUAL_CLOCK = False
    body = event_body(pending["id"], 1_000)
    r = post_webhook(body, sign(body, secret=""))
    assert r.status_code == 400 and r.json()["code"] == "no_secret"


def test_nul_bytes_and_odd_ids_are_refused_and_still_stored(pending):
    before = db_state(labels=STATE)
    body = event_body(pending["id"], 1_000, "evt\x00nul")
    r = post_webhook(body)
    assert r.status_code == 400 and r.json()["code"] == "malformed"
    r = post_webhook(b'{"id": "\x00"}', "t=1,v1=\x00")
    assert r.status_code == 400
    assert_same_state(before, db_state(labels=STATE))
    assert "\ufffd" in WebhookCall.objects.latest("id").body


def test_the_api_docs_describe_the_webhook(client):
    doc = client.get("/api/openapi.json").json()
    op = doc["paths"]["/api/payments/webhook"]["post"]
    assert "Chukai-Signature" in op["description"] and "300 seconds" in op["description"]
    assert "/api/contracts/{contract_id}/milestones/{milestone_id}/fund-preview" in doc["paths"]
