from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from chukai.contracts.models import Contract
from chukai.deadlines.models import Deadline
from chukai.deadlines.services import deadlines_run_due
from chukai.reputation.models import Rating
from tests.conftest import make_contract, signup
from tests.reputation.helpers import completed_contract, end, fund, rate

T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
WINDOW = dt.timedelta(days=14)


def _actions(api, contract_id):
    return api.get(f"/api/contracts/{contract_id}").json()["actions"]


def test_rating_waits_for_the_end_of_the_contract(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    r = rate(worker_api, c["id"], 5, "ありがとうございました")
    assert r.status_code == 409
    assert r.json()["code"] == "invalid_state"
    assert _actions(worker_api, c["id"])["rate"] == {
        "available": False,
        "reason": "invalid_state",
        "available_at": None,
    }
    assert not Rating.objects.exists()


def test_bad_input_is_422_and_stores_nothing(client_api, worker_api):
    c = completed_contract(client_api, worker_api)
    path = f"/api/contracts/{c['id']}/ratings"
    for body, field in (
        ({"stars": 0}, "stars"),
        ({"stars": 6}, "stars"),
        ({"stars": "five"}, "stars"),
        ({"stars": True}, "stars"),
        ({"stars": 3.5}, "stars"),
        ({}, "stars"),
        ({"stars": 4, "comment": "あ" * 2001}, "comment"),
    ):
        r = worker_api.post(path, body)
        assert r.status_code == 422, (body, r.content)
        assert r.json()["code"] == "invalid"
        assert field in r.json()["fields"], (body, r.json())
    assert not Rating.objects.exists()
    ok = worker_api.post(path, {"stars": 4, "comment": "あ" * 2000})
    assert ok.status_code == 201, ok.content
    assert len(ok.json()["comment"]) == 2000


def test_only_parties_rate(client_api, worker_api, staff_api):
    c = completed_contract(client_api, worker_api)
    stranger = signup("stranger")
    assert rate(stranger, c["id"], 1).status_code == 404
    assert rate(staff_api, c["id"], 1).status_code == 403
    assert _actions(staff_api, c["id"])["rate"]["reason"] == "not_your_role"
    assert not Rating.objects.exists()


def test_both_submitted_reveals_both_at_once(client_api, worker_api, notified):
    c = completed_contract(client_api, worker_api)
    cid = c["id"]
    assert _actions(worker_api, cid)["rate"]["available"] is True
    deadline = Deadline.objects.get(contract_id=cid, kind="rating_window_close")
    assert deadline.status == "pending"

    first = rate(worker_api, cid, 2, "連絡が遅かったです")
    assert first.status_code == 201, first.content
    assert first.json()["revealed"] is False
    assert _actions(worker_api, cid)["rate"]["reason"] == "already_rated"
    assert _actions(client_api, cid)["rate"]["available"] is True
    # The author sees their own; the other party sees nothing yet.
    assert [r["stars"] for r in worker_api.get(f"/api/contracts/{cid}/ratings").json()["ratings"]] == [2]
    assert client_api.get(f"/api/contracts/{cid}/ratings").json()["ratings"] == []
    assert not [n for n in notified if n["kind"] == "ratings_revealed"]

    second = rate(client_api, cid, 5, "丁寧な納品でした")
    assert second.status_code == 201, second.content
    assert second.json()["revealed"] is True

    for api in (client_api, worker_api):
        seen = api.get(f"/api/contracts/{cid}/ratings").json()["ratings"]
        assert sorted((r["rater_role"], r["stars"]) for r in seen) == [("client", 5), ("worker", 2)]
        assert all(r["revealed_at"] == seen[0]["revealed_at"] for r in seen)
    revealed = [n for n in notified if n["kind"] == "ratings_revealed"]
    assert sorted(n["user_id"] for n in revealed) == sorted([client_api.user_id, worker_api.user_id])
    assert all(n["trigger"] == "both_submitted" for n in revealed)
    deadline.refresh_from_db()
    assert deadline.status == "cancelled"  # nothing left to reveal at the close
    timeline = client_api.get(f"/api/contracts/{cid}/timeline").json()
    assert [e["detail"]["rater_roles"] for e in timeline if e["kind"] == "ratings_revealed"] == [["client", "worker"]]
    assert client_api.get(f"/api/users/{worker_api.user_id}/profile").json()["rating_average"] == 5.0
    assert worker_api.get(f"/api/users/{client_api.user_id}/profile").json()["rating_count"] == 1


def test_each_party_rates_once(client_api, worker_api):
    c = completed_contract(client_api, worker_api)
    assert rate(worker_api, c["id"], 4).status_code == 201
    again = rate(worker_api, c["id"], 1, "やっぱり")
    assert again.status_code == 409
    assert again.json()["code"] == "already_rated"
    assert list(Rating.objects.values_list("stars", flat=True)) == [4]


def test_idempotency_key_returns_the_first_rating(client_api, worker_api):
    c = completed_contract(client_api, worker_api)
    path = f"/api/contracts/{c['id']}/ratings"
    a = worker_api.post(path, {"stars": 4}, headers={"Idempotency-Key": "rate-1"})
    b = worker_api.post(path, {"stars": 4}, headers={"Idempotency-Key": "rate-1"})
    assert a.status_code == b.status_code == 201
    assert a.json() == b.json()
    assert Rating.objects.count() == 1


def test_window_close_reveals_a_lone_rating_as_of_its_due_time(client_api, worker_api, notified):
    with time_machine.travel(T0, tick=False):
        c = completed_contract(client_api, worker_api)
        cid = c["id"]
        assert c["ended_at"] is not None
        detail = worker_api.get(f"/api/contracts/{cid}").json()
        # The window outlives the contract: shown with its exact close.
        assert {"kind": "rating_window_close", "due_at": (T0 + WINDOW).isoformat().replace("+00:00", "Z")} in [
            {"kind": d["kind"], "due_at": d["due_at"]} for d in detail["deadlines"]
        ]
        assert rate(client_api, cid, 1, "納期遅れ").status_code == 201

    with time_machine.travel(T0 + WINDOW - dt.timedelta(seconds=1), tick=False):
        assert deadlines_run_due() == 0
        assert worker_api.get(f"/api/contracts/{cid}/ratings").json()["ratings"] == []
        assert worker_api.get(f"/api/users/{worker_api.user_id}/profile").json()["rating_count"] == 0

    # The worker process was down for two days: the reveal still happens as of the close.
    with time_machine.travel(T0 + WINDOW + dt.timedelta(days=2), tick=False):
        assert deadlines_run_due() == 1
        seen = worker_api.get(f"/api/contracts/{cid}/ratings").json()
        assert [(r["rater_role"], r["stars"]) for r in seen["ratings"]] == [("client", 1)]
        assert Rating.objects.get().revealed_at == T0 + WINDOW
        profile = client_api.get(f"/api/users/{worker_api.user_id}/profile").json()
        assert (profile["rating_count"], profile["rating_average"]) == (1, 1.0)
        assert profile["ratings"][0]["comment"] == "納期遅れ"
        assert profile["ratings"][0]["rater_role"] == "client"
        late = rate(worker_api, cid, 5)
        assert late.status_code == 409
        assert late.json()["code"] == "rating_window_closed"
        assert _actions(worker_api, cid)["rate"]["reason"] == "rating_window_closed"
        assert deadlines_run_due() == 0
    revealed = [n for n in notified if n["kind"] == "ratings_revealed"]
    assert sorted(n["user_id"] for n in revealed) == sorted([client_api.user_id, worker_api.user_id])
    assert {n["trigger"] for n in revealed} == {"window_closed"}


def test_window_close_without_ratings_changes_nothing(client_api, worker_api, notified):
    with time_machine.travel(T0, tick=False):
        c = completed_contract(client_api, worker_api)
    with time_machine.travel(T0 + WINDOW, tick=False):
        assert deadlines_run_due() == 1
        timeline = client_api.get(f"/api/contracts/{c['id']}/timeline").json()
    assert not [e for e in timeline if e["kind"] == "ratings_revealed"]
    assert not [n for n in notified if n["kind"] == "ratings_revealed"]


def test_window_is_counted_from_the_end_and_is_the_last_instant_exclusive(client_api, worker_api):
    with time_machine.travel(T0, tick=False):
        c = make_contract(client_api, worker_api)
        fund(client_api, c)
    ended = T0 + dt.timedelta(days=30)
    with time_machine.travel(ended, tick=False):
        end(c["id"], cause=Contract.END_AGREEMENT, caused_by_id=None)
    with time_machine.travel(ended + WINDOW - dt.timedelta(microseconds=1), tick=False):
        assert rate(worker_api, c["id"], 3).status_code == 201
    with time_machine.travel(ended + WINDOW, tick=False):
        r = rate(client_api, c["id"], 3)
        assert r.status_code == 409
        assert r.json()["code"] == "rating_window_closed"


def test_contract_ended_by_a_rule_opens_the_window_too(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    fund(client_api, c)
    end(c["id"], cause=Contract.END_SILENCE, caused_by_id=client_api.user_id)
    assert Deadline.objects.filter(contract_id=c["id"], kind="rating_window_close", status="pending").count() == 1
    assert rate(worker_api, c["id"], 1, "連絡が途絶えました").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_simultaneous_ratings_reveal_once(client_api, worker_api):
    """Both parties rate at the same instant: one reveal, both ratings visible (PostgreSQL locks)."""
    import threading

    from django.db import connection

    from tests.conftest import is_postgres

    if not is_postgres():
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    c = completed_contract(client_api, worker_api)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def go(api, stars):
        try:
            barrier.wait()
            codes.append(rate(api, c["id"], stars).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(a, s)) for a, s in ((client_api, 5), (worker_api, 4))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [201, 201]
    assert Rating.objects.filter(revealed_at__isnull=False).count() == 2
    timeline = client_api.get(f"/api/contracts/{c['id']}/timeline").json()
    assert len([e for e in timeline if e["kind"] == "ratings_revealed"]) == 1


def test_reveal_reaches_both_notification_lists_in_their_language(client_api, worker_api):
    english = signup("worker", locale="en")
    c = completed_contract(client_api, english)
    assert rate(english, c["id"], 5, "Great client").status_code == 201
    for api in (client_api, english):
        kinds = [n["kind"] for n in api.get("/api/me/notifications").json()]
        assert "ratings_revealed" not in kinds
    assert rate(client_api, c["id"], 4, "良い仕事でした").status_code == 201
    ja = [n for n in client_api.get("/api/me/notifications").json() if n["kind"] == "ratings_revealed"]
    en = [n for n in english.get("/api/me/notifications").json() if n["kind"] == "ratings_revealed"]
    assert len(ja) == len(en) == 1
    assert ja[0]["contract_id"] == en[0]["contract_id"] == c["id"]
    assert "評価が公開されました" in ja[0]["title"] and c["title"] in ja[0]["title"]
    assert en[0]["title"].startswith("Ratings for")
