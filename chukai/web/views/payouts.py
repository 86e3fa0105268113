"""Money out on the website (DOMAIN §10): balance and withdrawals, bank account, statement,
and the support office's payouts page (batches, the Zengin file, confirm, returned transfers).

Every number comes from chukai.payouts: the withdraw form's confirm step shows
`withdrawal_quote`, the same function the request itself uses.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable
from itertools import groupby
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chukai import clock
from chukai.errors import ChukaiError, Invalid, NotFound, RuleViolation
from chukai.payouts import rules
from chukai.payouts import selectors as payouts
from chukai.payouts import services as payout_services
from chukai.web import labels
from chukai.web.forms import BankAccountForm, PayoutBatchForm, TransferReturnForm, WithdrawForm
from chukai.web.templatetags.chukai_web import day, exact, yen
from chukai.web.views.common import attempt, bad_form, me
from chukai.web.views.staff import staff_only

T = TypeVar("T")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
REQUEST_KEY = re.compile(r"[0-9a-f]{32}")


def _month(value: str | None) -> str | None:
    return value if value and MONTH.match(value) else None


def _pick(text: str) -> str:
    """A payouts service's words (English msgids) in the reader's language."""
    return _(text)


def _refusal(exc: RuleViolation) -> str:
    """A refused money action in words, with the amounts and dates that explain it."""
    extra = exc.extra or {}
    if exc.code == "below_minimum" and "minimum_jpy" in extra:
        return _("The minimum withdrawal is %(minimum)s.") % {"minimum": yen(extra["minimum_jpy"])}
    if exc.code == "insufficient_balance" and "balance_jpy" in extra:
        return _("That is more than your balance (%(balance)s).") % {"balance": yen(extra["balance_jpy"])}
    status = extra.get("withdrawal_status", extra.get("status"))
    if exc.code == "invalid_state" and status == "requested" and extra.get("cutoff_at"):
        return _("The cutoff (%(at)s) has passed; this withdrawal can no longer be cancelled.") % {
            "at": exact(extra["cutoff_at"])
        }
    if exc.code == "invalid_state" and status in labels.WITHDRAWAL_STATUS:
        return _("Not possible: this withdrawal is now “%(status)s”.") % {
            "status": labels.label(labels.WITHDRAWAL_STATUS, status)
        }
    if exc.code == "no_bank_account":
        return _pick(exc.detail)
    return labels.label(labels.REASONS, exc.code)


def _raise(exc: Exception) -> Any:
    raise exc


def _run(request: HttpRequest, fn: Callable[[], T], form: Any = None) -> tuple[bool, T | None]:
    """`attempt` (views.common) with the payouts services' words in the reader's language."""
    try:
        return True, fn()
    except Invalid as exc:
        err: ChukaiError = Invalid({k: [_pick(m) for m in v] for k, v in exc.fields.items()})
    except RuleViolation as exc:
        text = _("Refused: %(reason)s") % {"reason": _refusal(exc)}
        if form is not None:
            form.add_error(None, text)
        messages.error(request, text)
        return False, None
    except ChukaiError as exc:
        err = exc
    return attempt(request, lambda: _raise(err), form)  # type: ignore[return-value]


def _status(form: Any) -> int:
    """422 when a field is wrong, 409 when a rule refused."""
    return 422 if any(k != "__all__" for k in getattr(form, "errors", {})) else 409


# --- the user's balance page ---------------------------------------------------------


def _with_detail(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statement's own detail (the milestone and why) without its leading kind word: the kind
    is said by the glossary (labels.STATEMENT_KINDS)."""
    for row in rows:
        text = str(row.get("description") or "")
        for sep in ("：", ": "):
            if sep in text:
                row["detail"] = text.split(sep, 1)[1]
                break
        else:
            row["detail"] = ""
    return rows


def _balance_context(request: HttpRequest, *, form: WithdrawForm | None = None) -> dict[str, Any]:
    user = me(request)
    month = _month(request.GET.get("month"))
    months = payouts.earnings_by_month(user_id=user.pk)
    return {
        "summary": payouts.balance_summary(user_id=user.pk),
        "account": payouts.bank_account_of(user_id=user.pk),
        "withdrawals": payouts.withdrawals_of(user_id=user.pk),
        "statement": _with_detail(payouts.statement(user_id=user.pk, month=month, locale=get_language() or "ja")),
        "months": months,
        "month": month,
        "form": form or WithdrawForm(),
        "minimum_jpy": rules.minimum_jpy(),
        "fee_jpy": rules.fee_jpy(),
    }


@login_required
def balance(request: HttpRequest) -> HttpResponse:
    return render(request, "web/balance.html", _balance_context(request))


def _same_quote(posted: Any, quote: dict[str, Any]) -> bool:
    return (
        posted.get("pay_date") == quote["pay_date"].isoformat()
        and posted.get("fee_jpy") == str(quote["fee_jpy"])
        and posted.get("net_jpy") == str(quote["net_jpy"])
    )


