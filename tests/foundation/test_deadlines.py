"""Durable deadlines: auto-acceptance, reminders, failures and retries, the manual clock, business days."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from chukai import clock
from chukai.contracts import hooks
from chukai.contracts.models import Event, Milestone
from chukai.deadlines import services as deadline_services
from chukai.deadlines.models import Deadline
from chukai.deadlines.services import deadline_schedule, deadlines_run_due
from chukai.policies.calendar import add_days, is_business_day
from tests.conftest import Api, make_contract
from tests.foundation.conftest import refused
from tests.foundation.invariants import assert_ledger_invariants
from tests.foundation.worker_probe import FLAKY, FLAKY_STATE, PROBE

JST = dt.timezone(dt.timedelta(hours=9))
T0 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=JST)
ACCEPTANCE = ("auto_accept", "acceptance_due", "acceptance_reminder")


@pytest.fixture
def notified():
    seen: list[tuple[str, int, dt.datetime, dict]] = []

    def record(*, contract, user_id, kind, params):
        seen.append((kind, user_id, clock.now(), params))

    hooks.on_notify(record)
    yield seen
    hooks._notify.remove(record)


@pytest.fixture
def traveller():
    with time_machine.travel(T0, tick=False) as t:
        yield t


def _delivered(client_api, worker_api, policy):
    c = make_contract(client_api, worker_api, policy=policy)
    mid = c["milestones"][0]["id"]
    client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/fund")
    r = worker_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/deliver")
    assert r.status_code == 200
    return c, mid, r.json()


@pytest.mark.parametrize("policy", ["upwork", "chukai"])
def test_auto_accept_after_14_days_with_reminders(client_api, worker_api, traveller, notified, policy):
    c, mid, body = _delivered(client_api, worker_api, policy)
    due = T0 + dt.timedelta(days=14)
    assert [(d["kind"], dt.datetime.fromisoformat(d["due_at"])) for d in body["deadlines"]] == [("auto_accept", due)]
    traveller.move_to(due - dt.timedelta(seconds=1))
    assert deadlines_run_due() == 2  # the reminders 3 days and 1 day before
    reminders = [(at, uid) for kind, uid, at, _ in notified if kind == "acceptance_reminder"]
    assert reminders == [
        (due - dt.timedelta(days=3), client_api.user_id),
        (due - dt.timedelta(days=1), client_api.user_id),
    ]
    assert Milestone.objects.get(pk=mid).status == "delivered"
    traveller.move_to(due + dt.timedelta(days=2))  # the worker was down: it fires late, as of its due time
    assert deadlines_run_due() == 1
    after = client_api.get(f"/api/contracts/{c['id']}").json()
    assert after["status"] == "completed" and after["milestones"][0]["status"] == "paid"
    assert (
        not [d for d in after["deadlines"] if d["kind"] in ACCEPTANCE]
        and worker_api.get("/api/me").json()["balance_jpy"] == 45_000
    )
    ev = Event.objects.get(contract_id=c["id"], kind="milestone_auto_accepted")
    assert ev.actor_id is None and ev.actor_role == "system" and ev.at == due
    assert Milestone.objects.get(pk=mid).settled_at == due
    assert deadlines_run_due() == 0
    assert_ledger_invariants()


@pytest.mark.parametrize(("policy", "on_lapse"), [("crowdworks", "support"), ("lancers", "nothing")])
def test_no_auto_accept_under_crowdworks_and_lancers(client_api, worker_api, traveller, notified, policy, on_lapse):
    c, mid, body = _delivered(client_api, worker_api, policy)
    assert [d["kind"] for d in body["deadlines"]] == ["acceptance_due"]
    assert not Deadline.objects.filter(contract_id=c["id"], kind="auto_accept").exists()
    traveller.move_to(T0 + dt.timedelta(days=30))
    assert deadlines_run_due() == 1
    assert Milestone.objects.get(pk=mid).status == "delivered"
    lapsed = Event.objects.get(contract_id=c["id"], kind="acceptance_lapsed")
    assert lapsed.detail["on_lapse"] == on_lapse and lapsed.at == T0 + dt.timedelta(days=7)
    assert {uid for kind, uid, _, _ in notified if kind == "acceptance_lapsed"} == {
        client_api.user_id,
        worker_api.user_id,
    }
    assert worker_api.get("/api/me").json()["balance_jpy"] == 0


def test_accept_cancels_the_auto_acceptance(client_api, worker_api, traveller, notified):
    c, mid, _ = _delivered(client_api, worker_api, "chukai")
    traveller.shift(dt.timedelta(days=2))
    client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/accept")
    acceptance = Deadline.objects.filter(contract_id=c["id"], kind__in=ACCEPTANCE)
    assert set(acceptance.values_list("status", flat=True)) == {"cancelled"} and acceptance.count() == 3
    traveller.shift(dt.timedelta(days=30))
    deadlines_run_due()  # other rules of an ended contract (the rating window) may fire
    assert set(acceptance.values_list("status", flat=True)) == {"cancelled"}
    assert not [n for n in notified if n[0] == "acceptance_reminder"]
    assert worker_api.get("/api/me").json()["balance_jpy"] == 45_000  # paid once


def test_revision_cancels_and_redelivery_restarts_the_clock(client_api, worker_api, traveller, notified):
    c, mid, _ = _delivered(client_api, worker_api, "upwork")
    traveller.shift(dt.timedelta(days=10))
    client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/request-revision", {"reason": "直してください"})
    traveller.shift(dt.timedelta(days=10))  # past the first delivery's 14 days
    assert deadlines_run_due() == 0
    assert Milestone.objects.get(pk=mid).status == "escrowed"
    r = worker_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/deliver").json()
    due = T0 + dt.timedelta(days=34)
    assert [(d["kind"], dt.datetime.fromisoformat(d["due_at"])) for d in r["deadlines"]] == [("auto_accept", due)]
    traveller.move_to(due)
    assert deadlines_run_due() == 3
    assert Milestone.objects.get(pk=mid).status == "paid"
    assert len([n for n in notified if n[0] == "acceptance_reminder"]) == 2


def test_handler_rechecks_its_condition(client_api, worker_api, traveller):
    """A running deadline whose cancel came too late must still be a no-op."""
    c, mid, _ = _delivered(client_api, worker_api, "chukai")
    auto = Deadline.objects.get(contract_id=c["id"], kind="auto_accept")
    client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/accept")
    Deadline.objects.filter(pk=auto.pk).update(status="pending")  # as if claimed before the cancel
    traveller.shift(dt.timedelta(days=15))
    deadlines_run_due()
    assert Event.objects.filter(contract_id=c["id"], kind="milestone_auto_accepted").count() == 0
    assert worker_api.get("/api/me").json()["balance_jpy"] == 45_000
    assert_ledger_invariants()


def test_failing_handler_is_recorded_and_retried(client_api, worker_api, traveller, monkeypatch):
    monkeypatch.setitem(FLAKY_STATE, "fail", True)
    c = make_contract(client_api, worker_api)
    d = deadline_schedule(kind=FLAKY, due_at=T0, contract_id=c["id"])
    assert deadlines_run_due() == 0
    row = Deadline.objects.get(pk=d.pk)
    assert (row.status, row.attempts, row.leased_by) == ("pending", 1, "")
    assert "RuntimeError: smtp down (test)" in row.last_error
    assert row.not_before is not None and row.not_before > T0
    assert not Event.objects.filter(kind="test_flaky_fired").exists()  # the handler's writes rolled back
    assert deadlines_run_due() == 0 and Deadline.objects.get(pk=d.pk).attempts == 1  # backing off
    traveller.shift(dt.timedelta(hours=1, seconds=1))
    assert deadlines_run_due() == 0 and Deadline.objects.get(pk=d.pk).attempts == 2
    monkeypatch.setitem(FLAKY_STATE, "fail", False)
    traveller.shift(dt.timedelta(hours=1, seconds=1))
    assert deadlines_run_due() == 1
    row = Deadline.objects.get(pk=d.pk)
    assert (row.status, row.attempts) == ("done", 3)
    assert Event.objects.filter(kind="test_flaky_fired", detail__deadline_id=d.pk).count() == 1


def test_handler_failing_for_good_is_kept_as_failed(client_api, worker_api, traveller, monkeypatch):
    monkeypatch.setitem(FLAKY_STATE, "fail", True)
    monkeypatch.setattr(deadline_services, "MAX_ATTEMPTS", 2)
    c = make_contract(client_api, worker_api)
    d = deadline_schedule(kind=FLAKY, due_at=T0, contract_id=c["id"])
    deadlines_run_due()
    traveller.shift(dt.timedelta(hours=2))
    deadlines_run_due()
    row = Deadline.objects.get(pk=d.pk)
    assert (row.status, row.attempts) == ("failed", 2) and "smtp down" in row.last_error


def test_unknown_kind_is_an_error_not_a_loss(client_api, worker_api, traveller):
    c = make_contract(client_api, worker_api)
    d = deadline_schedule(kind="no_such_kind", due_at=T0, contract_id=c["id"])
    deadlines_run_due()
    row = Deadline.objects.get(pk=d.pk)
    assert row.status == "pending" and "no handler for deadline kind 'no_such_kind'" in row.last_error


def test_expired_lease_is_taken_over(client_api, worker_api, traveller):
    c = make_contract(client_api, worker_api)
    d = deadline_schedule(kind=PROBE, due_at=T0, contract_id=c["id"])
    assert deadline_services.deadlines_claim(worker="crashed", now=T0) == [d.pk]  # then the process died
    assert deadlines_run_due() == 0  # leased
    traveller.shift(deadline_services.LEASE + dt.timedelta(seconds=1))
    assert deadlines_run_due() == 1
    assert deadline_services.deadline_run(deadline_id=d.pk, worker="crashed") is False  # the zombie does nothing
    assert Event.objects.filter(kind="test_probe_fired", detail__deadline_id=d.pk).count() == 1


# --- the manual clock ---------------------------------------------------------------


@override_settings(CHUKAI_MANUAL_CLOCK=True)
def test_manual_clock_fires_due_deadlines_in_due_order(client_api, worker_api):
    anon = Api()
    start = dt.datetime.fromisoformat(anon.get("/api/_clock").json()["now"])
    c = make_contract(client_api, worker_api)
    hours = [3, 1, 2, 30]
    ids = [deadline_schedule(kind=PROBE, due_at=start + dt.timedelta(hours=h), contract_id=c["id"]).pk for h in hours]
    r = anon.post("/api/_clock", {"advance_seconds": int(2.5 * 3600)})
    assert r.status_code == 200 and r.json()["fired"] == 2
    assert dt.datetime.fromisoformat(r.json()["now"]) == start + dt.timedelta(hours=2.5)
    assert dt.datetime.fromisoformat(anon.get("/api/_clock").json()["now"]) == start + dt.timedelta(hours=2.5)
    r = anon.post("/api/_clock", {"now": (start + dt.timedelta(hours=5)).isoformat()})
    assert r.json()["fired"] == 1
    fired = list(Event.objects.filter(kind="test_probe_fired").order_by("id").values_list("detail", "at"))
    assert [d["deadline_id"] for d, _ in fired] == [ids[1], ids[2], ids[0]]
    assert [at for _, at in fired] == [start + dt.timedelta(hours=h) for h in (1, 2, 3)]
    assert Deadline.objects.get(pk=ids[3]).status == "pending"
    # the server's clock (and so every rule) stands still between moves
    assert client_api.get(f"/api/contracts/{c['id']}").status_code == 200
    assert dt.datetime.fromisoformat(anon.get("/api/_clock").json()["now"]) == start + dt.timedelta(hours=5)


@override_settings(CHUKAI_MANUAL_CLOCK=True)
def test_manual_clock_drives_auto_acceptance(client_api, worker_api):
    c, mid, _ = _delivered(client_api, worker_api, "chukai")
    r = Api().post("/api/_clock", {"advance_seconds": 14 * 86400})
    assert r.json()["fired"] == 3  # two reminders, then the acceptance
    assert client_api.get(f"/api/contracts/{c['id']}").json()["status"] == "completed"


@override_settings(CHUKAI_MANUAL_CLOCK=True)
def test_manual_clock_rejects_bad_bodies(db):
    anon = Api()
    refused(lambda: anon.post("/api/_clock", {}), 422)
    refused(lambda: anon.post("/api/_clock", {"advance_seconds": 5, "now": "2027-01-01T00:00:00+09:00"}), 422)
    refused(lambda: anon.post("/api/_clock", {"advance_seconds": -5}), 422)
    refused(lambda: anon.post("/api/_clock", {"now": "2027-01-01T00:00:00"}), 422)


def test_manual_clock_is_off_by_default(db):
    refused(lambda: Api().get("/api/_clock"), 404)
    refused(lambda: Api().post("/api/_clock", {"advance_seconds": 60}), 404)


# --- business days ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        # Friday + 1 business day = Monday, same time of day
        (dt.datetime(2026, 11, 27, 15, 30, tzinfo=JST), 1, dt.datetime(2026, 11, 30, 15, 30, tzinfo=JST)),
        # New Year: offices close 31 Dec - 3 Jan (年末年始), then a weekend
        (dt.datetime(2026, 12, 31, 10, 0, tzinfo=JST), 1, dt.datetime(2027, 1, 4, 10, 0, tzinfo=JST)),
        (dt.datetime(2026, 12, 28, 10, 0, tzinfo=JST), 5, dt.datetime(2027, 1, 6, 10, 0, tzinfo=JST)),
        # Golden Week 2027: 29 April (Thu), 3-5 May (Mon-Wed)
        (dt.datetime(2027, 4, 28, 9, 0, tzinfo=JST), 1, dt.datetime(2027, 4, 30, 9, 0, tzinfo=JST)),
        (dt.datetime(2027, 4, 28, 9, 0, tzinfo=JST), 2, dt.datetime(2027, 5, 6, 9, 0, tzinfo=JST)),
        # a UTC start late in the day is counted on its Tokyo date (Friday 01:00 JST)
        (dt.datetime(2026, 11, 26, 16, 0, tzinfo=dt.UTC), 1, dt.datetime(2026, 11, 30, 1, 0, tzinfo=JST)),
    ],
)
def test_business_days(start, days, end):
    got = add_days(start, days, business=True)
    assert got == end and got.utcoffset() == dt.timedelta(0)


def test_calendar_days_and_holidays():
    start = dt.datetime(2026, 12, 31, 10, 0, tzinfo=JST)
    assert add_days(start, 5) == start + dt.timedelta(days=5)
    assert not is_business_day(dt.date(2027, 1, 1)) and not is_business_day(dt.date(2027, 5, 3))
    assert not is_business_day(dt.date(2026, 12, 31)) and not is_business_day(dt.date(2029, 1, 3))  # 年末年始
    assert not is_business_day(dt.date(2026, 11, 23))  # 勤労感謝の日 (Monday)
    assert is_business_day(dt.date(2026, 11, 24))


def test_chukai_notice_window_is_five_business_days():
    from chukai.policies.rulebooks import current

    notice = current("chukai")["notice"]
    start = dt.datetime(2026, 12, 25, 12, 0, tzinfo=JST)  # Friday
    due = add_days(start, notice["respond_days"], business=notice["business_days"])
    assert due == dt.datetime(2027, 1, 5, 12, 0, tzinfo=JST)  # 28-30 Dec, (31 Dec - 3 Jan closed), 4-5 Jan
