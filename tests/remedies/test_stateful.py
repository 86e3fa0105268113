"""Hypothesis: messages, deliveries, filings, clock moves and staff decisions in any order.

After every step: the ledger invariants of DOMAIN §2 hold, at most one request
of each kind is open per contract, nothing is open on an ended contract, and
an ended contract says who caused its end.
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
from chukai.contracts.models import Contract, Milestone
from chukai.deadlines.services import clock_advance
from chukai.errors import ChukaiError
from chukai.marketplace import services as market
from chukai.messaging.services import message_post
from chukai.remedies import services as remedies
from chukai.remedies.models import ContactReminder, TerminationRequest
from chukai.support import services as support
from chukai.support.models import SupportCase
from tests.foundation.invariants import assert_ledger_invariants

_seq = itertools.count(1)
ROLES = st.sampled_from(["client", "worker"])


class SilentCounterpart(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        n = next(_seq)
        clock.manual_set(dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
        self.users = {
            role: User.objects.create_user(f"{role}-sm{n}@example.com", "correct horse battery")
            for role in ("client", "worker")
        }
        self.staff = User.objects.create_superuser(f"staff-sm{n}@example.com", "correct horse battery")
        self.contracts: list[int] = []

    def _try(self, fn, **kw) -> None:
        try:
            fn(**kw)
        except ChukaiError:
            pass  # a refused step; the invariants check it changed nothing harmful

    @rule(policy=st.sampled_from(["lancers", "crowdworks", "upwork", "chukai"]), two=st.booleans())
    def form_contract(self, policy: str, two: bool) -> None:
        milestones = [{"title": "a", "amount_jpy": 30_000}] + ([{"title": "b", "amount_jpy": 70_001}] if two else [])
        total = sum(m["amount_jpy"] for m in milestones)
        job = market.job_post(
            client_id=self.users["client"].pk,
            title="t",
            description="d",
            budget_jpy=total,
            pricing="fixed",
            policy=policy,
        )
        p = market.proposal_submit(
            worker_id=self.users["worker"].pk, job_id=job.pk, amount_jpy=total, message="m", milestones=milestones
        )
        self.contracts.append(market.proposal_accept(client_id=self.users["client"].pk, proposal_id=p.pk).pk)

    def _pick(self, i: int) -> int:
        return self.contracts[i % len(self.contracts)]

    def _milestone(self, cid: int, j: int) -> int:
        ids = list(Milestone.objects.filter(contract_id=cid).order_by("position").values_list("id", flat=True))
        return ids[j % len(ids)]

    @precondition(lambda self: self.contracts)
    @rule(i=st.integers(0, 5), role=ROLES)
    def post_message(self, i: int, role: str) -> None:
        self._try(message_post, user_id=self.users[role].pk, contract_id=self._pick(i), body="こんにちは")

    @precondition(lambda self: self.contracts)
    @rule(
        i=st.integers(0, 5),
        j=st.integers(0, 1),
        action=st.sampled_from(["fund", "deliver", "accept", "request_revision"]),
        role=ROLES,
    )
    def milestone_action(self, i: int, j: int, action: str, role: str) -> None:
        cid = self._pick(i)
        kw = {"user_id": self.users[role].pk, "contract_id": cid, "milestone_id": self._milestone(cid, j)}
        if action == "request_revision":
            kw["reason"] = "直してください"
        self._try(getattr(contracts, f"milestone_{action}"), **kw)

    @precondition(lambda self: self.contracts)
    @rule(i=st.integers(0, 5), role=ROLES)
    def file_reminder(self, i: int, role: str) -> None:
        self._try(remedies.reminder_file, user_id=self.users[role].pk, contract_id=self._pick(i))

    @precondition(lambda self: self.contracts)
    @rule(i=st.integers(0, 5), role=ROLES, pay=st.sampled_from([None, 0, 10_000, 30_000, 10**6]))
    def request_termination(self, i: int, role: str, pay: int | None) -> None:
        self._try(
            remedies.termination_request,
            user_id=self.users[role].pk,
            contract_id=self._pick(i),
            reason="終了したい",
            pay_worker_jpy=pay,
        )

    @precondition(lambda self: self.contracts)
    @rule(i=st.integers(0, 5), role=ROLES, how=st.sampled_from(["agree", "decline", "withdraw"]))
    def answer_termination(self, i: int, role: str, how: str) -> None:
        req = TerminationRequest.objects.filter(contract_id=self._pick(i)).order_by("-id").first()
        if req is not None:
            self._try(getattr(remedies, f"termination_{how}"), user_id=self.users[role].pk, request_id=req.pk)

    @precondition(lambda self: self.contracts)
    @rule(i=st.integers(0, 5), role=ROLES, kind=st.sampled_from(["unresponsive", "acceptance_overdue", "dispute"]))
    def open_case(self, i: int, role: str, kind: str) -> None:
        self._try(support.case_open, user_id=self.users[role].pk, contract_id=self._pick(i), kind=kind, body="助けて")

    @precondition(lambda self: self.contracts)
    @rule(
        i=st.integers(0, 5),
        decision=st.sampled_from(["release_delivered", "refund_escrow", "split", "cancel"]),
        pay=st.sampled_from([None, 5_000, 30_000]),
    )
    def staff_decides(self, i: int, decision: str, pay: int | None) -> None:
        case = SupportCase.objects.filter(contract_id=self._pick(i)).exclude(status="closed").first()
        if case is not None:
            self._try(
                support.case_decide, staff_id=self.staff.pk, case_id=case.pk, decision=decision, pay_worker_jpy=pay
            )

    @rule(hours=st.sampled_from([1, 30, 24 * 3, 24 * 7, 24 * 15]))
    def time_passes(self, hours: int) -> None:
        clock_advance(to=clock.now() + dt.timedelta(hours=hours))

    @invariant()
    def money_is_sound(self) -> None:
        assert_ledger_invariants()

    @invariant()
    def one_open_request_of_each_kind(self) -> None:
        for cid in self.contracts:
            c = Contract.objects.get(pk=cid)
            open_reminders = ContactReminder.objects.filter(contract_id=cid, status="open").count()
            open_terms = TerminationRequest.objects.filter(contract_id=cid, status="open").count()
            assert open_reminders <= 1 and open_terms <= 1
            if not c.is_open:
                assert open_reminders == 0 and open_terms == 0, f"request left open on ended contract {cid}"
                assert c.end_cause, f"contract {cid} ended without a cause"
                assert c.ended_at is not None


@pytest.mark.django_db
def test_silent_counterpart_machine():
    with override_settings(CHUKAI_MANUAL_CLOCK=True):
        SilentCounterpart.TestCase.settings = settings(
            max_examples=15,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no long shrinking in CI
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        SilentCounterpart.TestCase().runTest()
