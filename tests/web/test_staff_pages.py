"""The support office console through the pages: access, bad input, decision preview before applying."""

from __future__ import annotations

from django.test import Client

from chukai.contracts.models import Milestone
from tests.web.conftest import PASSWORD, page_contract


def _staff(db) -> Client:
    from chukai.accounts.models import User

    User.objects.create_superuser("office@example.com", PASSWORD)
    c = Client()
    r = c.post("/login", {"email": "office@example.com", "password": PASSWORD})
    assert r.status_code == 302
    return c


def test_console_is_staff_only(client_page):
    client, _c, _ = client_page
    # Signed in but not staff: a 403 page (the login page would send them straight back: a loop).
    assert client.get("/staff/").status_code == 403
    r = Client().get("/staff/")  # anonymous: to the login page
    assert r.status_code == 302 and "/login" in r["Location"]


def test_notice_and_decision_with_bad_input_then_preview_then_apply(db, client_page, worker_page):
    from chukai.support.models import OfficialNotice, SupportCase

    client, _c, _ = client_page
    worker, _w, _ = worker_page
    contract_id = page_contract(client, worker, policy="crowdworks")
    m = Milestone.objects.get(contract_id=contract_id)
    client.post(f"/contracts/{contract_id}/milestones/{m.pk}/fund")
    worker.post(f"/contracts/{contract_id}/milestones/{m.pk}/deliver", {"message": "納品"})
    worker.post(f"/contracts/{contract_id}/support", {"kind": "dispute", "body": "検収されません"})
    case = SupportCase.objects.get()
    staff = _staff(db)
    html = staff.get("/staff/").content.decode()
    assert f"/staff/cases/{case.pk}" in html
    r = staff.post(f"/staff/cases/{case.pk}/notice", {"to": "nobody", "body": "", "respond_within_days": "0"})
    assert r.status_code == 422
    assert not OfficialNotice.objects.exists()
    r = staff.post(f"/staff/cases/{case.pk}/decide", {"decision": "split"})
    assert r.status_code == 422 and "受注者への支払額が必要" in r.content.decode()
    r = staff.post(f"/staff/cases/{case.pk}/decide", {"decision": "split", "pay_worker_jpy": "20000"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "確定して適用する" in html and "分割で精算" in html and "¥30,000" in html
    assert Milestone.objects.get(pk=m.pk).status == "delivered"  # a preview moves nothing
    r = staff.post(f"/staff/cases/{case.pk}/decide", {"decision": "split", "pay_worker_jpy": "999999", "confirm": "1"})
    assert r.status_code in (409, 422)
    assert Milestone.objects.get(pk=m.pk).status == "delivered"
    r = staff.post(f"/staff/cases/{case.pk}/decide", {"decision": "split", "pay_worker_jpy": "20000", "confirm": "1"})
    assert r.status_code == 302
    assert Milestone.objects.get(pk=m.pk).status == "settled"
    assert SupportCase.objects.get().status == "closed"
    assert "判断しました" in staff.get(f"/staff/cases/{case.pk}").content.decode()


def test_dashboard_charts_render(db):
    staff = _staff(db)
    html = staff.get("/staff/dashboard").content.decode()
    assert html.count("<svg") == 3
    assert "週ごとの連絡催促申請の件数" in html
