"""Page forms. They check shape and range with translated messages; the services
check the rules (and raise Invalid / RuleViolation, shown on the same form)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chukai.common import text as text_rules
from chukai.policies import rulebooks
from chukai.support.models import SupportCase
from chukai.web import labels

MAX_YEN = 100_000_000


class YenField(forms.IntegerField):
    """Whole yen; accepts what people type: 30,000 / ¥30,000 / 30000円 / full-width digits."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = value.translate(str.maketrans("０１２３４５６７８９，", "0123456789,"))
            value = value.strip().removeprefix("¥").removeprefix("￥").removesuffix("円").replace(",", "").strip()
        return super().to_python(value)


def _yen(label: Any, *, min_value: int = 1, required: bool = True, help_text: Any = "") -> forms.IntegerField:
    return YenField(
        label=label,
        min_value=min_value,
        max_value=MAX_YEN,
        required=required,
        help_text=help_text,
        error_messages={
            "required": _("Enter an amount in yen."),
            "invalid": _("Enter a whole number of yen (digits only)."),
            "min_value": _("The amount must be at least ¥%(limit_value)s."),
            "max_value": _("The amount must be at most ¥%(limit_value)s."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _one_line_text(value: str) -> None:
    if text_rules.one_line_error(value):
        raise forms.ValidationError(_("Control, line-break and text-direction characters are not allowed here."))


def _multi_line_text(value: str) -> None:
    if text_rules.multi_line_error(value):
        raise forms.ValidationError(_("Control characters are not allowed (only tab and line breaks)."))


class _TextField(forms.CharField):
    """Text as the API takes it (chukai.common.text): a text area's CR LF becomes LF."""

    def __init__(self, *, multi_line: bool, **kw: Any) -> None:
        self.multi_line = multi_line
        super().__init__(validators=[_multi_line_text if multi_line else _one_line_text], **kw)

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return str(text_rules.normalize_newlines(value)) if self.multi_line else value


def _text(label: Any, *, max_length: int, required: bool = True, textarea: bool = False, **kw: Any) -> forms.CharField:
    return _TextField(
        multi_line=textarea,
        label=label,
        max_length=max_length,
        required=required,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}) if textarea else forms.TextInput(),
        error_messages={
            "required": _("This field is required."),
            "max_length": _("At most %(limit_value)d characters."),
        },
        **kw,
    )


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        error_messages={"required": _("Enter your email address."), "invalid": _("Enter a valid email address.")},
    )
    display_name = _text(_("Display name"), max_length=100)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not a common password."),
        error_messages={"required": _("Choose a password.")},
    )
    locale = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="ja", required=False)
    time_zone = forms.CharField(label=_("Time zone"), initial="Asia/Tokyo", max_length=64)

    def clean_locale(self) -> str:
        return self.cleaned_data.get("locale") or "ja"

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password: str = self.cleaned_data["password"]
        validate_password(password)  # Django's own messages, translated into Japanese by Django
        return password

    def clean_time_zone(self) -> str:
        tz = self.cleaned_data["time_zone"].strip()
        if text_rules.time_zone_error(tz):  # canonical IANA names only, as the API (no localtime, right/…)
            raise forms.ValidationError(_("Unknown time zone (for example Asia/Tokyo)."))
        return tz


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        error_messages={"required": _("Enter your email address."), "invalid": _("Enter a valid email address.")},
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )


class PreferencesForm(forms.Form):
    display_name = _text(_("Display name"), max_length=100)
    locale = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64)

    clean_time_zone = SignupForm.clean_time_zone


def policy_choices() -> list[tuple[str, str]]:
    out = []
    for name in rulebooks.NAMES:
        p = rulebooks.current(name)
        out.append((name, p["label"]["ja"] + " / " + p["label"]["en"]))
    return out


