"""The rulebooks (policies) as data, validated when the app starts.

A policy says which remedies of DOMAIN §5 a contract has, their day counts,
the fee schedules and the rating window. A contract keeps a copy of the
version it was formed under, so a later edit never changes a running deal:
to change a rule, add a new version here and keep the old one.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Policy = dict[str, Any]

FLAT_LANCERS_WORKER = {"kind": "flat", "bp": 1650}
FLAT_LANCERS_CLIENT = {"kind": "flat", "bp": 550}
TIERS_CROWDWORKS = {
    "kind": "tiers",
    "tiers": [{"up_to": 100_000, "bp": 2000}, {"up_to": 200_000, "bp": 1000}, {"up_to": None, "bp": 500}],
}
FLAT_10 = {"kind": "flat", "bp": 1000}

RULEBOOKS: list[Policy] = [
    {
        "name": "lancers",
        "version": 1,
        "label": {"ja": "ランサーズ型", "en": "Lancers-style"},
        "summary": {
            "ja": "連絡催促申請あり（7日無応答で申請、7日で自動処理）。検収の自動承認なし。手数料 受注者16.5%・発注者5.5%。",
            "en": "Contact reminder after 7 silent days, settled automatically 7 days later. "
            "No auto-acceptance. Fees: worker 16.5 %, client 5.5 %.",
        },
        "contact_reminder": {"silence_days": 7, "respond_days": 7, "notify_before_days": [3, 1]},
        "termination": None,
        "acceptance": {"review_days": 7, "on_lapse": "nothing", "notify_before_days": []},
        "notice": {"respond_days": 5, "business_days": False},
        "fees": {"worker": FLAT_LANCERS_WORKER, "client": FLAT_LANCERS_CLIENT},
        "ratings": {"window_days": 14},
        "money_in": {"transfer_pay_days": 7},
    },
    {
        "name": "crowdworks",
        "version": 1,
        "label": {"ja": "クラウドワークス型", "en": "CrowdWorks-style"},
        "summary": {
            "ja": "途中終了リクエストあり（7日無応答で成立、全額返金）。検収期間7日、過ぎたら事務局へ。手数料 20/10/5%段階制。",
            "en": "Early termination (takes effect after 7 silent days, full refund). 7-day acceptance, "
            "then the support office. Fees: 20/10/5 % tiers.",
        },
        "contact_reminder": None,
        "termination": {"takes_effect_days": 7, "partial_payment": False},
        "acceptance": {"review_days": 7, "on_lapse": "support", "notify_before_days": []},
        "notice": {"respond_days": 5, "business_days": False},
        "fees": {"worker": TIERS_CROWDWORKS, "client": None},
        "ratings": {"window_days": 14},
        "money_in": {"transfer_pay_days": 7},
    },
    {
        "name": "upwork",
        "version": 1,
        "label": {"ja": "Upwork型", "en": "Upwork-style"},
        "summary": {
            "ja": "納品から14日で自動検収（3日前・1日前に通知）。手数料 受注者10%。",
            "en": "Delivered work is accepted automatically after 14 days (reminders 3 and 1 days before). "
            "Fee: worker 10 %.",
        },
        "contact_reminder": None,
        "termination": None,
        "acceptance": {"review_days": 14, "on_lapse": "auto_accept", "notify_before_days": [3, 1]},
        "notice": {"respond_days": 5, "business_days": False},
        "fees": {"worker": FLAT_10, "client": None},
        "ratings": {"window_days": 14},
        "money_in": {"transfer_pay_days": 7},
    },
    {
        "name": "chukai",
        "version": 1,
        "label": {"ja": "chukai 標準", "en": "chukai standard"},
        "summary": {
            "ja": "連絡催促申請・途中終了（一部支払い可）・14日で自動検収。事務局の期限は5営業日。手数料 受注者10%。",
            "en": "Contact reminder, early termination with partial pay, auto-acceptance after 14 days; "
            "support notices give 5 business days. Fee: worker 10 %.",
        },
        "contact_reminder": {"silence_days": 7, "respond_days": 7, "notify_before_days": [3, 1]},
        "termination": {"takes_effect_days": 7, "partial_payment": True},
        "acceptance": {"review_days": 14, "on_lapse": "auto_accept", "notify_before_days": [3, 1]},
        "notice": {"respond_days": 5, "business_days": True},
        "fees": {"worker": FLAT_10, "client": None},
        "ratings": {"window_days": 14},
        "money_in": {"transfer_pay_days": 7},
    },
]

DEFAULT_POLICY = "chukai"
NAMES = ("chukai", "lancers", "crowdworks", "upwork")


class PolicyError(ImproperlyConfigured):
    pass


def _need(cond: bool, where: str, problem: str) -> None:
    if not cond:
        raise PolicyError(f"Invalid policy {where}: {problem}")


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _validate_fee(fee: Any, where: str) -> None:
    _need(isinstance(fee, dict), where, "must be a fee schedule object")
    kind = fee.get("kind")
    if kind == "flat":
        bp = fee.get("bp")
        _need(isinstance(bp, int) and 0 <= bp < 10000, where, "flat 'bp' must be an integer 0..9999 (1650 = 16.5 %)")
    elif kind == "tiers":
        tiers = fee.get("tiers")
        _need(isinstance(tiers, list) and bool(tiers), where, "'tiers' must be a non-empty list")
        last = 0
        for i, tier in enumerate(tiers):
            here = f"{where}.tiers[{i}]"
            _need(isinstance(tier, dict), here, "must be an object")
            bp = tier.get("bp")
            _need(isinstance(bp, int) and 0 <= bp < 10000, here, "'bp' must be an integer 0..9999")
            up_to = tier.get("up_to")
            if i == len(tiers) - 1:
                _need(up_to is None, here, "the last tier must have 'up_to': null")
            else:
                _need(_positive_int(up_to) and up_to > last, here, "'up_to' must increase")
                last = up_to
    else:
        raise PolicyError(f"Invalid policy {where}: 'kind' must be 'flat' or 'tiers', not {kind!r}")


def validate(policy: Policy) -> None:
    name = policy.get("name")
    where = f"{name!r} v{policy.get('version')}"
    _need(isinstance(name, str) and bool(name), where, "'name' is required")
    _need(_positive_int(policy.get("version")), where, "'version' must be a positive integer")
    for key in ("label", "summary"):
        _need(
            isinstance(policy.get(key), dict) and {"ja", "en"} <= set(policy[key]), f"{where}.{key}", "needs ja and en"
        )
    cr = policy.get("contact_reminder")
    if cr is not None:
        _need(_positive_int(cr.get("silence_days")), f"{where}.contact_reminder", "'silence_days' > 0")
        _need(_positive_int(cr.get("respond_days")), f"{where}.contact_reminder", "'respond_days' > 0")
        _need(
            all(_positive_int(d) and d < cr["respond_days"] for d in cr.get("notify_before_days", [])),
            f"{where}.contact_reminder",
            "'notify_before_days' must be shorter than 'respond_days'",
        )
    term = policy.get("termination")
    if term is not None:
        _need(_positive_int(term.get("takes_effect_days")), f"{where}.termination", "'takes_effect_days' > 0")
        _need(isinstance(term.get("partial_payment"), bool), f"{where}.termination", "'partial_payment' is a bool")
    acc = policy.get("acceptance")
    if not isinstance(acc, dict):
        raise PolicyError(f"Invalid policy {where}: 'acceptance' is required")
    _need(_positive_int(acc.get("review_days")), f"{where}.acceptance", "'review_days' > 0")
    _need(
        acc.get("on_lapse") in ("nothing", "support", "auto_accept"),
        f"{where}.acceptance",
        "'on_lapse' must be nothing, support or auto_accept",
    )
    _need(
        all(_positive_int(d) and d < acc["review_days"] for d in acc.get("notify_before_days", [])),
        f"{where}.acceptance",
        "'notify_before_days' must be shorter than 'review_days'",
    )
    notice = policy.get("notice")
    if not isinstance(notice, dict):
        raise PolicyError(f"Invalid policy {where}.notice: must be an object")
    _need(_positive_int(notice.get("respond_days")), f"{where}.notice", "'respond_days' > 0")
    _need(isinstance(notice.get("business_days"), bool), f"{where}.notice", "'business_days' is a bool")
    fees = policy.get("fees")
    if not isinstance(fees, dict) or "worker" not in fees:
        raise PolicyError(f"Invalid policy {where}.fees: needs a 'worker' schedule")
    _validate_fee(fees["worker"], f"{where}.fees.worker")
    if fees.get("client") is not None:
        _validate_fee(fees["client"], f"{where}.fees.client")
    ratings = policy.get("ratings")
    _need(isinstance(ratings, dict) and _positive_int(ratings.get("window_days")), f"{where}.ratings", "window_days")
    money_in = policy.get("money_in")
    if money_in is not None:  # optional: contracts formed before it existed use the default
        _need(
            isinstance(money_in, dict) and _positive_int(money_in.get("transfer_pay_days")),
            f"{where}.money_in",
            "'transfer_pay_days' > 0",
        )


def validate_all(books: list[Policy] | None = None) -> None:
    books = RULEBOOKS if books is None else books
    seen: set[tuple[str, int]] = set()
    for book in books:
        validate(book)
        key = (book["name"], book["version"])
        _need(key not in seen, f"{key[0]!r} v{key[1]}", "is defined twice")
        seen.add(key)
    missing = set(NAMES) - {name for name, _ in seen}
    _need(not missing, "set", f"missing policies {sorted(missing)}")


TRANSFER_PAY_DAYS_DEFAULT = 7


def transfer_pay_days(policy: Policy) -> int:
    """Days a client has to pay a bank transfer (DOMAIN §11: 7); contracts formed before the setting use 7."""
    return int((policy.get("money_in") or {}).get("transfer_pay_days", TRANSFER_PAY_DAYS_DEFAULT))


def current(name: str) -> Policy:
    """The newest version of a policy, as a copy a contract can keep."""
    versions = [b for b in RULEBOOKS if b["name"] == name]
    if not versions:
        raise KeyError(name)
    return copy.deepcopy(max(versions, key=lambda b: b["version"]))
