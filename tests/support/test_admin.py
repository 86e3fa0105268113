"""The queue in Django admin: staff read cases and notices; decisions go through the service."""

from __future__ import annotations

from django.test import Client

from chukai.accounts.models import User
from tests.conftest import Api
from tests.foundation.invariants import assert_ledger_invariants
from tests.stories.helpers import balance
from tests.support.helpers import case, funded, open_case, send_notice


def _admin() -> Client:
    browser = Client()
    browser.force_login(User.objects.create_superuser("admin@example.com", "correct horse battery"))
    return browser


def test_queue_and_case_pages(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api, policy="crowdworks")
    got = open_case(worker_api, c["id"], "unresponsive", "返信がありません")
    send_notice(staff, got["id"], "client")
    browser = _admin()
    r = browser.get("/admin/support/supportcase/")
    assert r.status_code == 200
    assert "awaiting_response" in r.content.decode()
    r = browser.get(f"/admin/support/supportcase/{got['id']}/change/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "返信がありません" in page and "5日以内にご対応ください。" in page
    assert browser.get("/admin/support/officialnotice/").status_code == 200
    # Read-only: no adding or deleting by hand.
    assert browser.get("/admin/support/supportcase/add/").status_code == 403


def test_decide_from_the_admin_action(client_api: Api, worker_api: Api, staff: Api) -> None:
    c = funded(client_api, worker_api, policy="crowdworks")
    got = open_case(worker_api, c["id"])
    browser = _admin()
    r = browser.post(
        "/admin/support/supportcase/",
        {"action": "decide_release_delivered", "_selected_action": [str(got["id"])]},
        follow=True,
    )
    assert r.status_code == 200
    after = case(staff, got["id"])
    assert after["status"] == "closed" and after["decision"] == "release_delivered"
    assert balance(worker_api) == 40_000
    events = staff.get(f"/api/contracts/{c['id']}/timeline").json()
    decided = [e for e in events if e["kind"] == "support_case_decided"]
    assert decided[0]["actor_role"] == "staff"
    assert_ledger_invariants()
    # A refused decision is reported on the page, not raised.
    r = browser.post(
        "/admin/support/supportcase/",
        {"action": "decide_refund_escrow", "_selected_action": [str(got["id"])]},
        follow=True,
    )
    assert r.status_code == 200 and "This support case is closed." in r.content.decode()
