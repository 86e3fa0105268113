"""Pages for papers: the PDF download (session sign-in) and the account's papers with who you are on them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chukai.accounts.services import me_update
from chukai.documents import pdf, selectors
from chukai.errors import NotFound
from chukai.web.views.common import attempt, me


@login_required
def document_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    try:
        doc = selectors.document_for(user=me(request), document_id=document_id)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(pdf.render(doc.payload), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="chukai-{doc.kind}-{doc.number}.pdf"'
    return response


class TaxIdentityForm(forms.Form):
    entity_type = forms.ChoiceField(
        label=gettext_lazy("Individual or company"),
        choices=[("individual", gettext_lazy("Individual")), ("company", gettext_lazy("Company"))],
    )
    legal_name = forms.CharField(
        label=gettext_lazy("Name on papers"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Your legal or trade name; your display name is printed when empty."),
    )
    invoice_registration_number = forms.CharField(
        label=gettext_lazy("Qualified-invoice registration number"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("T and 13 digits (適格請求書発行事業者登録番号). Empty when you are not registered."),
    )


@login_required
def account_papers(request: HttpRequest) -> HttpResponse:
    user = me(request)
    form = TaxIdentityForm(
        request.POST or None,
        initial={
            "entity_type": user.entity_type,
            "legal_name": user.legal_name,
            "invoice_registration_number": user.invoice_registration_number,
        },
    )
    if request.method == "POST" and form.is_valid():
        ok, _u = attempt(request, lambda: me_update(user=user, changes=dict(form.cleaned_data)), form)
        if ok:
            messages.success(request, _("Your settings were saved."))
            return redirect("web:account_papers")
    papers = selectors.papers_for_page(user=user)
    return render(
        request,
        "documents/account_papers.html",
        {"form": form, "papers": papers, "me_user": user},
        status=422 if form.errors else 200,
    )
