"""Deadlines of one contract fire in due order whatever happens to workers; leases, heartbeats;
the manual clock answers only once every deadline due on the way is applied (issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from chukai import clock
from chukai.common.models import ManualClock
from chukai.contracts.models import Event
from chukai.deadlines import services as deadline_services
from chukai.deadlines.models import Deadline
from chukai.deadlines.services import (
    deadline_run,
    deadline_schedule,
    deadlines_claim,
    deadlines_heartbeat,
    deadlines_run_due,
)
from tests.conftest import Api, make_contract
from tests.foundation.conftest import refused
from tests.foundation.worker_probe import FLAKY, FLAKY_STATE, PROBE

T0 = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def traveller():
    with time_machine.travel(T0, tick=False) as t:
        yield t


def _fired(contract_id: int) -> list[int]:
    return [
        e.detail["deadline_id"]
        for e in Event.objects.filter(contract_id=contract_id, kind="test_probe_fired").order_by("id")
    ]


def test_a_later_deadline_waits_for_an_earlier_one_a_dead_worker_holds(client_api, worker_api, traveller):
    c = make_contract(client_api, worker_api)
    first, second, third = (
        deadline_schedule(kind=PROBE, due_at=T0 - dt.timedelta(minutes=m), contract_id=c["id"]).pk for m in (3, 2, 1)
    )
    assert deadlines_claim(worker="crashed", now=T0, limit=1) == [first]  # then the process died
    assert deadlines_run_due() == 0  # the later ones wait behind it
    assert set(Deadline.objects.filter(pk__in=(second, third)).values_list("status", flat=True)) == {"pending"}
    traveller.shift(deadline_services.LEASE + dt.timedelta(seconds=1))
    assert deadlines_run_due() == 3  # taken over, then the others, in one pass
    assert _fired(c["id"]) == [first, second, third]
    assert deadline_run(deadline_id=first, worker="crashed") is False  # the zombie does nothing


def test_other_contracts_do_not_wait(client_api, worker_api, traveller):
    a, b = make_contract(client_api, worker_api), make_contract(client_api, worker_api)
    held = deadline_schedule(kind=PROBE, due_at=T0 - dt.timedelta(minutes=2), contract_id=a["id"]).pk
    other = deadline_schedule(kind=PROBE, due_at=T0 - dt.timedelta(minutes=1), contract_id=b["id"]).pk
    assert deadlines_claim(worker="crashed", now=T0, limit=1) == [held]
    assert deadlines_run_due() == 1 and _fired(b["id"]) == [other]


def test_a_row_claimed_out_of_turn_is_given_back(client_api, worker_api, traveller):
    """Even a claim that got past the filter (an older worker, say) does not run out of order:
    under the contract lock the row sees the earlier one unfinished and gives its lease back."""
    c = make_contract(client_api, worker_api)
    early = deadline_schedule(kind=PROBE, due_at=T0 - dt.timedelta(minutes=2), contract_id=c["id"]).pk
    late = deadline_schedule(kind=PROBE, due_at=T0 - dt.timedelta(minutes=1), contract_id=c["id"]).pk
    Deadline.objects.filter(pk=late).update(status="running", leased_by="old", lease_until=T0 + dt.timedelta(minutes=1))
    assert deadline_run(deadline_id=late, worker="old") is False
    row = Deadline.objects.get(pk=late)
    assert (row.status, row.leased_by, row.attempts) == ("pending", "", 0)
    assert deadlines_run_due() == 2 and _fired(c["id"]) == [early, late]


def test_a_failing_deadline_holds_back_the_later_ones_of_its_contract(client_api, worker_api, traveller, monkeypatch):
    monkeypatch.setitem(FLAKY_STATE, "fail", True)
    c = make_contract(client_api, worker_api)
    flaky = deadline_schedule(kind=FLAKY, due_at=T0 - dt.timedelta(minutes=2), contract_id=c["id"]).pk
    probe = deadline_schedule(kind=PROBE, due_at=T0 - dt.timedelta(minutes=1), contract_id=c["id"]).pk
    assert deadlines_run_due() == 0
    assert Deadline.objects.get(pk=probe).status == "pending" and _fired(c["id"]) == []
    monkeypatch.setitem(FLAKY_STATE, "fail", False)
    traveller.shift(dt.timedelta(minutes=1))  # past the back-off
    assert deadlines_run_due() == 2
    assert Deadline.objects.get(pk=flaky).status == "done" and _fired(c["id"]) == [probe]


def test_the_heartbeat_keeps_a_working_worker_s_leases(client_api, worker_api, traveller):
    c = make_contract(client_api, worker_api)
    d = deadline_schedule(kind=PROBE, due_at=T0, contract_id=c["id"]).pk
    assert deadlines_claim(worker="slow", now=T0) == [d]
    for _ in range(4):  # two minutes of work, a beat every 30 s
        traveller.shift(deadline_services.LEASE - dt.timedelta(seconds=1))
        assert deadlines_heartbeat(worker="slow") == 1
        assert deadlines_claim(worker="other", now=clock.now()) == []
    assert deadline_run(deadline_id=d, worker="slow") is True
    assert _fired(c["id"]) == [d]


def test_leases_are_short(settings):
    assert deadline_services.lease() <= dt.timedelta(seconds=30)
    settings.CHUKAI_WORKER_LEASE_SECONDS = 2
    assert deadline_services.lease() == dt.timedelta(seconds=2)
    assert deadline_services.heartbeat_interval() < deadline_services.lease()


# --- the manual clock ---------------------------------------------------------------


@override_settings(CHUKAI_MANUAL_CLOCK=True)
def test_the_clock_answers_after_a_deadline_a_worker_holds(client_api, worker_api, settings):
    """A worker claimed a due row and died before applying it: the clock takes it over when its
    lease runs out (0.3 s here) and answers with it applied, never before."""
    settings.CHUKAI_WORKER_LEASE_SECONDS = 0.3
    anon = Api()
    start = dt.datetime.fromisoformat(anon.get("/api/_clock").json()["now"])
    c = make_contract(client_api, worker_api)
    d = deadline_schedule(kind=PROBE, due_at=start + dt.timedelta(hours=1), contract_id=c["id"]).pk
    later = deadline_schedule(kind=PROBE, due_at=start + dt.timedelta(hours=2), contract_id=c["id"]).pk
    clock.manual_set(start + dt.timedelta(hours=1))
    assert deadlines_claim(worker="crashed", now=clock.now()) == [d]  # then it died
    r = anon.post("/api/_clock", {"advance_seconds": 3 * 3600})
    assert r.status_code == 200 and r.json()["fired"] == 2
    assert _fired(c["id"]) == [d, later]
    assert set(Deadline.objects.filter(pk__in=(d, later)).values_list("status", flat=True)) == {"done"}


@override_settings(CHUKAI_MANUAL_CLOCK=True)
def test_the_clock_never_moves_backwards_nor_past_2100(db):
    anon = Api()
    now = dt.datetime.fromisoformat(anon.get("/api/_clock").json()["now"])
    body = refused(lambda: anon.post("/api/_clock", {"now": (now - dt.timedelta(seconds=1)).isoformat()}), 422)
    assert "only moves forward" in body["fields"]["now"][0]
    refused(lambda: anon.post("/api/_clock", {"now": "2101-01-01T00:00:00+00:00"}), 422)
    refused(lambda: anon.post("/api/_clock", {"now": "9999-12-31T00:00:00+09:00"}), 422)
    assert anon.post("/api/_clock", {"now": now.isoformat()}).status_code == 200  # standing still is fine
    assert anon.post("/api/_clock", {"now": "2100-12-31T00:00:00+00:00"}).status_code == 200
    assert anon.get("/api/_clock").status_code == 200


@override_settings(CHUKAI_MANUAL_CLOCK=True)
def test_the_first_setting_chooses_where_the_clock_starts(db):
    assert not ManualClock.objects.exists()
    anon = Api()
    r = anon.post("/api/_clock", {"now": "2026-09-01T09:00:00+09:00"})
    assert r.status_code == 200
    assert dt.datetime.fromisoformat(r.json()["now"]) == dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    refused(lambda: anon.post("/api/_clock", {"now": "2026-08-31T09:00:00+09:00"}), 422)
