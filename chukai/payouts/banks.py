"""Bank and branch names from the `zengin-code` data set (banks.json + one file per bank).

The JSON files are read directly, one bank at a time, instead of importing the
package, which loads every branch of every bank at import.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any


@functools.lru_cache(maxsize=1)
def _data_dir() -> Path | None:
    spec = importlib.util.find_spec("zengin_code")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "source-data" / "data"


@functools.lru_cache(maxsize=1)
def _banks() -> dict[str, Any]:
    base = _data_dir()
    if base is None:
        return {}
    data: dict[str, Any] = json.loads((base / "banks.json").read_text("utf-8"))
    return data


@functools.lru_cache(maxsize=64)
def _branches(bank_code: str) -> dict[str, Any]:
    base = _data_dir()
    path = base / "branches" / f"{bank_code}.json" if base is not None else None
    if path is None or not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def data_version() -> str:
    base = _data_dir()
    return (base / "updated_at").read_text().strip() if base is not None else ""


def bank(code: str) -> dict[str, str] | None:
    """{code, name, kana} of a bank, or None when the data set does not know the code."""
    row = _banks().get(code)
    return {"code": code, "name": row["name"], "kana": row["kana"]} if row else None


def branch(bank_code: str, code: str) -> dict[str, str] | None:
    row = _branches(bank_code).get(code)
    return {"code": code, "name": row["name"], "kana": row["kana"]} if row else None
