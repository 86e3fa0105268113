"""Reads of money out: balance, quote, schedule, accounts, withdrawals, statement, staff lists."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext_noop

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts.models import Contract
from chukai.errors import Invalid, NotFound
from chukai.ledger.models import Account, Leg
from chukai.ledger.selectors import user_balance_jpy
from chukai.payouts import rules, schedule
from chukai.payouts.models import BankAccount, PayoutBatch, Withdrawal

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def pay_date_for(*, requested_at: dt.datetime) -> dt.date:
    return schedule.pay_date_for(requested_at)


def cutoff_for(*, pay_date: dt.date) -> dt.datetime:
    return schedule.cutoff_for(pay_date)


def balance_summary(*, user_id: int) -> dict[str, Any]:
    pending = Withdrawal.objects.filter(user_id=user_id, status__in=Withdrawal.PENDING).aggregate(s=Sum("amount_jpy"))
    return {
        "balance_jpy": user_balance_jpy(user_id),
        "pending_withdrawals_jpy": int(pending["s"] or 0),
        "next_pay_date": schedule.pay_date_for(clock.now()),
    }


def withdrawal_quote(*, user_id: int, amount_jpy: int) -> dict[str, Any]:
    """What a request of `amount_jpy` made now would cost, pay and when (no writes).

    Refuses as the request would (rules.request_check: no_bank_account, below_minimum,
    insufficient_balance), so the confirm step never offers what the request then refuses.
    """
    rules.request_check(
        amount_jpy=amount_jpy, balance_jpy=user_balance_jpy(user_id), account=bank_account_of(user_id=user_id)
    )
    return {**rules.amounts(amount_jpy), "pay_date": schedule.pay_date_for(clock.now())}


def bank_account_of(*, user_id: int) -> BankAccount | None:
    return BankAccount.objects.filter(user_id=user_id, replaced_at__isnull=True).first()


def bank_account_out(account: BankAccount, *, owner: bool) -> dict[str, Any]:
    """The API's view of an account; the full number only for its owner."""
    out: dict[str, Any] = {
        "bank_code": account.bank_code,
        "bank_name": account.bank_name,
        "branch_code": account.branch_code,
        "branch_name": account.branch_name,
        "account_type": account.account_type,
        "account_number_masked": account.account_number_masked,
        "holder_kana": account.holder_kana,
        "needs_fix": account.returned_at is not None,
    }
    if owner:
        out["account_number"] = account.account_number
    return out


def _with_cancellable(items: list[Withdrawal]) -> list[Withdrawal]:
    now = clock.now()
    for w in items:
        w.cancellable = w.status == Withdrawal.REQUESTED and now <= w.cutoff_at  # type: ignore[attr-defined]
    return items


def withdrawals_of(*, user_id: int) -> list[Withdrawal]:
    return _with_cancellable(list(Withdrawal.objects.filter(user_id=user_id).order_by("-requested_at", "-id")))


def withdrawal_out(w: Withdrawal) -> dict[str, Any]:
    if not hasattr(w, "cancellable"):
        _with_cancellable([w])
    return {
        "id": w.pk,
        "status": w.status,
        "amount_jpy": w.amount_jpy,
        "fee_jpy": w.fee_jpy,
        "net_jpy": w.net_jpy,
        "requested_at": w.requested_at,
        "pay_date": w.pay_date,
        "cutoff_at": w.cutoff_at,
        "cancellable": w.cancellable,  # type: ignore[attr-defined]
        "batch_id": w.batch_id,
        "paid_at": w.paid_at,
        "returned_at": w.returned_at,
        "returned_reason": w.returned_reason,
    }


# --- statement ----------------------------------------------------------------------

_WITHDRAWAL_KEY = re.compile(r"^(?:withdraw|withdraw_cancel|payout|payout_return):(\d+)$")
DESCRIPTIONS = {
    "release": ("報酬の受け取り（検収）", "Earnings released"),
    "split": ("精算（一部支払い・一部返金）", "Settlement (split)"),
    "refund": ("仮払いの返金", "Escrow refunded"),
    "fund": ("仮払い（残高から）", "Escrow funded from the balance"),
    "withdrawal": ("出金申請", "Withdrawal requested"),
    "withdrawal_cancel": ("出金申請の取り消し", "Withdrawal cancelled"),
    "payout_return": ("振込の組戻し（返金）", "Transfer returned by the bank"),
}