class JobForm(forms.Form):
    title = _text(_("Title"), max_length=200)
    description = _text(_("Description"), max_length=20_000, textarea=True)
    budget_jpy = _yen(_("Budget (yen, tax included)"))
    pricing = forms.ChoiceField(
        label=_("Pricing"),
        choices=[("fixed", _("Fixed price (project)")), ("hourly", _("Hourly"))],
        initial="fixed",
    )
    policy = forms.ChoiceField(
        label=_("Policy (the contract's rulebook)"),
        choices=policy_choices,
        initial=rulebooks.DEFAULT_POLICY,
        widget=forms.RadioSelect,
    )


class ProposalForm(forms.Form):
    amount_jpy = _yen(_("Total amount (yen)"))
    message = _text(_("Message to the client"), max_length=10_000, textarea=True)
    milestones = forms.CharField(
        label=_("Milestones (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "構成案, 10000\n本文, 40000"}),
        help_text=_("One per line: title, amount in yen. They must add up to the total. Empty: one milestone."),
    )

    def clean_milestones(self) -> list[dict[str, Any]] | None:
        return parse_milestones(self.cleaned_data.get("milestones") or "", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ms, total = data.get("milestones"), data.get("amount_jpy")
        if ms and total is not None and sum(m["amount_jpy"] for m in ms) != total:
            self.add_error(
                "milestones",
                _("The milestones add up to ¥%(sum)s, not ¥%(total)s.")
                % {"sum": f"{sum(m['amount_jpy'] for m in ms):,}", "total": f"{total:,}"},
            )
        return data


def parse_milestones(text: str, *, required: bool) -> list[dict[str, Any]] | None:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        if required:
            raise forms.ValidationError(_("Give at least one milestone."))
        return None
    out = []
    for i, line in enumerate(lines, 1):
        title, sep, amount = line.replace("，", ",").rpartition(",")
        title = title.strip()
        amount = amount.strip().replace("¥", "").replace("円", "").replace("_", "")
        try:
            yen = int(amount.replace(",", "")) if sep else None
        except ValueError:
            yen = None
        if title and text_rules.one_line_error(title):  # a milestone title is one line, as in the API
            raise forms.ValidationError(
                _("Control, line-break and text-direction characters are not allowed here.") + f" ({i})"
            )
        if not title or yen is None or not 1 <= yen <= MAX_YEN or len(title) > 200:
            raise forms.ValidationError(
                _("Line %(n)d: write “title, amount” with an amount from ¥1 to ¥100,000,000.") % {"n": i}
            )
        out.append({"title": title, "amount_jpy": yen})
    if len(out) > 50:
        raise forms.ValidationError(_("At most 50 milestones."))
    return out


class DeliverForm(forms.Form):
    message = _text(_("Completion report (optional)"), max_length=10_000, required=False, textarea=True)


class RevisionForm(forms.Form):
    reason = _text(_("What should be revised?"), max_length=10_000, textarea=True)


class DueDateForm(forms.Form):
    due_date = forms.DateField(
        label=_("New due date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Choose a date."), "invalid": _("Enter a date like 2026-12-31.")},
    )

    def __init__(self, *args: Any, today: dt.date | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.today = today

    def clean_due_date(self) -> dt.date:
        d: dt.date = self.cleaned_data["due_date"]
        if self.today is not None and d < self.today:
            raise forms.ValidationError(_("The new due date is in the past."))
        return d


class PlanChangeForm(forms.Form):
    milestones = forms.CharField(
        label=_("New plan for the unfunded part"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: title, amount in yen. Replaces every milestone not yet funded."),
        error_messages={"required": _("Give at least one milestone.")},
    )

    def clean_milestones(self) -> list[dict[str, Any]] | None:
        return parse_milestones(self.cleaned_data.get("milestones") or "", required=True)


class MessageForm(forms.Form):
    body = _text(_("Message"), max_length=10_000, textarea=True)
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)


class TerminationForm(forms.Form):
    reason = _text(_("Reason"), max_length=10_000, textarea=True)
    pay_worker_jpy = _yen(
        _("Pay the worker for work done (yen, optional)"),
        min_value=0,
        required=False,
        help_text=_("At most the escrowed amount; the rest is refunded to the client."),
    )


class SupportCaseForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Topic"),
        choices=[(k, labels.CASE_KINDS[k]) for k in SupportCase.KINDS],
    )
    body = _text(_("What happened?"), max_length=10_000, textarea=True)


class EscalateForm(forms.Form):
    body = _text(_("Note to the support office (optional)"), max_length=10_000, required=False, textarea=True)


class NoticeForm(forms.Form):
    to = forms.ChoiceField(label=_("To"), choices=[(r, labels.ROLES[r]) for r in ("client", "worker")])
    body = _text(_("Notice"), max_length=10_000, textarea=True)
    respond_within_days = forms.IntegerField(
        label=_("Respond within (days)"),
        min_value=1,
        max_value=30,
        initial=5,
        error_messages={
            "invalid": _("Enter a number of days."),
            "min_value": _("At least 1 day."),
            "max_value": _("At most 30 days."),
        },
    )


class NoteForm(forms.Form):
    body = _text(_("Internal note (staff only)"), max_length=10_000, textarea=True)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        # extend_due_date needs a date; the console does not offer it (the API does).
        choices=[
            (d, labels.DECISIONS[d])
            for d in (SupportCase.RELEASE_DELIVERED, SupportCase.REFUND_ESCROW, SupportCase.SPLIT, SupportCase.CANCEL)
        ],
        widget=forms.RadioSelect,
    )
    pay_worker_jpy = _yen(_("For a split: yen to the worker"), min_value=0, required=False)
    reason = _text(_("Reason (shown on the timeline)"), max_length=10_000, required=False, textarea=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "split" and data.get("pay_worker_jpy") is None:
            self.add_error("pay_worker_jpy", _("A split needs the amount for the worker."))
        return data


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Stars"), coerce=int, choices=[(i, "★" * i) for i in range(5, 0, -1)], widget=forms.RadioSelect
    )
    comment = _text(_("Comment"), max_length=2000, required=False, textarea=True)


