"""The Zengin 総合振込 file, read back field by field by an independent reader."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from chukai.payouts import zengin
from chukai.payouts.models import PayoutBatch, Withdrawal
from chukai.payouts.services import payout_batch_zengin
from tests.conftest import signup
from tests.payouts.helpers import earn, put_account, staff, withdraw
from tests.payouts.zengin_reader import read

PEOPLE = [
    # (bank, branch, type, number typed, name typed, name in the file, amount)
    ("0001", "001", "ordinary", "1234567", "ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ", 10_000),
    ("0005", "001", "checking", "89", "カ）ガッコウホウジン　パーク", "ｶ)ｶﾞﾂｺｳﾎｳｼﾞﾝ ﾊﾟ-ｸ", 12_345),
    ("0009", "001", "savings", "7654321", "ｽｽﾞｷ ﾊﾅｺ", "ｽｽﾞｷ ﾊﾅｺ", 1_000),
]


def test_batch_file_parsed_back_field_by_field(clock, settings):
    settings.CHUKAI_ZENGIN_COMPANY_CODE = "0000012345"
    settings.CHUKAI_ZENGIN_COMPANY_NAME = "ﾁﾕｳｶｲ(ｶ"
    settings.CHUKAI_ZENGIN_BANK_CODE = "0005"
    settings.CHUKAI_ZENGIN_BRANCH_CODE = "123"
    settings.CHUKAI_ZENGIN_ACCOUNT_NUMBER = "0001111"
    client = signup("client")
    ids = []
    for bank, branch, kind, number, typed, _, amount in PEOPLE:
        worker = signup("worker")
        earn(client, worker, 20_000)
        r = put_account(
            worker, bank_code=bank, branch_code=branch, account_type=kind, account_number=number, holder_kana=typed
        )
        assert r.status_code == 200, r.content
        ids.append(withdraw(worker, amount).json()["id"])
    clock.set("2026-09-28T10:00:00+09:00")
    office = staff()
    batch = office.post("/api/payout-batches", {"pay_date": "2026-09-30"}).json()
    raw = office.get(f"/api/payout-batches/{batch['id']}/zengin").content

    assert raw.count(b"\r\n") == 6 and b"\n" not in raw.replace(b"\r\n", b"")
    records = read(raw)
    assert [r["kind"] for r in records] == ["1", "2", "2", "2", "8", "9"]
    head = records[0]
    assert (head["type_code"], head["code_class"], head["company_code"]) == ("21", "0", "0000012345")
    assert head["company_name"] == "ﾁﾕｳｶｲ(ｶ".ljust(40)
    assert head["date"] == "0930"
    assert (head["bank_code"], head["branch_code"], head["account_type"], head["account_number"]) == (
        "0005",
        "123",
        "1",
        "0001111",
    )
    assert head["dummy"] == " " * 17

    nets = []
    for rec, (bank, branch, kind, number, _, name, amount), wid in zip(records[1:4], PEOPLE, ids, strict=True):
        assert rec["bank_code"] == bank and rec["branch_code"] == branch
        assert rec["account_type"] == {"ordinary": "1", "checking": "2", "savings": "4"}[kind]
        assert rec["account_number"] == number.zfill(7)
        assert rec["holder"] == name.ljust(30)
        assert rec["amount"] == str(amount - 500).zfill(10)
        assert int(rec["customer_code1"]) == wid
        assert rec["transfer_class"] == "7" and rec["clearing_house"] == "    "
        assert all("ｦ" <= ch <= "ﾟ" or ch in " -()." or ch.isupper() for ch in rec["bank_name"].strip())
        nets.append(amount - 500)
    assert records[1]["bank_name"].strip() == "ﾐｽﾞﾎ" and records[1]["branch_name"].strip() == "ﾄｳｷﾖｳ"
    assert int(records[4]["count"]) == 3 and int(records[4]["total"]) == sum(nets) == batch["total_jpy"]
    assert records[4]["dummy"] == " " * 101 and records[5]["dummy"] == " " * 119
    assert Withdrawal.objects.filter(status="in_batch").count() == 3


def test_long_names_are_cut_to_the_field_and_numbers_that_do_not_fit_are_refused():
    t = zengin.Transfer(
        bank_code="0001",
        bank_name_kana="ｱ" * 40,
        branch_code="001",
        branch_name_kana="ｲ" * 40,
        account_type="1",
        account_number="1234567",
        holder_kana="ｳ" * 40,
        amount_jpy=9_999_999_999,
        customer_code="1",
    )
    data = read(zengin.header(transfer_date=dt.date(2030, 6, 28)) + zengin.data(t))[1]
    assert data["bank_name"] == "ｱ" * 15 and data["holder"] == "ｳ" * 30
    with pytest.raises(ValueError, match="does not fit 10 digits"):
        zengin.data(dataclasses.replace(t, amount_jpy=10_000_000_000))


def test_an_empty_batch_file_still_has_header_trailer_and_end(db):
    raw = zengin.transfer_file(transfer_date=dt.date(2030, 1, 15), transfers=[])
    assert [r["kind"] for r in read(raw)] == ["1", "8", "9"]
    assert read(raw)[1]["count"] == "000000" and read(raw)[1]["total"] == "0" * 12


def test_the_service_and_the_api_give_the_same_bytes(clock):
    client, worker = signup("client"), signup("worker")
    earn(client, worker, 20_000)
    put_account(worker)
    withdraw(worker, 3_000)
    clock.set("2026-09-28T10:00:00+09:00")
    office = staff()
    batch = office.post("/api/payout-batches", {"pay_date": "2026-09-30"}).json()
    assert (
        payout_batch_zengin(batch=PayoutBatch.objects.get())
        == office.get(f"/api/payout-batches/{batch['id']}/zengin").content
    )
