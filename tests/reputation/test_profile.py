from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chukai.contracts.models import Contract
from chukai.reputation.services import penalty_mark_issue
from tests.conftest import make_contract, signup
from tests.reputation.helpers import completed_contract, deliver, end, fund, rate

T0 = dt.datetime(2026, 10, 5, 0, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _profile(api, user_id):
    r = api.get(f"/api/users/{user_id}/profile")
    assert r.status_code == 200, r.content
    return r.json()


# --- completion rate with attribution (DOMAIN §3, causes of §5) ---------------------------


def _ended_by(cause: str, culprit: str | None, client, worker) -> None:
    """One contract ending for `cause`, caused by `culprit` ("client", "worker" or None)."""
    caused_by = {"client": client.user_id, "worker": worker.user_id, None: None}[culprit]
    if cause == Contract.END_COMPLETED:
        completed_contract(client, worker)
        return
    c = make_contract(
        client, worker, milestones=[{"title": "前半", "amount_jpy": 30_000}, {"title": "後半", "amount_jpy": 20_000}]
    )
    fund(client, c, 0)
    deliver(worker, c, 0)
    pay = {c["milestones"][0]["id"]: 30_000} if cause == Contract.END_SILENCE else {}
    end(c["id"], cause=cause, caused_by_id=caused_by, pay=pay)


@pytest.mark.parametrize(
    ("cause", "culprit", "worker_rate", "client_rate", "worker_bucket", "client_bucket"),
    [
        # Finished: a completion for both.
        (Contract.END_COMPLETED, None, 1.0, 1.0, "completed", "completed"),
        # The client went silent (contact reminder expired): against the client only.
        (Contract.END_SILENCE, "client", None, 0.0, "ended_by_other_party", "ended_by_you"),
        # The worker went silent: against the worker only, although the delivered part was paid.
        (Contract.END_SILENCE, "worker", 0.0, None, "ended_by_you", "ended_by_other_party"),
        # The client asked to cancel and it took effect (early termination): against the client.
        (Contract.END_AGREEMENT, "client", None, 0.0, "ended_by_other_party", "ended_by_you"),
        # The worker asked to cancel: against the worker.
        (Contract.END_AGREEMENT, "worker", 0.0, None, "ended_by_you", "ended_by_other_party"),
        # A mutual cancellation with nobody named: against nobody.
        (Contract.END_AGREEMENT, None, None, None, "ended_without_fault", "ended_without_fault"),
        # Staff decided against the worker: against the worker.
        (Contract.END_STAFF, "worker", 0.0, None, "ended_by_you", "ended_by_other_party"),
        # Staff decided against the client: against the client.
        (Contract.END_STAFF, "client", None, 0.0, "ended_by_other_party", "ended_by_you"),
        # Staff decided with nobody at fault: against nobody.
        (Contract.END_STAFF, None, None, None, "ended_without_fault", "ended_without_fault"),
    ],
)
def test_completion_rate_counts_an_end_against_whoever_caused_it(
    client_api, worker_api, cause, culprit, worker_rate, client_rate, worker_bucket, client_bucket
):
    _ended_by(cause, culprit, client_api, worker_api)
    for uid, expected_rate, bucket in (
        (worker_api.user_id, worker_rate, worker_bucket),
        (client_api.user_id, client_rate, client_bucket),
    ):
        p = _profile(client_api, uid)
        assert p["completion_rate"] == expected_rate, (uid, p["completion"])
        assert p["completion"][bucket] == 1
        assert sum(p["completion"].values()) == 1
        assert p["contracts"]["total"] == 1
        assert p["contracts"]["open"] == 0


def test_completion_rate_over_many_contracts(client_api, worker_api):
    other_client = signup("client")
    completed_contract(client_api, worker_api)
    completed_contract(other_client, worker_api)
    _ended_by(Contract.END_SILENCE, "client", client_api, worker_api)  # abandoned: not counted
    _ended_by(Contract.END_AGREEMENT, "worker", other_client, worker_api)  # the worker quit
    make_contract(client_api, worker_api)  # still open
    p = _profile(client_api, worker_api.user_id)
    assert p["completion_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert p["completion"] == {
        "completed": 2,
        "ended_by_you": 1,
        "ended_by_other_party": 1,
        "ended_without_fault": 0,
    }
    assert p["contracts"] == {
        "total": 5,
        "as_client": 0,
        "as_worker": 5,
        "open": 1,
        "completed": 3,  # by status: the silence case paid the delivered part
        "cancelled": 1,
    }
    fresh = signup("newcomer")
    assert _profile(client_api, fresh.user_id)["completion_rate"] is None


# --- penalty marks ------------------------------------------------------------------------


def test_penalty_marks_are_shown_apart_with_their_contract(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    fund(client_api, c)
    with time_machine.travel(T0, tick=False):
        end(c["id"], cause=Contract.END_SILENCE, caused_by_id=client_api.user_id)
        penalty_mark_issue(
            user_id=client_api.user_id,
            contract_id=c["id"],
            kind="unresponsive",
            reason="連絡催促申請の期限までに応答なし",
        )
        penalty_mark_issue(user_id=client_api.user_id, contract_id=c["id"], kind="unresponsive", reason="twice")
    p = _profile(worker_api, client_api.user_id)
    assert p["penalty_marks"] == [
        {
            "kind": "unresponsive",
            "contract_id": c["id"],
            "contract_title": "SEO記事作成",
            "issued_at": "2026-10-05T00:00:00Z",
            "reason": "連絡催促申請の期限までに応答なし",
        }
    ]
    assert p["rating_count"] == 0  # a penalty mark is not a rating
    assert _profile(client_api, worker_api.user_id)["penalty_marks"] == []


# --- first response -----------------------------------------------------------------------


def test_median_first_response_from_the_other_partys_first_act(client_api, worker_api):
    """Worker: from the contract forming to their first act. Client: from the worker's first act
    to the client's first act after it (forming the contract answers nothing)."""
    for worker_delay in (1, 3, 10):
        with time_machine.travel(T0, tick=False):
            c = make_contract(client_api, worker_api)
        with time_machine.travel(T0 + 0.5 * HOUR, tick=False):
            fund(client_api, c)  # before the worker did anything: not an answer
        with time_machine.travel(T0 + worker_delay * HOUR, tick=False):
            deliver(worker_api, c)
        with time_machine.travel(T0 + (worker_delay + 2) * HOUR, tick=False):
            mid = c["milestones"][0]["id"]
            assert client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/accept").status_code == 200
    # A contract the worker never touched before the client cancelled it.
    with time_machine.travel(T0, tick=False):
        silent = make_contract(client_api, worker_api)
    with time_machine.travel(T0 + 48 * HOUR, tick=False):
        end(silent["id"], cause=Contract.END_AGREEMENT, caused_by_id=client_api.user_id)

    w = _profile(client_api, worker_api.user_id)
    assert w["median_first_response_seconds"] == 3 * 3600
    assert w["first_response"] == {"median_seconds": 3 * 3600, "contracts_measured": 3, "contracts_unanswered": 1}
    c = _profile(worker_api, client_api.user_id)
    assert c["median_first_response_seconds"] == 2 * 3600
    assert c["first_response"]["contracts_measured"] == 3
    assert c["first_response"]["contracts_unanswered"] == 0  # the worker never acted there: nothing to answer


# --- query budget -------------------------------------------------------------------------


def _busy_history(worker, n: int) -> None:
    for i in range(n):
        client = signup(f"client{i}")
        c = completed_contract(client, worker)
        assert rate(client, c["id"], 1 + i % 5, f"コメント{i}").status_code == 201
        assert rate(worker, c["id"], 5).status_code == 201
        other = make_contract(client, worker)
        fund(client, other)
        end(other["id"], cause=Contract.END_SILENCE, caused_by_id=worker.user_id)
        penalty_mark_issue(user_id=worker.user_id, contract_id=other["id"], kind="unresponsive", reason="無応答")
        make_contract(client, worker)  # and one still open


def _queries_for_profile(viewer, user_id) -> tuple[int, dict]:
    _profile(viewer, user_id)  # the first call of a session may record `last_seen_at`
    with CaptureQueriesContext(connection) as ctx:
        body = _profile(viewer, user_id)
    return len(ctx.captured_queries), body


def test_profile_query_count_does_not_grow_with_contracts(client_api, worker_api):
    viewer = signup("viewer")
    _busy_history(worker_api, 1)
    small, body = _queries_for_profile(viewer, worker_api.user_id)
    assert body["rating_count"] == 1
    _busy_history(worker_api, 5)
    big, body = _queries_for_profile(viewer, worker_api.user_id)
    assert body["rating_count"] == 6
    assert body["contracts"]["total"] == 18
    assert len(body["penalty_marks"]) == 6
    assert body["first_response"]["contracts_measured"] >= 6
    assert big == small
    # Authentication (2) + the user (1) + reputation (5); nothing per contract.
    assert big <= 10


def test_first_response_counts_messages(client_api, worker_api):
    with time_machine.travel(T0, tick=False):
        c = make_contract(client_api, worker_api)
    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        r = worker_api.post(f"/api/contracts/{c['id']}/messages", {"body": "よろしくお願いします。"})
        assert r.status_code == 201, r.content
    with time_machine.travel(T0 + 26 * HOUR, tick=False):
        r = client_api.post(f"/api/contracts/{c['id']}/messages", {"body": "こちらこそ。素材を送ります。"})
        assert r.status_code == 201, r.content
    assert _profile(client_api, worker_api.user_id)["median_first_response_seconds"] == 2 * 3600
    assert _profile(worker_api, client_api.user_id)["median_first_response_seconds"] == 24 * 3600