def _quote(user_id: int, amount: int) -> dict[str, Any]:
    """The quote, refused early (before the confirm step) for what the request would refuse:
    withdrawal_quote runs the request's own checks. The request checks again under its lock."""
    return payouts.withdrawal_quote(user_id=user_id, amount_jpy=amount)


@login_required
@require_POST
def withdraw(request: HttpRequest) -> HttpResponse:
    """First POST shows the fee, the net and the pay day; the second (confirm=1) requests it.

    If the numbers changed in between (the cutoff passed), the confirm step is shown again."""
    user = me(request)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        bad_form(request, form)
        return render(request, "web/balance.html", _balance_context(request, form=form), status=422)
    amount = form.cleaned_data["amount_jpy"]
    ok, quote = _run(request, lambda: _quote(user.pk, amount), form)
    if not ok or quote is None:
        return render(request, "web/balance.html", _balance_context(request, form=form), status=_status(form))
    if request.POST.get("confirm") == "1":
        if not _same_quote(request.POST, quote):
            messages.warning(
                request, _("The fee or the pay day changed since you looked. Please check and confirm again.")
            )
        else:
            key = request.POST.get("request_key", "")
            key = key if REQUEST_KEY.fullmatch(key) else ""
            ok, w = _run(
                request, lambda: payout_services.withdrawal_request(user=user, amount_jpy=amount, key=key), form
            )
            if ok and w is not None:
                messages.success(
                    request,
                    _(
                        "Withdrawal requested: %(amount)s. After the %(fee)s transfer fee, %(net)s will be "
                        "transferred to your bank account on %(date)s."
                    )
                    % {
                        "amount": yen(w.amount_jpy),
                        "fee": yen(w.fee_jpy),
                        "net": yen(w.net_jpy),
                        "date": day(w.pay_date),
                    },
                )
                return redirect(reverse("web:balance") + "#withdrawals")
            return render(request, "web/balance.html", _balance_context(request, form=form), status=_status(form))
    summary = payouts.balance_summary(user_id=user.pk)
    return render(
        request,
        "web/withdraw_confirm.html",
        {
            "quote": quote,
            "cutoff": payouts.cutoff_for(pay_date=quote["pay_date"]),
            "account": payouts.bank_account_of(user_id=user.pk),
            "balance_after": summary["balance_jpy"] - quote["amount_jpy"],
            "request_key": uuid.uuid4().hex,  # one withdrawal per confirmation, however often it is sent
        },
    )


@login_required
@require_POST
def withdrawal_cancel(request: HttpRequest, withdrawal_id: int) -> HttpResponse:
    user = me(request)
    ok, w = _run(request, lambda: payout_services.withdrawal_cancel(user=user, withdrawal_id=withdrawal_id))
    if ok and w is not None:
        messages.success(
            request, _("Withdrawal cancelled: %(amount)s is back in your balance.") % {"amount": yen(w.amount_jpy)}
        )
    return redirect(reverse("web:balance") + "#withdrawals")


@login_required
def statement_csv(request: HttpRequest) -> HttpResponse:
    user = me(request)
    month = _month(request.GET.get("month"))
    body = payouts.statement_csv(user=user, month=month)
    resp = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"chukai-statement-{month or 'all'}.csv"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


# --- bank account --------------------------------------------------------------------


@login_required
def bank_account(request: HttpRequest) -> HttpResponse:
    user = me(request)
    current = payouts.bank_account_of(user_id=user.pk)
    status = 200
    if request.method == "POST":
        form = BankAccountForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            ok, acct = _run(request, lambda: payout_services.bank_account_put(user=user, **d), form)
            if ok and acct is not None:
                messages.success(
                    request,
                    _("Bank account saved: %(bank)s %(branch)s, %(type)s %(number)s, %(holder)s.")
                    % {
                        "bank": acct.bank_name or acct.bank_code,
                        "branch": acct.branch_name or acct.branch_code,
                        "type": labels.label(labels.ACCOUNT_TYPES, acct.account_type),
                        "number": acct.account_number_masked,
                        "holder": acct.holder_kana,
                    },
                )
                return redirect("web:balance")
        bad_form(request, form)
        status = _status(form)
    else:
        initial: dict[str, Any] = {}
        if current is not None:
            initial = {k: getattr(current, k) for k in ("bank_code", "branch_code", "account_type", "holder_kana")}
        form = BankAccountForm(initial=initial)
    return render(request, "web/bank_account.html", {"form": form, "account": current}, status=status)


# --- the support office's payouts page ---------------------------------------------------


def _totals(items: Iterable[Any]) -> dict[str, int]:
    rows = list(items)
    return {
        "count": len(rows),
        "amount_jpy": sum(w.amount_jpy for w in rows),
        "fee_jpy": sum(w.fee_jpy for w in rows),
        "net_jpy": sum(w.net_jpy for w in rows),
    }


def _batch_withdrawals(batch: Any) -> list[Any]:
    return payouts.batch_withdrawals(batch_id=batch.pk)


