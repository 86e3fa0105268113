"""`manage.py load_demo`: the demo `make run` shows, loaded twice without duplicates."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command

from chukai import clock
from chukai.accounts.models import User
from chukai.common import demo
from chukai.contracts.models import Contract, Event, Milestone
from chukai.deadlines.models import Deadline
from chukai.ledger.models import LedgerTransaction
from chukai.ledger.selectors import escrow_balance_jpy, user_balance_jpy
from tests.conftest import Api

pytestmark = pytest.mark.django_db


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", "--strict", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def counts() -> tuple[int, int, int, int, int]:
    return (
        Contract.objects.count(),
        Milestone.objects.count(),
        Event.objects.count(),
        LedgerTransaction.objects.count(),
        Deadline.objects.count(),
    )


def test_load_demo_twice_makes_every_state_under_every_policy_once():
    first = load()
    assert "contract(s) created" in first
    after_first = counts()

    second = load()
    assert "already loaded" in second
    assert counts() == after_first, "a second load must add nothing"

    states = Counter(Contract.objects.values_list("policy_name", "status"))
    for policy in demo.POLICIES:
        for status in ("awaiting_escrow", "in_progress", "completed", "cancelled"):
            assert states[(policy, status)] >= 1, (policy, status)
        delivered = Contract.objects.get(title__endswith=f"[{policy} · delivered]")
        assert delivered.milestones.get().status == Milestone.DELIVERED
        escrowed = Contract.objects.get(title__endswith=f"[{policy} · in_progress]")
        assert [m.status for m in escrowed.milestones.all()] == [Milestone.ESCROWED, Milestone.UNFUNDED]
        cancelled = Contract.objects.get(title__endswith=f"[{policy} · cancelled]")
        assert cancelled.end_cause == Contract.END_AGREEMENT
        assert cancelled.milestones.get().status == Milestone.REFUNDED


@pytest.mark.parametrize("policy", ["upwork", "chukai"])
def test_delivered_demo_has_a_pending_auto_accept_in_the_future(policy):
    load()
    contract = Contract.objects.get(title__endswith=f"[{policy} · delivered]")
    deadline = Deadline.objects.get(contract=contract, kind="auto_accept")
    assert deadline.status == Deadline.PENDING
    delivered_at = contract.milestones.get().delivered_at
    assert delivered_at is not None
    assert deadline.due_at - delivered_at >= dt.timedelta(days=14)
    assert deadline.due_at > clock.now()


def test_demo_money_adds_up():
    load()
    client = User.objects.get(email=demo.CLIENT_EMAIL)
    worker = User.objects.get(email=demo.WORKER_EMAIL)
    for contract in Contract.objects.filter(client=client):
        held = sum(m.amount_jpy + m.client_fee_jpy for m in contract.milestones.all() if m.status in Milestone.HOLDING)
        assert escrow_balance_jpy(contract.pk) == held, contract.title
    paid = sum(m.worker_paid_jpy for m in Milestone.objects.filter(contract__worker=worker))
    assert paid > 0
    assert user_balance_jpy(worker.pk) == paid


def test_demo_logins_work_and_are_printed():
    output = load()
    for email in (demo.CLIENT_EMAIL, demo.WORKER_EMAIL, demo.STAFF_EMAIL):
        assert email in output
        r = Api().post("/api/auth/token", {"email": email, "password": demo.PASSWORD})
        assert r.status_code == 200, (email, r.content)
    assert demo.PASSWORD in output
    staff_token = Api().post("/api/auth/token", {"email": demo.STAFF_EMAIL, "password": demo.PASSWORD}).json()["token"]
    assert Api(staff_token).get("/api/me").json()["is_staff"] is True


def test_demo_contract_is_readable_by_its_client_through_the_api():
    load()
    token = Api().post("/api/auth/token", {"email": demo.CLIENT_EMAIL, "password": demo.PASSWORD}).json()["token"]
    contract = Contract.objects.get(title__endswith="[chukai · mixed]")
    body = Api(token).get(f"/api/contracts/{contract.pk}").json()
    assert [m["status"] for m in body["milestones"]] == ["paid", "delivered", "unfunded"]
    timeline = Api(token).get(f"/api/contracts/{contract.pk}/timeline").json()
    kinds = [e["kind"] for e in timeline]
    assert kinds[0] == "contract_formed"
    assert "due_date_accepted" in kinds and "milestone_accepted" in kinds
    times = [e["at"] for e in timeline]
    assert times == sorted(times), "the staged history reads oldest first"
