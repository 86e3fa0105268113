"""Sign-in throttling: after N failures for an address (or from one IP) it is locked for a while.

Kept in Django's cache; counts use real time (an attacker does not follow the manual clock).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(email: str, ip: str) -> list[str]:
    h = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    return [f"web:login:email:{h}", f"web:login:ip:{ip}"]


def _limits() -> tuple[int, int]:
    return settings.CHUKAI_LOGIN_MAX_FAILURES, settings.CHUKAI_LOGIN_LOCK_SECONDS


def login_blocked(*, email: str, ip: str) -> bool:
    max_failures, _ = _limits()
    email_key, ip_key = _keys(email, ip)
    # An IP gets more room than one address (an office behind one NAT).
    return int(cache.get(email_key, 0)) >= max_failures or int(cache.get(ip_key, 0)) >= max_failures * 4


def login_failed(*, email: str, ip: str) -> None:
    _, lock = _limits()
    for key in _keys(email, ip):
        if cache.add(key, 1, timeout=lock):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=lock)


def login_succeeded(*, email: str, ip: str) -> None:
    cache.delete(_keys(email, ip)[0])