def _month_range(month: str, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    m = re.fullmatch(r"(\d{4})-(\d{2})", month or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
        raise Invalid({"month": gettext_noop("Give the month as YYYY-MM.")})
    year, mon = int(m.group(1)), int(m.group(2))
    start = dt.datetime(year, mon, 1, tzinfo=tz)
    if (year, mon) == (9999, 12):
        return start, dt.datetime.max.replace(tzinfo=tz)
    return start, dt.datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=tz)


def _user_tz(user_id: int) -> dt.tzinfo:
    name = User.objects.filter(pk=user_id).values_list("time_zone", flat=True).first() or "Asia/Tokyo"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return TOKYO


def statement(*, user_id: int, month: str | None = None, locale: str = "ja") -> list[dict[str, Any]]:
    """Every credit and debit of the user's balance, oldest first, with the balance after it.

    Payouts: the request is the debit (the money leaves the balance then); a cancel or a
    return is a credit. Month: in the user's time zone.
    """
    tz = _user_tz(user_id)
    bounds = _month_range(month, tz) if month else None
    legs = (
        Leg.objects.filter(account__kind=Account.BALANCE, account__user_id=user_id)
        .select_related("transaction")
        .order_by("transaction__created_at", "transaction_id", "id")
    )
    wids = set()
    running = 0
    rows: list[dict[str, Any]] = []
    for leg in legs:
        running += leg.amount
        txn = leg.transaction
        m = _WITHDRAWAL_KEY.match(txn.idempotency_key)
        wid = int(m.group(1)) if m else None
        if wid:
            wids.add(wid)
        if bounds and not (bounds[0] <= txn.created_at < bounds[1]):
            continue
        ja, en = DESCRIPTIONS.get(txn.kind, (txn.kind, txn.kind))
        label = ja if locale == "ja" else en
        detail = txn.memo if txn.contract_id else ""
        rows.append(
            {
                "at": txn.created_at,
                "kind": txn.kind,
                "amount_jpy": leg.amount,
                "balance_after_jpy": running,
                "contract_id": txn.contract_id,
                "milestone_id": txn.milestone_id,
                "withdrawal_id": wid,
                "description": f"{label}：{detail}"
                if detail and locale == "ja"
                else f"{label}: {detail}"
                if detail
                else label,
            }
        )
    if wids:
        by_id = {w.pk: w for w in Withdrawal.objects.filter(pk__in=wids)}
        for row in rows:
            w = by_id.get(row["withdrawal_id"]) if row["withdrawal_id"] else None
            if w is not None and row["kind"] == "withdrawal":
                row["withdrawal_status"] = w.status
                row["pay_date"] = w.pay_date
                row["fee_jpy"] = w.fee_jpy
                row["net_jpy"] = w.net_jpy
                row["paid_at"] = w.paid_at
    return rows


def earnings_by_month(*, user_id: int) -> list[dict[str, Any]]:
    """Credits and debits of the balance per month (user's zone), newest month first."""
    tz = _user_tz(user_id)
    months: dict[str, dict[str, Any]] = {}
    rows = statement(user_id=user_id)
    # A split credits both parties under one kind: only the contract's worker earned it.
    as_worker = set(
        Contract.objects.filter(
            pk__in={r["contract_id"] for r in rows if r["contract_id"]}, worker_id=user_id
        ).values_list("pk", flat=True)
    )
    for row in rows:
        key = row["at"].astimezone(tz).strftime("%Y-%m")
        entry = months.setdefault(key, {"month": key, "credits_jpy": 0, "debits_jpy": 0, "earnings_jpy": 0})
        if row["amount_jpy"] > 0:
            entry["credits_jpy"] += row["amount_jpy"]
        else:
            entry["debits_jpy"] += -row["amount_jpy"]
        if row["kind"] in ("release", "split") and row["amount_jpy"] > 0 and row["contract_id"] in as_worker:
            entry["earnings_jpy"] += row["amount_jpy"]
    return sorted(months.values(), key=lambda e: e["month"], reverse=True)


CSV_COLUMNS = {
    "ja": ["日時", "種類", "金額（円）", "残高（円）", "契約ID", "出金ID", "内容"],
    "en": [
        "Date and time",
        "Kind",
        "Amount (JPY)",
        "Balance after (JPY)",
        "Contract ID",
        "Withdrawal ID",
        "Description",
    ],
}


def statement_csv(*, user: User, month: str | None = None) -> bytes:
    """The statement as CSV for Excel on a Japanese PC: UTF-8 with BOM, CRLF, the user's zone and language."""
    locale = user.locale if user.locale in CSV_COLUMNS else "ja"
    tz = _user_tz(user.pk)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS[locale])
    kinds = {k: (v[0] if locale == "ja" else v[1]) for k, v in DESCRIPTIONS.items()}
    for row in statement(user_id=user.pk, month=month, locale=locale):
        writer.writerow(
            [
                row["at"].astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                kinds.get(row["kind"], row["kind"]),
                row["amount_jpy"],
                row["balance_after_jpy"],
                row["contract_id"] or "",
                row["withdrawal_id"] or "",
                row["description"],
            ]
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


# --- staff --------------------------------------------------------------------------


def due_withdrawals(*, pay_date: dt.date) -> list[Withdrawal]:
    """Requests a batch for `pay_date` would take now (due on or before it, cutoff passed)."""
    return list(
        Withdrawal.objects.filter(status=Withdrawal.REQUESTED, pay_date__lte=pay_date, cutoff_at__lt=clock.now())
        .select_related("user")
        .order_by("pay_date", "id")
    )


def batches() -> list[PayoutBatch]:
    return list(PayoutBatch.objects.order_by("-pay_date", "-id"))


def batch_withdrawals(*, batch_id: int) -> list[Withdrawal]:
    """The withdrawals of a batch, by id, with their owners (for the staff page)."""
    return list(Withdrawal.objects.filter(batch_id=batch_id).select_related("user").order_by("id"))


def open_withdrawals() -> list[Withdrawal]:
    """Requests whose cutoff has not passed yet (their owners may still cancel): what is coming."""
    return list(
        Withdrawal.objects.filter(status=Withdrawal.REQUESTED, cutoff_at__gte=clock.now())
        .select_related("user")
        .order_by("pay_date", "id")
    )


def batch(*, batch_id: int) -> PayoutBatch:
    found = PayoutBatch.objects.filter(pk=batch_id).first()
    if found is None:
        raise NotFound("No such payout batch.")
    return found


def batch_out(b: PayoutBatch, *, with_items: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": b.pk,
        "pay_date": b.pay_date,
        "count": b.count,
        "total_jpy": b.total_jpy,
        "status": b.status,
        "created_at": b.created_at,
        "created_by": b.created_by_id,
        "confirmed_at": b.confirmed_at,
        "confirmed_by": b.confirmed_by_id,
    }
    if with_items:
        out["withdrawals"] = [{**withdrawal_out(w), "user_id": w.user_id} for w in b.withdrawals.order_by("id")]
    return out


def pending_matches_withdrawals() -> list[str]:
    """Each user's payouts-pending account equals their requested + in-batch withdrawals (for tests)."""
    pending = {
        r["account__user_id"]: int(r["s"])
        for r in Leg.objects.filter(account__kind=Account.PAYOUT_PENDING)
        .values("account__user_id")
        .annotate(s=Sum("amount"))
    }
    held = {
        r["user_id"]: int(r["s"])
        for r in Withdrawal.objects.filter(Q(status__in=Withdrawal.PENDING))
        .values("user_id")
        .annotate(s=Sum("amount_jpy"))
    }
    return [
        f"user {uid}: payouts-pending holds {pending.get(uid, 0)}, withdrawals hold {held.get(uid, 0)}"
        for uid in sorted(set(pending) | set(held))
        if pending.get(uid, 0) != held.get(uid, 0)
    ]
