"""Production-like processes started from the tests: manage.py and gunicorn in subprocesses."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCTION_SECRET = "x7Kp2vQ9-production-like-secret-for-tests-only-Lm4Nw8Rt6Yz1Bc3"


def production_env(**extra: str) -> dict[str, str]:
    """The environment an operator gives a production process (nothing from pytest, no DEBUG)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "CHUKAI_", "DJANGO_")) and k not in ("DATABASE_URL",)
    }
    env.update(
        PYTHONPATH=str(REPO),
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=PRODUCTION_SECRET,
        DJANGO_ALLOWED_HOSTS="chukai.example,127.0.0.1",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://chukai.example",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_SECURE_HSTS_PRELOAD="1",
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
    )
    env.update(extra)
    return env


def manage(*args: str) -> list[str]:
    return [sys.executable, str(REPO / "manage.py"), *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
