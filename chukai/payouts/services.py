"""Every write of money out. Money moves only through chukai.ledger.services.transaction_post.

Ledger steps, each balanced and keyed by the withdrawal:
  request  `withdraw:<id>`         balance −amount, payout_pending +amount
  cancel   `withdraw_cancel:<id>`  payout_pending −amount, balance +amount
  paid     `payout:<id>`           payout_pending −amount, payout +net, fees +fee
  returned `payout_return:<id>`    payout −net, fees −fee, balance +amount
Lock order: the user's balance account (as escrow funding does, after any contract), then
withdrawal rows by id, then the ledger.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts import hooks
from chukai.errors import Forbidden, Invalid, NotFound, RuleViolation
from chukai.ledger.models import Account
from chukai.ledger.services import account_for, balance_of, transaction_post
from chukai.payments.gateway import get_gateway
from chukai.payouts import banks, rules, schedule, zengin
from chukai.payouts.kana import digits, has_hiragana, is_bank_kana, to_bank_kana
from chukai.payouts.models import BankAccount, PayoutAudit, PayoutBatch, Withdrawal

# --- bank account -------------------------------------------------------------------

# English msgids; the pages show them in the reader's language (gettext, ja in the .po), as
# every other service's words (chukai.web.service_texts).
MESSAGES = {
    "bank_code": gettext_noop("The bank code is 4 digits."),
    "bank_unknown": gettext_noop("No bank has this code."),
    "branch_code": gettext_noop("The branch code is 3 digits."),
    "branch_unknown": gettext_noop("This bank has no branch with this code."),
    "account_type": gettext_noop("The account type is ordinary, checking or savings."),
    "account_number": gettext_noop("The account number is up to 7 digits."),
    "holder_empty": gettext_noop("Enter the account holder's name in katakana."),
    "holder_hiragana": gettext_noop("Write the holder's name in katakana, not hiragana."),
    "holder_chars": gettext_noop("The holder's name may use katakana, letters, digits, spaces and ( ) . - / , only."),
    "holder_long": gettext_noop("The holder's name is at most 30 half-width characters."),
}
WHOLE_YEN = gettext_noop("Must be a whole number of yen.")
CUTOFF_PASSED = gettext_noop("The cutoff has passed; this withdrawal can no longer be cancelled.")
REASON_NEEDED = gettext_noop("Give the reason (up to 500 characters).")


def _msg(key: str) -> str:
    return MESSAGES[key]


def bank_account_check(
    *, bank_code: str, branch_code: str, account_type: str, account_number: str, holder_kana: str
) -> dict[str, str]:
    """The account as it would be stored, or Invalid with a message for each wrong field."""
    errors: dict[str, str] = {}
    out: dict[str, str] = {}
    bank_code = digits(bank_code or "")
    branch_code = digits(branch_code or "")
    number = digits(account_number or "")
    if len(bank_code) != 4 or not bank_code.isascii() or not bank_code.isdigit():
        errors["bank_code"] = _msg("bank_code")
    else:
        found = banks.bank(bank_code)
        if found is None:
            errors["bank_code"] = _msg("bank_unknown")
        else:
            out.update(bank_code=bank_code, bank_name=found["name"], bank_name_kana=to_bank_kana(found["kana"]))
    if len(branch_code) != 3 or not branch_code.isascii() or not branch_code.isdigit():
        errors["branch_code"] = _msg("branch_code")
    elif "bank_code" in out:
        found_branch = banks.branch(bank_code, branch_code)
        if found_branch is None:
            errors["branch_code"] = _msg("branch_unknown")
        else:
            out.update(
                branch_code=branch_code,
                branch_name=found_branch["name"],
                branch_name_kana=to_bank_kana(found_branch["kana"]),
            )
    if account_type not in dict(BankAccount.TYPES):
        errors["account_type"] = _msg("account_type")
    else:
        out["account_type"] = account_type
    if not (1 <= len(number) <= 7) or not number.isascii() or not number.isdigit():
        errors["account_number"] = _msg("account_number")
    else:
        out["account_number"] = number.zfill(7)
    holder = to_bank_kana(holder_kana or "")
    if not holder.strip():
        errors["holder_kana"] = _msg("holder_empty")
    elif has_hiragana(holder):
        errors["holder_kana"] = _msg("holder_hiragana")
    elif not is_bank_kana(holder):
        errors["holder_kana"] = _msg("holder_chars")
    elif len(holder) > 30:
        errors["holder_kana"] = _msg("holder_long")
    else:
        out["holder_kana"] = holder
    if errors:
        raise Invalid(errors)
    return out


def bank_account_put(
    *,
    user: User,
    bank_code: str,
    branch_code: str,
    account_type: str,
    account_number: str,
    holder_kana: str,
    bank_name: str = "",
    branch_name: str = "",
) -> BankAccount:
    """Register or replace the user's account (the old row is kept, marked replaced).

    Names come from the bank-code data set; `bank_name`/`branch_name` are ignored
    (kept in the signature for forms that show them).
    """
    fields = bank_account_check(
        bank_code=bank_code,
        branch_code=branch_code,
        account_type=account_type,
        account_number=account_number,
        holder_kana=holder_kana,
    )
    with transaction.atomic():
        now = clock.now()
        User.objects.select_for_update().filter(pk=user.pk).first()
        BankAccount.objects.filter(user=user, replaced_at__isnull=True).update(replaced_at=now)
        return BankAccount.objects.create(user=user, created_at=now, **fields)


# --- withdrawals --------------------------------------------------------------------


def _lock_balance(user_id: int) -> Account:
    balance = account_for(Account.BALANCE, user_id=user_id)
    Account.objects.select_for_update().filter(pk=balance.pk).first()
    return balance


def withdrawal_request(*, user: User, amount_jpy: int, key: str = "") -> Withdrawal:
    """Ask for `amount_jpy` to be paid out: it leaves the balance at once into payouts-pending.

    `key` (the confirm page's one-time key): a repeat with the same key returns the first
    withdrawal instead of making a second one (a double click, a resent form).
    """
    if isinstance(amount_jpy, bool) or not isinstance(amount_jpy, int):
        raise Invalid({"amount_jpy": WHOLE_YEN})
    key = key[:64]
    with transaction.atomic():
        balance = _lock_balance(user.pk)  # serializes the user's requests: the key check below is race-free
        if key:
            first = Withdrawal.objects.filter(user=user, request_key=key).first()
            if first is not None:
                return first
        account = BankAccount.objects.filter(user=user, replaced_at__isnull=True).first()
        rules.request_check(amount_jpy=amount_jpy, balance_jpy=balance_of(balance), account=account)
        now = clock.now()
        pay_date, cutoff = schedule.window_for(now)
        w = Withdrawal.objects.create(
            user=user,
            requested_at=now,
            pay_date=pay_date,
            cutoff_at=cutoff,
            request_key=key,
            **rules.amounts(amount_jpy),
        )
        transaction_post(
            kind="withdrawal",
            key=f"withdraw:{w.pk}",
            memo=f"withdrawal {w.pk}",
            legs=[(balance, -amount_jpy), (account_for(Account.PAYOUT_PENDING, user_id=user.pk), amount_jpy)],
        )
    return w


def _owned(user: User, withdrawal_id: int) -> Withdrawal:
    w = Withdrawal.objects.select_for_update().filter(pk=withdrawal_id, user=user).first()
    if w is None:
        raise NotFound("No such withdrawal.")
    return w


def withdrawal_cancel(*, user: User, withdrawal_id: int) -> Withdrawal:
    with transaction.atomic():
        balance = _lock_balance(user.pk)
        w = _owned(user, withdrawal_id)
        if w.status != Withdrawal.REQUESTED or clock.now() > w.cutoff_at:
            raise RuleViolation(
                "invalid_state",
                CUTOFF_PASSED if w.status == Withdrawal.REQUESTED else f"This withdrawal is {w.status}.",
                withdrawal_status=w.status,
                cutoff_at=w.cutoff_at,
            )
        transaction_post(
            kind="withdrawal_cancel",
            key=f"withdraw_cancel:{w.pk}",
            memo=f"withdrawal {w.pk} cancelled",
            legs=[(account_for(Account.PAYOUT_PENDING, user_id=user.pk), -w.amount_jpy), (balance, w.amount_jpy)],
        )
        w.status = Withdrawal.CANCELLED
        w.cancelled_at = clock.now()
        w.save(update_fields=["status", "cancelled_at"])
    return w


# --- staff: batches, confirmation, returns ------------------------------------------


def _require_staff(user: User) -> None:
    if not (user.is_active and user.is_staff):
        raise Forbidden("Only the support office pays out.")


def _audit(
    staff: User, action: str, *, batch: PayoutBatch | None = None, withdrawal: Withdrawal | None = None, **detail: Any
) -> None:
    PayoutAudit.objects.create(
        staff=staff, action=action, batch=batch, withdrawal=withdrawal, at=clock.now(), detail=detail
    )


def payout_batch_create(*, staff: User, pay_date: dt.date) -> PayoutBatch:
    """Gather every request due on or before `pay_date` whose cutoff has passed (so no owner
    loses the right to cancel); each becomes `in_batch` with the owner's current account."""
    _require_staff(staff)
    with transaction.atomic():
        now = clock.now()
        due = list(
            Withdrawal.objects.select_for_update()
            .filter(status=Withdrawal.REQUESTED, pay_date__lte=pay_date, cutoff_at__lt=now)
            .order_by("id")
        )
        if not due:
            raise RuleViolation("nothing_due", f"No withdrawal is due by {pay_date.isoformat()}.")
        accounts = {
            a.user_id: a
            for a in BankAccount.objects.filter(user_id__in={w.user_id for w in due}, replaced_at__isnull=True)
        }
        batch = PayoutBatch.objects.create(pay_date=pay_date, created_at=now, created_by=staff)
        taken: list[Withdrawal] = []
        for w in due:
            account = accounts.get(w.user_id)
            if account is None or account.returned_at is not None:
                continue  # waits in `requested` until the owner registers an account again
            w.status = Withdrawal.IN_BATCH
            w.batch = batch
            w.bank_account = account
            w.save(update_fields=["status", "batch", "bank_account"])
            taken.append(w)
        if not taken:
            raise RuleViolation("nothing_due", "Every due withdrawal waits for its owner to fix the bank account.")
        batch.count = len(taken)
        batch.total_jpy = sum(w.net_jpy for w in taken)
        batch.save(update_fields=["count", "total_jpy"])
        _audit(
            staff,
            "batch_create",
            batch=batch,
            pay_date=pay_date.isoformat(),
            count=batch.count,
            total_jpy=batch.total_jpy,
            withdrawal_ids=[w.pk for w in taken],
        )
    return batch


def payout_batch_zengin(*, batch: PayoutBatch, staff: User | None = None) -> bytes:
    """The batch's Zengin 総合振込 file; with `staff`, the download is audited."""
    items = list(batch.withdrawals.select_related("bank_account").order_by("id"))
    transfers = []
    for w in items:
        a = w.bank_account
        assert a is not None
        transfers.append(
            zengin.Transfer(
                bank_code=a.bank_code,
                bank_name_kana=a.bank_name_kana,
                branch_code=a.branch_code,
                branch_name_kana=a.branch_name_kana,
                account_type=BankAccount.ZENGIN_TYPE[a.account_type],
                account_number=a.account_number,
                holder_kana=a.holder_kana,
                amount_jpy=w.net_jpy,
                customer_code=str(w.pk),
            )
        )
    if staff is not None:
        _require_staff(staff)
        _audit(staff, "batch_download", batch=batch)
    return zengin.transfer_file(transfer_date=batch.pay_date, transfers=transfers)


def _notify_money(*, user_id: int, kind: str, params: dict[str, Any]) -> None:
    hooks.notify(contract=None, user_id=user_id, kind=kind, params=params)


def payout_batch_confirm(*, staff: User, batch_id: int) -> PayoutBatch:
    """Mark every transfer of the batch paid: the gateway's payout (idempotent by key), then the
    ledger (idempotent by the same key), then the row — all in one transaction.

    A crash anywhere rolls the database back; the repeat calls the gateway with the same
    keys (it pays each key once) and posts what is missing. A confirmed batch is left as is.
    """
    _require_staff(staff)
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise NotFound("No such payout batch.")
        if batch.status == PayoutBatch.CONFIRMED:
            return batch
        gateway = get_gateway()
        now = clock.now()
        for w in Withdrawal.objects.select_for_update().filter(batch=batch, status=Withdrawal.IN_BATCH).order_by("id"):
            key = f"payout:{w.pk}"
            reference = gateway.payout(user_id=w.user_id, amount_jpy=w.net_jpy, key=key)
            transaction_post(
                kind="payout",
                key=key,
                memo=f"withdrawal {w.pk} paid ({reference})",
                legs=[
                    (account_for(Account.PAYOUT_PENDING, user_id=w.user_id), -w.amount_jpy),
                    (account_for(Account.PAYOUT), w.net_jpy),
                    (account_for(Account.FEES), w.fee_jpy),
                ],
            )
            w.status = Withdrawal.PAID
            w.paid_at = now
            w.gateway_reference = reference[:100]
            w.save(update_fields=["status", "paid_at", "gateway_reference"])
            _notify_money(
                user_id=w.user_id,
                kind="payout_paid",
                params={
                    "amount_jpy": w.net_jpy,
                    "withdrawal_amount_jpy": w.amount_jpy,
                    "fee_jpy": w.fee_jpy,
                    "withdrawal_id": w.pk,
                    "pay_date": w.pay_date.isoformat(),
                },
            )
        batch.status = PayoutBatch.CONFIRMED
        batch.confirmed_at = now
        batch.confirmed_by = staff
        batch.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        _audit(staff, "batch_confirm", batch=batch)
    return batch


def withdrawal_return(*, staff: User, withdrawal_id: int, reason: str) -> Withdrawal:
    """The bank returned a transfer (組戻し): the whole amount, fee included, back to the balance —
    never on to another account — and the owner is told to fix theirs."""
    _require_staff(staff)
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise Invalid({"reason": REASON_NEEDED})
    first = Withdrawal.objects.filter(pk=withdrawal_id).values_list("user_id", flat=True).first()
    if first is None:
        raise NotFound("No such withdrawal.")
    with transaction.atomic():
        balance = _lock_balance(first)
        w = Withdrawal.objects.select_for_update().get(pk=withdrawal_id)
        if w.status != Withdrawal.PAID:
            raise RuleViolation(
                "invalid_state",
                f"Only a paid transfer can come back; this one is {w.status}.",
                withdrawal_status=w.status,
            )
        transaction_post(
            kind="payout_return",
            key=f"payout_return:{w.pk}",
            memo=f"withdrawal {w.pk} returned",
            legs=[
                (account_for(Account.PAYOUT), -w.net_jpy),
                (account_for(Account.FEES), -w.fee_jpy),
                (balance, w.amount_jpy),
            ],
        )
        now = clock.now()
        w.status = Withdrawal.RETURNED
        w.returned_at = now
        w.returned_reason = reason
        w.save(update_fields=["status", "returned_at", "returned_reason"])
        if w.bank_account_id is not None:
            BankAccount.objects.filter(pk=w.bank_account_id, returned_at__isnull=True).update(returned_at=now)
        _audit(staff, "withdrawal_return", withdrawal=w, reason=reason)
        _notify_money(
            user_id=w.user_id,
            kind="payout_returned",
            params={"amount_jpy": w.amount_jpy, "withdrawal_id": w.pk, "reason": reason},
        )
    return w
