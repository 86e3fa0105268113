from tests.conftest import make_contract


def test_lifecycle_smoke(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    assert c["status"] == "awaiting_escrow"
    mid = c["milestones"][0]["id"]
    r = client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/fund")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "in_progress"
    assert r.json()["escrow_jpy"] == 50_000
    r = worker_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/deliver", {"message": "納品します"})
    assert r.status_code == 200, r.content
    assert r.json()["deadlines"][0]["kind"] == "auto_accept"
    r = client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/accept")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "completed"
    assert worker_api.get("/api/me").json()["balance_jpy"] == 45_000


def test_unknown_api_path_is_a_problem(client_api):
    r = client_api.get("/api/no-such-thing")
    assert r.status_code == 404
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "not_found"


def test_worker_is_told_when_escrow_is_funded(client_api, worker_api):
    c = make_contract(client_api, worker_api)
    mid = c["milestones"][0]["id"]
    assert client_api.post(f"/api/contracts/{c['id']}/milestones/{mid}/fund").status_code == 200
    items = worker_api.get("/api/me/notifications").json()
    items = items["items"] if isinstance(items, dict) else items
    funded = [n for n in items if n["kind"] == "milestone_funded"]
    assert len(funded) == 1 and funded[0]["contract_id"] == c["id"]
    assert "仮払いが完了しました" in funded[0]["title"] and "50000" in funded[0]["title"].replace(",", "")
