"""The Zengin 総合振込 transfer file (全銀協規定フォーマット): 120-byte records, Shift_JIS, CRLF.

Header `1` (the platform's account), one data record `2` per transfer (the net
amount), trailer `8` (count and total), end `9`. Text fields are half-width
katakana, left-aligned and padded with spaces; numbers right-aligned, zero-padded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from chukai.payouts.kana import to_bank_kana

RECORD = 120
ENCODING = "shift_jis"


@dataclass(frozen=True)
class Transfer:
    bank_code: str
    bank_name_kana: str
    branch_code: str
    branch_name_kana: str
    account_type: str  # 1 普通, 2 当座, 4 貯蓄
    account_number: str
    holder_kana: str
    amount_jpy: int
    customer_code: str  # our withdrawal id, so the bank's return notice can be matched


def _text(value: str, width: int) -> bytes:
    raw = to_bank_kana(value).encode(ENCODING, errors="replace")[:width]
    return raw.ljust(width, b" ")


def _num(value: int | str, width: int) -> bytes:
    text = str(value)
    if not text.isdigit() or len(text) > width:
        raise ValueError(f"{value!r} does not fit {width} digits")
    return text.rjust(width, "0").encode("ascii")


def _record(*parts: bytes) -> bytes:
    line = b"".join(parts)
    assert len(line) == RECORD, len(line)
    return line + b"\r\n"


def header(*, transfer_date: dt.date) -> bytes:
    s = settings
    return _record(
        b"1",  # データ区分: header
        b"21",  # 種別コード: 総合振込
        b"0",  # コード区分: JIS (Shift_JIS)
        _num(s.CHUKAI_ZENGIN_COMPANY_CODE, 10),  # 振込依頼人コード
        _text(s.CHUKAI_ZENGIN_COMPANY_NAME, 40),  # 振込依頼人名
        _num(f"{transfer_date:%m%d}", 4),  # 取組日 MMDD
        _num(s.CHUKAI_ZENGIN_BANK_CODE, 4),  # 仕向銀行番号
        _text("", 15),  # 仕向銀行名 (optional)
        _num(s.CHUKAI_ZENGIN_BRANCH_CODE, 3),  # 仕向支店番号
        _text("", 15),  # 仕向支店名 (optional)
        _num(s.CHUKAI_ZENGIN_ACCOUNT_TYPE, 1),  # 預金種目（依頼人）
        _num(s.CHUKAI_ZENGIN_ACCOUNT_NUMBER, 7),  # 口座番号（依頼人）
        b" " * 17,  # ダミー
    )


def data(t: Transfer) -> bytes:
    return _record(
        b"2",  # データ区分: data
        _num(t.bank_code, 4),  # 被仕向銀行番号
        _text(t.bank_name_kana, 15),  # 被仕向銀行名
        _num(t.branch_code, 3),  # 被仕向支店番号
        _text(t.branch_name_kana, 15),  # 被仕向支店名
        b" " * 4,  # 手形交換所番号 (unused)
        _num(t.account_type, 1),  # 預金種目
        _num(t.account_number, 7),  # 口座番号
        _text(t.holder_kana, 30),  # 受取人名
        _num(t.amount_jpy, 10),  # 振込金額
        b"0",  # 新規コード
        _num(t.customer_code, 10),  # 顧客コード1
        b" " * 10,  # 顧客コード2
        b"7",  # 振込指定区分: テレ振込
        b" ",  # 識別表示
        b" " * 7,  # ダミー
    )


def trailer(*, count: int, total: int) -> bytes:
    return _record(b"8", _num(count, 6), _num(total, 12), b" " * 101)


def end() -> bytes:
    return _record(b"9", b" " * 119)


def transfer_file(*, transfer_date: dt.date, transfers: Iterable[Transfer]) -> bytes:
    items = list(transfers)
    body = b"".join(data(t) for t in items)
    return (
        header(transfer_date=transfer_date)
        + body
        + trailer(count=len(items), total=sum(t.amount_jpy for t in items))
        + end()
    )
