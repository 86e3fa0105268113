from __future__ import annotations

from typing import Any

from chukai.errors import Invalid

MAX_JPY = 100_000_000
MAX_MILESTONES = 20


def clean_amount(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid({field: "Must be a whole number of yen."})
    if not 1 <= value <= MAX_JPY:
        raise Invalid({field: f"Must be between ¥1 and ¥{MAX_JPY:,}."})
    return value


def clean_milestones(items: Any, *, allow_empty: bool = False) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise Invalid({"milestones": "Must be a list of {title, amount_jpy}."})
    if not items and not allow_empty:
        raise Invalid({"milestones": "Give at least one milestone."})
    if len(items) > MAX_MILESTONES:
        raise Invalid({"milestones": f"At most {MAX_MILESTONES} milestones."})
    out: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        title = item.get("title") if isinstance(item, dict) else None
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            raise Invalid({f"milestones[{i}].title": "Give a title of 1 to 200 characters."})
        amount = clean_amount(item.get("amount_jpy"), f"milestones[{i}].amount_jpy")
        out.append({"title": title.strip(), "amount_jpy": amount})
    return out
