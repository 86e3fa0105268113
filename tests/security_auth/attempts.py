"""Run in a separate process (tests/security_auth/test_processes.py): sign-in attempts through
the real request path, printed as JSON. Arguments come from the environment:
AUTH_SIGNUP=1 makes the account first; AUTH_PASSWORDS is a JSON list of passwords to try."""

from __future__ import annotations

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.test import Client  # noqa: E402

EMAIL = os.environ["AUTH_EMAIL"]
RIGHT = os.environ["AUTH_RIGHT"]


def main() -> None:
    from django.conf import settings

    out: dict[str, object] = {"cache": settings.CACHES["default"]["BACKEND"], "pid": os.getpid()}
    if os.environ.get("AUTH_SIGNUP") == "1":
        r = Client().post(
            "/api/auth/signup",
            {"email": EMAIL, "password": RIGHT, "display_name": "別プロセス"},
            content_type="application/json",
        )
        out["signup"] = r.status_code
    statuses = []
    for password in json.loads(os.environ["AUTH_PASSWORDS"]):
        r = Client().post("/api/auth/token", {"email": EMAIL, "password": password}, content_type="application/json")
        statuses.append(r.status_code)
        if r.status_code == 429:
            out["retry_after"] = r.json()["retry_after"]
    out["statuses"] = statuses
    print(json.dumps(out))


if __name__ == "__main__":
    main()
