"""Only a missing body marks every notification read; a body that is not an object is refused."""

import pytest

from tests.conftest import make_contract


@pytest.mark.parametrize("raw", ["123", '"x"', "[]", "null"])
def test_odd_bodies_are_refused_and_mark_nothing(client_api, worker_api, raw):
    make_contract(client_api, worker_api)  # the worker gets a "contract formed" notification
    r = worker_api.client.post(
        "/api/me/notifications/read",
        data=raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {worker_api.token}",
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    items = worker_api.get("/api/me/notifications").json()
    items = items["items"] if isinstance(items, dict) else items
    assert items and all(n["read_at"] is None for n in items)
    assert worker_api.post("/api/me/notifications/read").json()["marked"] == len(items)
