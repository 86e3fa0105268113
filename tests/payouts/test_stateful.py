"""Hypothesis: earnings, refunds, requests, cancels, account changes, batches, confirmations and returns
in any order, with the clock moving. After every step: the ledger invariants of DOMAIN §2 (with
payouts-pending matching the open withdrawals), and each withdrawal's ledger trail matches its status.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts import services as contracts
from chukai.contracts.models import Contract
from chukai.deadlines.services import clock_advance
from chukai.errors import ChukaiError
from chukai.ledger.models import LedgerTransaction
from chukai.ledger.selectors import user_balance_jpy
from chukai.marketplace import services as market
from chukai.payouts import schedule, services
from chukai.payouts.models import PayoutBatch, Withdrawal
from tests.foundation.invariants import assert_ledger_invariants

_seq = itertools.count(1)
WHO = st.integers(0, 2)  # the client (refunds), two workers (earnings)
EXPECTED_KEYS = {
    Withdrawal.REQUESTED: {"withdraw"},
    Withdrawal.IN_BATCH: {"withdraw"},
    Withdrawal.CANCELLED: {"withdraw", "withdraw_cancel"},
    Withdrawal.PAID: {"withdraw", "payout"},
    Withdrawal.RETURNED: {"withdraw", "payout", "payout_return"},
}


class MoneyOut(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        n = next(_seq)
        clock.manual_set(dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
        mk = User.objects.create_user
        self.client = mk(f"client-po{n}@example.com", "correct horse battery")
        self.users = [self.client] + [mk(f"worker{i}-po{n}@example.com", "correct horse battery") for i in (1, 2)]
        self.staff = User.objects.create_superuser(f"staff-po{n}@example.com", "correct horse battery")
        for i, u in enumerate(self.users):
            self._account(u, f"{i + 1}000001")

    def _account(self, user: User, number: str) -> None:
        services.bank_account_put(
            user=user,
            bank_code="0001",
            branch_code="001",
            account_type="ordinary",
            account_number=number,
            holder_kana="テスト　タロウ",
        )

    def _try(self, fn, **kw) -> None:
        try:
            fn(**kw)
        except ChukaiError:
            pass  # refused: the invariants check it changed nothing harmful

    def _contract(self, worker: User, amount: int) -> tuple[int, int]:
        job = market.job_post(
            client_id=self.client.pk, title="t", description="d", budget_jpy=amount, pricing="fixed", policy="lancers"
        )
        p = market.proposal_submit(worker_id=worker.pk, job_id=job.pk, amount_jpy=amount, message="m")
        c = market.proposal_accept(client_id=self.client.pk, proposal_id=p.pk)
        mid = c.milestones.get().pk
        contracts.milestone_fund(user_id=self.client.pk, contract_id=c.pk, milestone_id=mid)
        return c.pk, mid

    @rule(k=st.integers(1, 2), amount=st.integers(1_000, 60_000))
    def earn(self, k: int, amount: int) -> None:
        worker = self.users[k]
        cid, mid = self._contract(worker, amount)
        contracts.milestone_deliver(user_id=worker.pk, contract_id=cid, milestone_id=mid)
        contracts.milestone_accept(user_id=self.client.pk, contract_id=cid, milestone_id=mid)

    @rule(amount=st.integers(1_000, 30_000))
    def refund_to_client(self, amount: int) -> None:
        from django.db import transaction

        cid, _ = self._contract(self.users[1], amount)
        with transaction.atomic():
            c = contracts.contract_lock(cid)
            contracts.contract_end(
                contract=c,
                milestones=contracts.milestones_lock(c),
                pay={},
                cause=Contract.END_STAFF,
                caused_by_id=None,
                actor_id=None,
                reason="staff refund",
            )

    @rule(who=WHO, percent=st.integers(0, 110))
    def request(self, who: int, percent: int) -> None:
        """A share of the balance: some below the minimum, some over the balance, most fine."""
        amount = user_balance_jpy(self.users[who].pk) * percent // 100
        self._try(services.withdrawal_request, user=self.users[who], amount_jpy=amount)

    @rule(who=WHO, i=st.integers(0, 20))
    def cancel(self, who: int, i: int) -> None:
        mine = list(Withdrawal.objects.filter(user=self.users[who]).order_by("id").values_list("id", flat=True))
        if mine:
            self._try(services.withdrawal_cancel, user=self.users[who], withdrawal_id=mine[i % len(mine)])

    @rule(who=WHO, n=st.integers(0, 9_999_999))
    def replace_account(self, who: int, n: int) -> None:
        self._account(self.users[who], str(n))

    @rule(days=st.integers(1, 20))
    def time_passes(self, days: int) -> None:
        clock_advance(to=clock.now() + dt.timedelta(days=days))

    @rule(ahead=st.integers(0, 45))
    def build_batch(self, ahead: int) -> None:
        day = clock.now().astimezone(schedule.TOKYO).date() + dt.timedelta(days=ahead)
        self._try(services.payout_batch_create, staff=self.staff, pay_date=day)

    @precondition(lambda self: PayoutBatch.objects.exists())
    @rule(i=st.integers(0, 20))
    def confirm(self, i: int) -> None:
        ids = list(PayoutBatch.objects.order_by("id").values_list("id", flat=True))
        services.payout_batch_confirm(staff=self.staff, batch_id=ids[i % len(ids)])

    @rule(i=st.integers(0, 20))
    def bank_returns(self, i: int) -> None:
        ids = list(Withdrawal.objects.order_by("id").values_list("id", flat=True))
        if ids:
            self._try(services.withdrawal_return, staff=self.staff, withdrawal_id=ids[i % len(ids)], reason="closed")

    @invariant()
    def ledger_sound(self) -> None:
        assert_ledger_invariants()

    @invariant()
    def each_withdrawal_has_the_trail_of_its_status(self) -> None:
        keys: dict[int, set[str]] = {}
        for key in LedgerTransaction.objects.filter(
            kind__in=["withdrawal", "withdrawal_cancel", "payout", "payout_return"]
        ).values_list("idempotency_key", flat=True):
            prefix, wid = key.split(":")
            keys.setdefault(int(wid), set()).add(prefix)
        for w in Withdrawal.objects.all():
            assert keys.get(w.pk, set()) == EXPECTED_KEYS[w.status], (w.pk, w.status, keys.get(w.pk))
            assert w.net_jpy == w.amount_jpy - w.fee_jpy and w.amount_jpy >= 1_000
            assert (w.batch_id is not None) == (w.status in (Withdrawal.IN_BATCH, Withdrawal.PAID, Withdrawal.RETURNED))
        for b in PayoutBatch.objects.all():
            nets = [w.net_jpy for w in b.withdrawals.all()]
            assert (b.count, b.total_jpy) == (len(nets), sum(nets))
            if b.status == PayoutBatch.CONFIRMED:
                assert not b.withdrawals.filter(status=Withdrawal.IN_BATCH).exists()


@pytest.mark.django_db
def test_money_out_machine():
    with override_settings(CHUKAI_MANUAL_CLOCK=True):
        MoneyOut.TestCase.settings = settings(
            max_examples=12,
            stateful_step_count=40,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no long shrinking in CI
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        MoneyOut.TestCase().runTest()
