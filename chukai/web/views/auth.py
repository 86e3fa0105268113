"""Sign up, sign in (throttled), sign out, password change, language and preferences."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chukai.accounts import signin
from chukai.accounts.services import user_signup
from chukai.errors import RateLimited, Unauthorized
from chukai.web.forms import LoginForm, PreferencesForm, SignupForm
from chukai.web.services import user_preferences_update
from chukai.web.views.common import attempt, me


def _next(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


def _auth_page(
    request: HttpRequest, form: object, heading: str, submit: str, status: int | None = None, **extra: object
) -> HttpResponse:
    status = status or (422 if getattr(form, "errors", None) else 200)
    ctx = {"form": form, "heading": heading, "submit_label": submit, **extra}
    return render(request, "web/auth_form.html", ctx, status=status)


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:dashboard")
    form = SignupForm(request.POST or None, initial={"locale": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        ok, user = attempt(request, lambda: user_signup(**form.cleaned_data), form)
        if ok and user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to chukai, %(name)s.") % {"name": user.display_name})
            resp = redirect("web:dashboard")
            resp.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.locale, samesite="Lax")
            signin.set_device_cookie(resp, signin.device_cookie(user))  # the browser that made the account
            return resp
    return _auth_page(
        request,
        form,
        _("Sign up"),
        _("Create my account"),
        alt_link=reverse("web:login"),
        alt_text=_("Already have an account? Sign in"),
    )


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next(request, reverse("web:dashboard")))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The same check as POST /api/auth/token: one throttle, one known-device rule.
        try:
            signed_in = signin.check_password(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                ip=signin.client_ip(request),
                device=request.COOKIES.get(settings.CHUKAI_DEVICE_COOKIE_NAME),
            )
        except RateLimited as exc:
            wait = signin.retry_after(exc)
            form.add_error(
                None,
                _("Too many failed sign-ins. Please wait %(minutes)d minutes and try again.")
                % {"minutes": max(1, -(-wait // 60))},
            )
            page = _auth_page(request, form, _("Sign in"), _("Sign in"), status=429)
            page["Retry-After"] = str(wait)
            return page
        except Unauthorized:
            form.add_error(None, _("Wrong email address or password."))
        else:
            user = signed_in.user
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            resp = redirect(_next(request, reverse("web:dashboard")))
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                resp.set_cookie(settings.LANGUAGE_COOKIE_NAME, getattr(user, "locale", "ja"), samesite="Lax")
            signin.set_device_cookie(resp, signed_in.device_cookie)
            return resp
    return _auth_page(
        request,
        form,
        _("Sign in"),
        _("Sign in"),
        alt_link=reverse("web:signup"),
        alt_text=_("New to chukai? Sign up"),
        next=request.GET.get("next", ""),
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("web:home")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(me(request), request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()  # every API token of the user stops working (User.save)
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed."))
        resp = redirect("web:account")
        # Device cookies are bound to the password: this browser stays known, the others are not.
        signin.set_device_cookie(resp, signin.device_cookie(user))
        return resp
    return _auth_page(request, form, _("Change password"), _("Change password"))


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = me(request)
    form = PreferencesForm(
        request.POST or None,
        initial={"display_name": user.display_name, "locale": user.locale, "time_zone": user.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        ok, _u = attempt(request, lambda: user_preferences_update(user_id=user.pk, **form.cleaned_data), form)
        if ok:
            messages.success(request, _("Your settings were saved."))
            resp = redirect("web:account")
            resp.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["locale"], samesite="Lax")
            return resp
    return render(request, "web/account.html", {"form": form, "me_user": user}, status=422 if form.errors else 200)


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    lang = request.POST.get("language", "")
    nxt = _next(request, reverse("web:home"))
    if lang not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        return HttpResponseRedirect(nxt)
    if request.user.is_authenticated:
        user_preferences_update(user_id=me(request).pk, locale=lang)
    resp = HttpResponseRedirect(nxt)
    resp.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, max_age=365 * 24 * 3600, samesite="Lax")
    return resp
