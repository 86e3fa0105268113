"""Bank accounts (DOMAIN §10): validation field by field, half-width kana, names from zengin-code, masking."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from chukai.payouts.models import BankAccount
from tests.conftest import signup
from tests.foundation.conftest import refused
from tests.payouts.helpers import ACCOUNT, put_account

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("bank_code", "001", "4桁"),
        ("bank_code", "00001", "4 digits"),
        ("bank_code", "abcd", "4桁"),
        ("bank_code", "9899", "No bank has this code"),
        ("branch_code", "01", "3桁"),
        ("branch_code", "1234", "3 digits"),
        ("branch_code", "998", "no branch with this code"),
        ("account_type", "current", "普通・当座・貯蓄"),
        ("account_type", "", "ordinary, checking or savings"),
        ("account_number", "12345678", "7桁以内"),
        ("account_number", "", "up to 7 digits"),
        ("account_number", "12-3456", "7桁以内"),
        ("holder_kana", "", "口座名義"),
        ("holder_kana", "   ", "katakana"),
        ("holder_kana", "やまだ たろう", "ひらがな"),
        ("holder_kana", "山田太郎", "カタカナ・英数字"),
        ("holder_kana", "ﾔﾏﾀﾞ!ﾀﾛｳ", "( ) . - / ,"),
        ("holder_kana", "ア" * 31, "30"),
    ],
)
def test_each_wrong_field_is_refused_with_its_own_message(field, value, says):
    worker = signup("worker")
    body = refused(lambda: put_account(worker, **{field: value}), 422)
    assert list(body["fields"]) == [field]
    message = body["fields"][field][0]  # an English msgid; the pages show its Japanese translation
    with translation.override("ja"):
        ja = gettext(message)
    assert ja != message, message
    assert says in message or says in ja, (message, ja)
    assert not BankAccount.objects.exists()


def test_several_wrong_fields_are_all_named():
    worker = signup("worker")
    body = refused(lambda: put_account(worker, bank_code="1", account_number="x", holder_kana="漢字"), 422)
    assert set(body["fields"]) == {"bank_code", "account_number", "holder_kana"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"),  # full-width katakana and an ideographic space
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ"),  # already half-width
        ("カ）チュウカイ", "ｶ)ﾁﾕｳｶｲ"),  # full-width bracket; small ュ written large as banks do
        ("ｶﾌﾞｼｷｶﾞｲｼｬ ﾊﾟｰﾄﾅｰｽﾞ", "ｶﾌﾞｼｷｶﾞｲｼﾔ ﾊﾟ-ﾄﾅ-ｽﾞ"),  # long-vowel mark becomes "-"
        ("ＡＢＣ　ｼｮｳｼﾞ．", "ABC ｼﾖｳｼﾞ."),  # full-width letters and dot
        ("smith john", "SMITH JOHN"),  # bank files have upper-case letters only
    ],
)
def test_holder_names_are_stored_in_half_width_bank_form(typed, stored):
    worker = signup("worker")
    r = put_account(worker, holder_kana=typed)
    assert r.status_code == 200, r.content
    assert r.json()["holder_kana"] == stored


def test_codes_and_number_are_normalised_and_names_come_from_the_data_set():
    worker = signup("worker")
    r = put_account(worker, bank_code="０００５", branch_code="００１", account_number="４５６")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["bank_code"], body["branch_code"]) == ("0005", "001")
    assert body["bank_name"] == "三菱ＵＦＪ"
    assert body["branch_name"] == "本店"
    assert body["account_number"] == "0000456"  # zero-padded to 7, shown in full to its owner
    assert body["account_number_masked"] == "****456"
    stored = BankAccount.objects.get()
    assert (stored.bank_name_kana, stored.branch_name_kana) == ("ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ", "ﾎﾝﾃﾝ")


def test_get_is_404_before_registration_then_the_account_and_replacing_keeps_one_current():
    worker = signup("worker")
    assert worker.get("/api/me/bank-account").status_code == 404
    assert put_account(worker).status_code == 200
    assert put_account(worker, account_number="7654321", account_type="savings").status_code == 200
    got = worker.get("/api/me/bank-account").json()
    assert (got["account_number_masked"], got["account_type"]) == ("****321", "savings")
    assert BankAccount.objects.filter(user_id=worker.user_id).count() == 2
    assert BankAccount.objects.filter(user_id=worker.user_id, replaced_at__isnull=True).count() == 1


def test_an_account_is_only_ever_shown_to_its_owner():
    owner, other = signup("worker"), signup("other")
    put_account(owner)
    assert other.get("/api/me/bank-account").status_code == 404
    assert ACCOUNT["account_number"] not in other.get("/api/me/balance").content.decode()


def test_missing_fields_are_422():
    worker = signup("worker")
    r = worker.client.put(
        "/api/me/bank-account",
        data={"bank_code": "0001"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {worker.token}",
    )
    assert r.status_code == 422
    assert r.json()["code"] == "invalid"
