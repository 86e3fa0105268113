"""Password rules beyond Django's own validators (settings.AUTH_PASSWORD_VALIDATORS).

Messages are English msgids translated by the project's catalog (ja), like Django's.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MaximumLengthValidator:
    """A bound on what is hashed: a megabyte "password" costs the server, not the guesser."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("This password is too long. It may have at most %(max_length)d characters."),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("Your password may have at most %(max_length)d characters.") % {"max_length": self.max_length}


class NotOnlyWhitespaceValidator:
    """Eight spaces are eight characters, and no password."""

    def validate(self, password: str, user: Any = None) -> None:
        if password and not password.strip():
            raise ValidationError(_("Your password cannot be only spaces."), code="password_only_whitespace")

    def get_help_text(self) -> str:
        return _("Your password cannot be only spaces.")


class PublishedPasswordValidator:
    """The demo password is printed in the README: only the demo accounts may keep it."""

    def validate(self, password: str, user: Any = None) -> None:
        from chukai.common import demo

        demo_emails = {demo.CLIENT_EMAIL, demo.WORKER_EMAIL, demo.STAFF_EMAIL}
        if password == demo.PASSWORD and getattr(user, "email", None) not in demo_emails:
            raise ValidationError(
                _("This password is published (it is the demo password). Choose another."),
                code="password_published",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be the published demo password.")