def _staff_payouts_page(
    request: HttpRequest, *, form: PayoutBatchForm | None = None, status: int = 200
) -> HttpResponse:
    horizon = payouts.pay_date_for(requested_at=clock.now())  # the latest pay day any open request can have
    due = sorted(payouts.due_withdrawals(pay_date=horizon), key=lambda w: (w.pay_date, w.id))
    groups = [
        {"pay_date": pay_date, "items": items, **_totals(items)}
        for pay_date, it in groupby(due, key=lambda w: w.pay_date)
        for items in [list(it)]
    ]
    first = groups[0]["pay_date"] if groups else horizon
    return render(
        request,
        "web/staff_payouts.html",
        {
            "groups": groups,
            "batches": payouts.batches(),
            "form": form or PayoutBatchForm(initial={"pay_date": first}),
            "today": clock.now().astimezone(dt.timezone(dt.timedelta(hours=9))).date(),
        },
        status=status,
    )


@staff_only
def staff_payouts(request: HttpRequest) -> HttpResponse:
    return _staff_payouts_page(request)


@staff_only
@require_POST
def staff_batch_create(request: HttpRequest) -> HttpResponse:
    form = PayoutBatchForm(request.POST)
    if not form.is_valid():
        bad_form(request, form)
        return _staff_payouts_page(request, form=form, status=422)
    pay_date = form.cleaned_data["pay_date"]
    ok, batch = _run(request, lambda: payout_services.payout_batch_create(staff=me(request), pay_date=pay_date), form)
    if not ok or batch is None:
        return _staff_payouts_page(request, form=form, status=_status(form))
    t = _totals(_batch_withdrawals(batch))
    messages.success(
        request,
        _(
            "Batch #%(id)s built for pay day %(date)s: %(count)s transfer(s), %(net)s to send "
            "(%(amount)s requested, %(fee)s in fees). Download the file and upload it to the bank."
        )
        % {
            "id": batch.id,
            "date": day(batch.pay_date),
            "count": t["count"],
            "net": yen(t["net_jpy"]),
            "amount": yen(t["amount_jpy"]),
            "fee": yen(t["fee_jpy"]),
        },
    )
    return redirect("web:staff_batch", batch.id)


def _batch_or_404(batch_id: int) -> Any:
    try:
        return payouts.batch(batch_id=batch_id)
    except NotFound:
        raise Http404 from None


def _staff_batch_page(
    request: HttpRequest, batch_id: int, *, forms: dict[int, TransferReturnForm] | None = None, status: int = 200
) -> HttpResponse:
    batch = _batch_or_404(batch_id)
    items = _batch_withdrawals(batch)
    forms = forms or {}
    rows = [{"w": w, "form": forms.get(w.id) or TransferReturnForm(auto_id=f"id_%s_{w.id}")} for w in items]
    return render(
        request,
        "web/staff_batch.html",
        {"batch": batch, "rows": rows, "totals": _totals(items)},
        status=status,
    )


@staff_only
def staff_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _staff_batch_page(request, batch_id)


@staff_only
def staff_batch_zengin(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(batch_id)
    body = payout_services.payout_batch_zengin(batch=batch, staff=me(request))
    resp = HttpResponse(body, content_type="text/plain; charset=Shift_JIS")
    resp["Content-Disposition"] = f'attachment; filename="zengin-{batch.pay_date:%Y%m%d}-{batch.id}.txt"'
    return resp


@staff_only
@require_POST
def staff_batch_confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    _batch_or_404(batch_id)
    ok, batch = _run(request, lambda: payout_services.payout_batch_confirm(staff=me(request), batch_id=batch_id))
    if ok and batch is not None:
        t = _totals(_batch_withdrawals(batch))
        messages.success(
            request,
            _("Batch #%(id)s confirmed: %(count)s transfer(s) marked paid, %(net)s sent (fees %(fee)s).")
            % {"id": batch.id, "count": t["count"], "net": yen(t["net_jpy"]), "fee": yen(t["fee_jpy"])},
        )
    return redirect("web:staff_batch", batch_id)


@staff_only
@require_POST
def staff_withdrawal_return(request: HttpRequest, batch_id: int, withdrawal_id: int) -> HttpResponse:
    batch = _batch_or_404(batch_id)
    if withdrawal_id not in {w.id for w in _batch_withdrawals(batch)}:
        raise Http404
    form = TransferReturnForm(request.POST, auto_id=f"id_%s_{withdrawal_id}")
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        ok, w = _run(
            request,
            lambda: payout_services.withdrawal_return(staff=me(request), withdrawal_id=withdrawal_id, reason=reason),
            form,
        )
        if ok and w is not None:
            messages.success(
                request,
                _(
                    "Transfer #%(id)s marked returned: %(amount)s (the fee included) is back in %(name)s's "
                    "balance, and they were asked to fix their bank account."
                )
                % {"id": w.id, "amount": yen(w.amount_jpy), "name": w.user.display_name},
            )
            return redirect("web:staff_batch", batch_id)
    bad_form(request, form)
    return _staff_batch_page(request, batch_id, forms={withdrawal_id: form}, status=_status(form))
