"""Messages, contact reminders (link → confirmation → done), early termination, support cases, ratings."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chukai.errors import NotFound
from chukai.messaging import selectors as messaging
from chukai.messaging import services as messaging_services
from chukai.remedies import selectors as remedies
from chukai.remedies import services as remedies_services
from chukai.reputation import services as reputation_services
from chukai.support import services as support_services
from chukai.web import selectors as web_selectors
from chukai.web.forms import EscalateForm, MessageForm, RatingForm, SupportCaseForm, TerminationForm
from chukai.web.views.common import attempt, me
from chukai.web.views.contracts import _contract, act, rerender

# --- messages -----------------------------------------------------------------------


@login_required
@require_POST
def message_send(request: HttpRequest, contract_id: int) -> HttpResponse:
    uid = me(request).pk
    form = MessageForm(request.POST, request.FILES)

    def send() -> object:
        ids: list[int] = []
        upload = form.cleaned_data.get("attachment")
        if upload:
            ids.append(messaging_services.attachment_upload(user_id=uid, contract_id=contract_id, file=upload).pk)
        return messaging_services.message_post(
            user_id=uid, contract_id=contract_id, body=form.cleaned_data["body"], attachments=ids
        )

    return act(request, contract_id, send, _("Message sent."), form=form, form_key="message", anchor="#thread")


@login_required
def attachment_download(request: HttpRequest, contract_id: int, attachment_id: int) -> FileResponse:
    contract = _contract(request, contract_id)
    try:
        att = messaging.attachment_for(contract=contract, attachment_id=attachment_id)
    except NotFound:
        raise Http404 from None
    return messaging.attachment_response(att)


# --- contact reminder: link → confirmation (the preview, in yen) → done ---------------


@login_required
def reminder_confirm(request: HttpRequest, contract_id: int) -> HttpResponse:
    user = me(request)
    contract = _contract(request, contract_id)
    if contract.role_of(user.pk) is None:
        raise Http404
    if request.method == "POST":
        ok, reminder = attempt(
            request, lambda: remedies_services.reminder_file(user_id=user.pk, contract_id=contract_id)
        )
        if ok and reminder is not None:
            return redirect("web:contact_reminder_done", contract_id)
    preview = remedies_services.reminder_preview(contract=contract, user_id=user.pk)
    ms = {m.pk: m for m in contract.milestones.all()}
    rows = [
        {
            **r,
            "title": r.get("title") or (ms[r["id"]].title if r["id"] in ms else ""),
            "amount_jpy": ms[r["id"]].amount_jpy if r["id"] in ms else None,
        }
        for r in preview["outcome"]["milestones"]
    ]
    return render(
        request,
        "web/reminder_confirm.html",
        {
            "contract": contract,
            "p": preview,
            "rows": rows,
            "role": contract.role_of(user.pk),
            "counterpart": contract.worker if contract.client_id == user.pk else contract.client,
        },
        status=200 if request.method == "GET" else 409,
    )


@login_required
def reminder_done(request: HttpRequest, contract_id: int) -> HttpResponse:
    user = me(request)
    contract = _contract(request, contract_id)
    mine = [r for r in web_selectors.remedies_of(contract=contract)[0] if r.applicant_id == user.pk]
    reminder = mine[-1] if mine else None
    if reminder is None:
        return redirect("web:contract", contract_id)
    return render(
        request,
        "web/reminder_done.html",
        {
            "contract": contract,
            "r": remedies.reminder_dict(reminder),
            "counterpart": contract.worker if contract.client_id == user.pk else contract.client,
        },
    )


# --- early termination --------------------------------------------------------------


@login_required
@require_POST
def termination_request(request: HttpRequest, contract_id: int) -> HttpResponse:
    uid = me(request).pk
    form = TerminationForm(request.POST)
    return act(
        request,
        contract_id,
        lambda: remedies_services.termination_request(
            user_id=uid,
            contract_id=contract_id,
            reason=form.cleaned_data["reason"],
            pay_worker_jpy=form.cleaned_data.get("pay_worker_jpy"),
        ),
        _("Early termination requested. Your counterpart can agree or decline; silence makes it take effect."),
        form=form,
        form_key="termination",
        anchor="#termination",
    )


@login_required
@require_POST
def termination_decide(request: HttpRequest, contract_id: int, request_id: int, verdict: str) -> HttpResponse:
    uid = me(request).pk
    fns = {
        "agree": (remedies_services.termination_agree, _("You agreed. The contract ended as the request said.")),
        "decline": (remedies_services.termination_decline, _("You declined. The contract goes on.")),
        "withdraw": (remedies_services.termination_withdraw, _("You withdrew your request. The contract goes on.")),
    }
    if verdict not in fns:
        raise Http404
    fn, done = fns[verdict]
    return act(request, contract_id, lambda: fn(user_id=uid, request_id=request_id), done, anchor="#termination")


# --- support cases ------------------------------------------------------------------


@login_required
@require_POST
def support_open(request: HttpRequest, contract_id: int) -> HttpResponse:
    uid = me(request).pk
    form = SupportCaseForm(request.POST)
    return act(
        request,
        contract_id,
        lambda: support_services.case_open(
            user_id=uid, contract_id=contract_id, kind=form.cleaned_data["kind"], body=form.cleaned_data["body"]
        ),
        _("Your case was sent to the support office."),
        form=form,
        form_key="support",
        anchor="#support",
    )


@login_required
@require_POST
def support_escalate(request: HttpRequest, contract_id: int, case_id: int) -> HttpResponse:
    uid = me(request).pk
    form = EscalateForm(request.POST)
    if not form.is_valid():
        return rerender(request, contract_id, {})
    return act(
        request,
        contract_id,
        lambda: support_services.case_escalate(user_id=uid, case_id=case_id, body=form.cleaned_data["body"]),
        _("You asked the support office to decide."),
        anchor="#support",
    )


# --- ratings ------------------------------------------------------------------------


@login_required
@require_POST
def rating_submit(request: HttpRequest, contract_id: int) -> HttpResponse:
    uid = me(request).pk
    form = RatingForm(request.POST)
    return act(
        request,
        contract_id,
        lambda: reputation_services.rating_submit(
            user_id=uid,
            contract_id=contract_id,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data["comment"],
        ),
        _("Thank you. Your rating stays hidden until both have rated or the window closes."),
        form=form,
        form_key="rating",
        anchor="#rating",
    )
