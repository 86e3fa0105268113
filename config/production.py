"""What a serving process checks before it answers anyone (wsgi, asgi, `manage.py serve`)."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

SECRET_KEY_HELP = (
    "DJANGO_SECRET_KEY is not set and DEBUG is off: refusing to start. "
    "Set DJANGO_SECRET_KEY to a long random value shared by every process of the site, e.g. "
    "DJANGO_SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')\" "
    "(`make run` generates one in var/secret_key), or DJANGO_DEBUG=1 on a developer machine."
)


def require_safe_settings() -> None:
    """Refuse to serve with DEBUG off and no secret key (Django's own error comes only at the first request)."""
    from django.conf import settings

    if not settings.DEBUG and not os.environ.get("DJANGO_SECRET_KEY"):
        raise ImproperlyConfigured(SECRET_KEY_HELP)
