"""The account's papers page (who you are on papers) and the papers list on the contract page."""

from __future__ import annotations

from django.test import Client

from chukai.accounts.models import User
from tests.conftest import Api, make_contract
from tests.payments.helpers import fund


def _web(api: Api) -> Client:
    web = Client()
    web.force_login(User.objects.get(pk=api.user_id))
    return web


def test_account_papers_page_refuses_a_wrong_number_and_saves_a_right_one(worker_api: Api) -> None:
    web = _web(worker_api)
    r = web.get("/account/papers")
    assert r.status_code == 200 and "適格請求書発行事業者登録番号" in r.content.decode()
    r = web.post(
        "/account/papers", {"entity_type": "individual", "legal_name": "", "invoice_registration_number": "T1"}
    )
    assert r.status_code == 422 and "チェックデジット" in r.content.decode()
    assert User.objects.get(pk=worker_api.user_id).invoice_registration_number == ""
    r = web.post(
        "/account/papers",
        {"entity_type": "company", "legal_name": "合同会社ゆき", "invoice_registration_number": "T7000012050002"},
    )
    assert r.status_code == 302
    user = User.objects.get(pk=worker_api.user_id)
    assert (user.entity_type, user.legal_name, user.invoice_registration_number) == (
        "company",
        "合同会社ゆき",
        "T7000012050002",
    )
    assert "/account/papers" in web.get("/account").content.decode()


def test_contract_page_lists_the_readers_papers_and_downloads_them(client_api: Api, worker_api: Api) -> None:
    c = make_contract(client_api, worker_api)
    assert fund(client_api, c, c["milestones"][0]["id"]).status_code == 200
    page = _web(client_api).get(f"/contracts/{c['id']}").content.decode()
    assert 'id="papers"' in page and "領収書" in page and "CK-" in page
    receipt = next(d for d in client_api.get(f"/api/contracts/{c['id']}/documents").json() if d["kind"] == "receipt")
    r = _web(client_api).get(f"/documents/{receipt['id']}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert _web(worker_api).get(f"/documents/{receipt['id']}.pdf").status_code == 404
    mine = _web(client_api).get("/account/papers").content.decode()
    assert receipt["number"] in mine
