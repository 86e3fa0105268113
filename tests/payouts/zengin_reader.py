"""Reads a Zengin 総合振込 file back, field by field, independently of chukai.payouts.zengin."""

from __future__ import annotations

from typing import Any

HEADER = [
    ("kind", 1),
    ("type_code", 2),
    ("code_class", 1),
    ("company_code", 10),
    ("company_name", 40),
    ("date", 4),
    ("bank_code", 4),
    ("bank_name", 15),
    ("branch_code", 3),
    ("branch_name", 15),
    ("account_type", 1),
    ("account_number", 7),
    ("dummy", 17),
]
DATA = [
    ("kind", 1),
    ("bank_code", 4),
    ("bank_name", 15),
    ("branch_code", 3),
    ("branch_name", 15),
    ("clearing_house", 4),
    ("account_type", 1),
    ("account_number", 7),
    ("holder", 30),
    ("amount", 10),
    ("new_code", 1),
    ("customer_code1", 10),
    ("customer_code2", 10),
    ("transfer_class", 1),
    ("mark", 1),
    ("dummy", 7),
]
TRAILER = [("kind", 1), ("count", 6), ("total", 12), ("dummy", 101)]
END = [("kind", 1), ("dummy", 119)]
LAYOUTS = {b"1": HEADER, b"2": DATA, b"8": TRAILER, b"9": END}


def _split(record: bytes, layout: list[tuple[str, int]]) -> dict[str, Any]:
    assert sum(w for _, w in layout) == 120
    out: dict[str, Any] = {}
    at = 0
    for name, width in layout:
        out[name] = record[at : at + width].decode("shift_jis")
        at += width
    return out


def read(raw: bytes) -> list[dict[str, Any]]:
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(len(line) == 120 for line in lines), [len(line) for line in lines]
    return [_split(line, LAYOUTS[line[:1]]) for line in lines]
