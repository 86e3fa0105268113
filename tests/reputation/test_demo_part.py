from __future__ import annotations

from chukai import clock
from chukai.common import demo as demo_data
from chukai.deadlines.services import deadlines_run_due
from chukai.reputation.demo import PENALTY_TITLE, PENDING_TITLE, reputation_demo
from chukai.reputation.models import PenaltyMark, Rating
from tests.conftest import Api


def _login(email: str) -> Api:
    r = Api().post("/api/auth/token", {"email": email, "password": demo_data.PASSWORD})
    assert r.status_code == 200, r.content
    return Api(r.json()["token"])


def test_demo_shows_a_hidden_rating_and_a_penalty_mark(db):
    client, worker, staff = demo_data.users_ensure()
    d = demo_data.Demo(client=client, worker=worker, staff=staff, now=clock.now().replace(microsecond=0))
    reputation_demo(d)
    while deadlines_run_due(limit=100):
        pass
    reputation_demo(d)  # loading twice adds nothing
    assert d.skipped == []

    hidden = Rating.objects.get(contract__title=PENDING_TITLE)
    assert hidden.revealed_at is None and hidden.rater_id == client.pk
    as_worker = _login(demo_data.WORKER_EMAIL)
    pending = as_worker.get(f"/api/contracts/{hidden.contract_id}").json()
    assert pending["actions"]["rate"]["available"] is True
    assert "rating_window_close" in [x["kind"] for x in pending["deadlines"]]
    assert as_worker.get(f"/api/users/{worker.pk}/profile").json()["rating_count"] == 0

    mark = PenaltyMark.objects.get(contract__title=PENALTY_TITLE)
    assert mark.user_id == client.pk and mark.kind == "unresponsive"
    profile = as_worker.get(f"/api/users/{client.pk}/profile").json()
    assert [m["contract_id"] for m in profile["penalty_marks"]] == [mark.contract_id]
    assert profile["completion"]["ended_by_you"] == 1
    worker_side = as_worker.get(f"/api/users/{worker.pk}/profile").json()
    assert worker_side["completion"]["ended_by_other_party"] == 1
    assert worker_side["penalty_marks"] == []
