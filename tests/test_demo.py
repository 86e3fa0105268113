"""`manage.py load_demo`: the demo `make run` shows, loaded twice without duplicates.

Loading is slow-ish (argon2 for three users, ~30 contracts), so one test loads twice
and makes every check on that data.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
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


def counts() -> tuple[int, ...]:
    models = (Contract, Milestone, Event, LedgerTransaction, Deadline, User)
    return tuple(m.objects.count() for m in models)  # type: ignore[attr-defined]


def has_service(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def contract(suffix: str) -> Contract:
    return Contract.objects.get(title__endswith=f"[{suffix}]")


def test_load_demo_twice_gives_every_state_under_every_policy_once_and_logins_that_work():
    first = load()
    assert "contract(s) created" in first
    after_first = counts()

    second = load()
    assert "already loaded" in second
    assert counts() == after_first, "a second load must add nothing"
    check_logins_and_api(second)

    states = Counter(Contract.objects.values_list("policy_name", "status"))
    for policy in demo.POLICIES:
        for status in ("awaiting_escrow", "in_progress", "completed", "cancelled"):
            assert states[(policy, status)] >= 1, (policy, status)
        assert [m.status for m in contract(f"{policy} · in_progress").milestones.all()] == ["escrowed", "unfunded"]
        assert contract(f"{policy} · delivered").milestones.get().status == Milestone.DELIVERED
        assert contract(f"{policy} · completed").milestones.get().status == Milestone.PAID
        cancelled = contract(f"{policy} · cancelled")
        assert cancelled.end_cause == Contract.END_AGREEMENT
        assert cancelled.milestones.get().status == Milestone.REFUNDED

    # Delivered under upwork/chukai: auto-acceptance 14 days after delivery, still ahead.
    for policy in ("upwork", "chukai"):
        c = contract(f"{policy} · delivered")
        deadline = Deadline.objects.get(contract=c, kind="auto_accept")
        delivered_at = c.milestones.get().delivered_at
        assert deadline.status == Deadline.PENDING and delivered_at is not None
        assert deadline.due_at - delivered_at == dt.timedelta(days=14)
        assert deadline.due_at > clock.now()

    # Money in: one milestone awaits a bank transfer, its pay-by time ahead.
    awaiting = contract("lancers · awaiting_payment").milestones.get(position=2)
    assert awaiting.status == Milestone.AWAITING_PAYMENT and awaiting.payments.get().pay_by > clock.now()

    # Money: each escrow account holds exactly its held milestones; the worker has what was paid.
    for c in Contract.objects.all():
        held = sum(m.amount_jpy + m.client_fee_jpy for m in c.milestones.all() if m.status in Milestone.HOLDING)
        held += sum(p.held_jpy for p in c.payments.filter(status="pending"))  # a bank transfer on its way
        assert escrow_balance_jpy(c.pk) == held, c.title
    worker = User.objects.get(email=demo.WORKER_EMAIL)
    paid = sum(m.worker_paid_jpy for m in Milestone.objects.filter(contract__worker=worker))
    withdrawn = 0
    if has_service("chukai.payouts.services"):
        # Money out: a registered account and one pending withdrawal (loaded once), shown on the pages.
        from chukai.payouts import selectors as payouts
        from chukai.payouts.models import Withdrawal

        account = payouts.bank_account_of(user_id=worker.pk)
        assert account is not None and account.holder_kana == "ｻﾄｳ ﾕｷ"
        pending = Withdrawal.objects.get(user=worker)
        assert (pending.status, pending.amount_jpy) == ("requested", demo.PAYOUT_DEMO_AMOUNT)
        assert payouts.balance_summary(user_id=worker.pk)["pending_withdrawals_jpy"] == demo.PAYOUT_DEMO_AMOUNT
        withdrawn = pending.amount_jpy
        from django.test import Client

        page = Client()
        assert page.post("/login", {"email": demo.WORKER_EMAIL, "password": demo.PASSWORD}).status_code == 302
        html = page.get("/balance").content.decode()
        assert f'id="withdrawal-{pending.pk}"' in html and "¥30,000" in html and "****567" in html
    assert paid > 0 and user_balance_jpy(worker.pk) == paid - withdrawn

    # Nothing is left overdue for the worker to catch up on.
    assert not Deadline.objects.filter(status=Deadline.PENDING, due_at__lte=clock.now()).exists()

    # The parts for other apps, when those apps are there.
    if has_service("chukai.messaging.services"):
        thread = contract("chukai · messages")
        assert thread.messages.count() >= 4  # type: ignore[attr-defined]
        assert thread.client_unread >= 1
        assert User.objects.get(email=demo.CLIENT_EMAIL).email_status == "bouncing"
    if has_service("chukai.remedies.services") and has_service("chukai.messaging.services"):
        reminder = contract("lancers · contact reminder").contact_reminders.get()  # type: ignore[attr-defined]
        assert reminder.status == "open" and reminder.respond_by > clock.now()
    if has_service("chukai.remedies.services"):
        request = contract("crowdworks · termination request").termination_requests.get()  # type: ignore[attr-defined]
        assert request.status == "open"
    if has_service("chukai.support.services"):
        case = contract("crowdworks · support case").support_cases.get()  # type: ignore[attr-defined]
        assert case.status in ("open", "awaiting_response")
    if has_service("chukai.reputation.services") and hasattr(
        importlib.import_module("chukai.reputation.services"), "rating_submit"
    ):
        assert contract("upwork · rated").ratings.count() == 2  # type: ignore[attr-defined]
    if has_service("chukai.reputation.demo"):  # apps' own parts run too (each tested in its app's tests)
        from chukai.reputation.demo import PENDING_TITLE

        assert Contract.objects.filter(title=PENDING_TITLE).count() == 1


def check_logins_and_api(output: str) -> None:
    assert demo.PASSWORD in output
    tokens = {}
    for email in (demo.CLIENT_EMAIL, demo.WORKER_EMAIL, demo.STAFF_EMAIL):
        assert email in output
        r = Api().post("/api/auth/token", {"email": email, "password": demo.PASSWORD})
        assert r.status_code == 200, (email, r.content)
        tokens[email] = r.json()["token"]
    assert Api(tokens[demo.STAFF_EMAIL]).get("/api/me").json()["is_staff"] is True

    client = Api(tokens[demo.CLIENT_EMAIL])
    mixed = contract("chukai · mixed")
    body = client.get(f"/api/contracts/{mixed.pk}").json()
    assert [m["status"] for m in body["milestones"]] == ["paid", "delivered", "unfunded"]
    timeline = client.get(f"/api/contracts/{mixed.pk}/timeline").json()
    kinds = [e["kind"] for e in timeline]
    assert kinds[0] == "contract_formed"
    assert "due_date_accepted" in kinds and "milestone_accepted" in kinds
    times = [e["at"] for e in timeline]
    assert times == sorted(times), "the staged history reads oldest first"
