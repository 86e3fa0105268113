"""Whenever money reaches a user they are told the exact amount and why, in the app and by email
(DOMAIN §10): each settlement path, the payout and the returned transfer."""

from __future__ import annotations

from chukai.accounts.models import User
from chukai.messaging import outbox
from chukai.messaging.models import Notification, OutboxEmail
from tests.conftest import make_contract, signup
from tests.payouts.helpers import earn, put_account, staff, withdraw
from tests.stories.helpers import say
from tests.support.helpers import decide, funded, open_case


def _told(user_id: int, kind: str = "payment_received") -> list[tuple[str, str, str, str]]:
    """(title, body) of each notification and (subject, body) of its email, oldest first."""
    notes = list(Notification.objects.filter(user_id=user_id, kind=kind).order_by("id"))
    mails = list(OutboxEmail.objects.filter(user_id=user_id, kind=kind).order_by("id"))
    assert len(notes) == len(mails)
    return [(n.title, n.body, m.subject, m.body) for n, m in zip(notes, mails, strict=True)]


def _says(told: tuple[str, str, str, str], *parts: str) -> None:
    for part in parts:
        assert part in told[0] + told[1], (part, told[0], told[1])
        assert part in told[2] + told[3], (part, told[2], told[3])


def test_release_tells_the_worker_the_amount_and_why_in_their_language(clock):
    client = signup("client")
    ja_worker, en_worker = signup("worker"), signup("worker", locale="en")
    earn(client, ja_worker, 50_000, policy="chukai")  # worker fee 10 %
    earn(client, en_worker, 50_000, policy="chukai")
    (ja,) = _told(ja_worker.user_id)
    assert ja[0].startswith("45,000円が残高に入金されました")
    _says(ja, "45,000円", "検収が完了したため")
    (en,) = _told(en_worker.user_id)
    assert en[0].startswith("¥45,000 added to your balance")
    _says(en, "¥45,000", "the client accepted the work")
    assert _told(client.user_id) == []  # nothing reached the client


def test_auto_acceptance(clock):
    client, worker = signup("client"), signup("worker")
    c = funded(client, worker, policy="chukai", milestones=[{"title": "記事", "amount_jpy": 30_000}])
    assert c["milestones"][0]["status"] == "delivered"
    clock.advance(days=15)
    (told,) = _told(worker.user_id)
    _says(told, "27,000円", "自動検収")


def test_contact_reminder_expiry_pays_the_worker_and_says_so(clock):
    client, worker = signup("client"), signup("worker")
    c = funded(client, worker, policy="lancers", milestones=[{"title": "LP制作", "amount_jpy": 50_000}])
    say(client, c["id"], "よろしくお願いします。")
    clock.advance(days=1)
    say(worker, c["id"], "納品しました。ご確認ください。")
    clock.advance(days=7)
    r = worker.post(f"/api/contracts/{c['id']}/contact-reminders")
    assert r.status_code == 201, r.content
    clock.advance(days=7)
    (told,) = _told(worker.user_id)
    _says(told, "41,750円", "連絡催促申請の期限までに相手方から返答がなかったため")


def test_termination_with_partial_pay_tells_both_sides(clock):
    client, worker = signup("client"), signup("worker")
    c = make_contract(client, worker, policy="chukai", milestones=[{"title": "記事", "amount_jpy": 50_000}])
    mid = c["milestones"][0]["id"]
    assert client.post(f"/api/contracts/{c['id']}/milestones/{mid}/fund").status_code == 200
    r = worker.post(f"/api/contracts/{c['id']}/termination-requests", {"reason": "途中まで", "pay_worker_jpy": 10_000})
    assert r.status_code == 201, r.content
    assert client.post(f"/api/termination-requests/{r.json()['id']}/agree").status_code == 200
    (to_worker,) = _told(worker.user_id)
    (to_client,) = _told(client.user_id)
    _says(to_worker, "9,000円", "精算", "途中終了リクエストが合意されたため")
    _says(to_client, "40,000円", "途中終了リクエストが合意されたため")


def test_a_staff_decision_says_it_was_the_support_office(clock):
    client, worker = signup("client"), signup("worker", locale="en")
    c = funded(client, worker, policy="crowdworks", milestones=[{"title": "設計", "amount_jpy": 50_000}])
    case = open_case(worker, c["id"], "dispute")
    decide(staff(), case["id"], "split", pay_worker_jpy=20_000, reason="作業量に応じて按分")
    (to_worker,) = _told(worker.user_id)
    (to_client,) = _told(client.user_id)
    _says(
        to_worker,
        "¥16,000",
        "a settlement",
        "a decision of the support office (support case #",
        ": a split settlement)",
    )
    _says(to_client, "30,000円", "仮払いの返金", "事務局の判断（サポート案件 #", "：按分による精算）")


def test_payout_and_return_are_told_with_their_amounts_and_the_email_goes_out(clock, smtp):
    client, worker = signup("client"), signup("worker")
    earn(client, worker, 20_000)
    put_account(worker)
    w = withdraw(worker, 10_000).json()
    clock.set("2026-09-29T10:00:00+09:00")
    office = staff()
    batch = office.post("/api/payout-batches", {"pay_date": "2026-09-30"}).json()
    office.post(f"/api/payout-batches/{batch['id']}/confirm")
    (paid,) = _told(worker.user_id, "payout_paid")
    assert paid[0] == f"9,500円を銀行口座へ振り込みました（出金申請 #{w['id']}）"
    _says(paid, "10,000円", "振込手数料500円", "2026年9月30日")
    office.post(f"/api/withdrawals/{w['id']}/return", {"reason": "口座解約済み"})
    (back,) = _told(worker.user_id, "payout_returned")
    _says(back, "10,000円", "口座解約済み", "口座を登録し直して")

    assert outbox.outbox_send_due() >= 2
    address = User.objects.get(pk=worker.user_id).email
    subjects = [str(m["Subject"]).replace("\n", "").strip() for m in smtp.box.to(address)]
    assert paid[2] in subjects and back[2] in subjects