# --- Money out (DOMAIN §10). Shape only here; the payouts services check the rules
# (minimum, balance, bank codes, katakana) and their field errors land on these forms.


class WithdrawForm(forms.Form):
    amount_jpy = _yen(_("Amount to withdraw (yen)"), help_text=_("The transfer fee is deducted from this amount."))


class BankAccountForm(forms.Form):
    bank_code = _text(
        _("Bank code (4 digits)"),
        max_length=8,
        help_text=_(
            "For example 0001 (Mizuho), 0005 (MUFG), 0009 (SMBC), 9900 (Japan Post Bank). "
            "The bank and branch names are filled in from the codes."
        ),
    )
    branch_code = _text(_("Branch code (3 digits)"), max_length=8)
    account_type = forms.ChoiceField(
        label=_("Account type"),
        choices=[(k, labels.ACCOUNT_TYPES[k]) for k in ("ordinary", "checking", "savings")],
        initial="ordinary",
        error_messages={"required": _("Choose the account type."), "invalid_choice": _("Choose the account type.")},
    )
    account_number = _text(_("Account number (up to 7 digits)"), max_length=16)
    holder_kana = _text(
        _("Account holder (katakana)"),
        max_length=60,
        help_text=_(
            "Exactly as on your passbook, in katakana: for example ヤマダ タロウ. "
            "Full- or half-width both work; it is stored in the half-width form banks use."
        ),
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        for name in ("bank_code", "branch_code", "account_number"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["holder_kana"].widget.attrs.update({"autocomplete": "off", "lang": "ja"})


class PayoutBatchForm(forms.Form):
    pay_date = forms.DateField(
        label=_("Pay day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Choose a date."), "invalid": _("Enter a date like 2026-12-31.")},
    )


class TransferReturnForm(forms.Form):
    reason = _text(_("Why the bank returned it"), max_length=1000)
