"""Money in on the website: the fund button leads to a confirmation step (DOMAIN §11).

The step shows what funding will charge — computed by `contracts.money.fund_quote`, the function
the funding itself uses — and the payment method; nothing is charged before the client confirms.
A declined card keeps the client on this step with the gateway's reason.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from chukai.contracts import services as contract_services
from chukai.contracts.models import Milestone
from chukai.errors import RuleViolation
from chukai.payments.gateway import SANDBOX_TOKEN_OK
from chukai.policies.rulebooks import transfer_pay_days
from chukai.web import labels
from chukai.web.views.common import attempt, me
from chukai.web.views.contracts import _contract, contract_context

PAYMENT_REFUSALS = ("payment_declined", "payment_failed")


class FundForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("Payment method"),
        choices=[(k, v) for k, v in labels.PAYMENT_METHODS.items()],
        required=False,
        widget=forms.RadioSelect,
    )
    card_token = forms.CharField(label=gettext_lazy("Card token"), max_length=200, required=False)


def _page(
    request: HttpRequest, contract: Any, m: Milestone, form: FundForm, *, declined: str = "", status: int = 200
) -> HttpResponse:
    uid = me(request).pk
    quote = contract_services.fund_preview(user_id=uid, contract_id=contract.pk, milestone_id=m.pk)
    return render(
        request,
        "web/fund_confirm.html",
        {
            "contract": contract,
            "m": m,
            "q": quote,
            "form": form,
            "declined": declined,
            "method": form.data.get("method") or "card",
            "token": form.data.get("card_token") if form.is_bound else SANDBOX_TOKEN_OK,
            "pay_days": transfer_pay_days(contract.policy),
            "counterpart": contract.worker,
        },
        status=status,
    )


@login_required
def fund_confirm(request: HttpRequest, contract_id: int, milestone_id: int) -> HttpResponse:
    user = me(request)
    contract = _contract(request, contract_id)  # 404 for anyone who is not a party or staff
    m = contract.milestones.filter(pk=milestone_id).first()
    if request.method != "POST":
        if m is None or contract.client_id != user.pk or m.status != Milestone.UNFUNDED or not contract.is_open:
            return redirect(f"/contracts/{contract_id}#milestones")
        return _page(request, contract, m, FundForm())

    form = FundForm(request.POST)
    if not form.is_valid():
        if m is None or contract.client_id != user.pk:
            return render(request, "web/contract.html", contract_context(request, contract_id), status=422)
        messages.error(request, _("Please correct the errors below. Nothing was saved."))
        return _page(request, contract, m, form, status=422)
    method = form.cleaned_data["method"] or "card"
    token = (form.cleaned_data["card_token"] or "").strip() or SANDBOX_TOKEN_OK
    refused: list[RuleViolation] = []

    def fund() -> Any:
        try:
            return contract_services.milestone_fund(
                user_id=user.pk, contract_id=contract_id, milestone_id=milestone_id, method=method, token=token
            )
        except RuleViolation as exc:
            if exc.code not in PAYMENT_REFUSALS:
                raise
            refused.append(exc)
            return None

    ok, _result = attempt(request, fund)
    if ok and not refused:
        m = Milestone.objects.get(pk=milestone_id)
        if m.status == Milestone.AWAITING_PAYMENT:
            messages.success(
                request,
                _("Bank transfer chosen. Transfer the amount shown to the account below by the pay-by time."),
            )
            return redirect(f"/contracts/{contract_id}#milestone-{milestone_id}")
        messages.success(request, _("Escrow funded. The worker can start on this milestone."))
        return redirect(f"/contracts/{contract_id}#milestones")
    if refused and m is not None:
        # A declined card or a failing gateway: nothing changed; stay on this step with the reason.
        exc = refused[0]
        reason = exc.extra.get("reason") if isinstance(exc.extra.get("reason"), dict) else None
        text = (reason or {}).get(get_language() or "ja") or labels.label(labels.REASONS, exc.code)
        return _page(request, contract, m, form, declined=text, status=409)
    return render(request, "web/contract.html", contract_context(request, contract_id), status=409)
