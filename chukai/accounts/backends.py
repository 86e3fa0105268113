"""Every `authenticate()` with a password (the Django admin's login, `Client.login`) goes through
the throttled sign-in check, so no door is left that counts nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from chukai.accounts import signin
from chukai.accounts.models import User
from chukai.errors import RateLimited, Unauthorized


class SignInBackend(ModelBackend):
    """Listed first; ModelBackend after it only loads the users of existing sessions: a refused
    check raises PermissionDenied, which stops `authenticate()` before any other backend tries."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        email = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if email is None or password is None:
            return None
        try:
            signed_in = signin.check_password(
                email=str(email),
                password=password,
                ip=signin.client_ip(request) if request is not None else "unknown",
                device=request.COOKIES.get(settings.CHUKAI_DEVICE_COOKIE_NAME) if request is not None else None,
            )
        except (RateLimited, Unauthorized):
            raise PermissionDenied from None
        return signed_in.user
