"""Checking a password, for the web login, `POST /api/auth/token` and a sign-up replay: one
path, throttled in the shared cache (settings.CACHES: the database or Redis).

Counters, per sign-in attempt that fails:
- the address (a keyed hash of the email, so the cache holds no addresses),
- the client IP (an IPv6 client by its /64), allowed `CHUKAI_LOGIN_IP_FACTOR` times more,
- the known device, when the attempt carries a valid device cookie.
`CHUKAI_LOGIN_MAX_FAILURES` failures within `CHUKAI_LOGIN_LOCK_SECONDS` lock the counter for
that long (429 with `retry_after`); a locked attempt checks no password and counts nothing.

So that a stranger cannot lock out the owner:
- a client that signed in to the account before (a signed device cookie, bound to the
  password) passes the address and IP locks with the right password — its own failures are
  counted on the device, which locks in turn;
- an IP lock does not stop an address that has signed in from that IP before (everyone behind
  one office NAT), while that address's own lock still applies.

Each failure holds one slot key, claimed with `cache.add` (atomic in every backend), so
parallel attempts cannot lose counts the way a read-modify-write counter does. Locks and
slots use real time (an attacker does not follow the manual clock).
"""

from __future__ import annotations

import ipaddress
import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from chukai.accounts.models import User
from chukai.errors import RateLimited, Unauthorized

DEVICE_SALT = "chukai.accounts.device"
WRONG = "Wrong email address or password."


@dataclass
class Device:
    user_id: int
    nonce: str


def _digest(kind: str, value: str) -> str:
    return salted_hmac("chukai.signin." + kind, value).hexdigest()[:32]


def address_key(email: str) -> str:
    return _digest("email", (email or "").strip().lower())


def ip_key(ip: str) -> str:
    """One client: an IPv4 address, or an IPv6 /64 (one subscriber's whole prefix)."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip or "unknown"
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return str(addr.ipv4_mapped)
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


# --- the counters ---------------------------------------------------------------------


def _limit(kind: str) -> int:
    n = int(settings.CHUKAI_LOGIN_MAX_FAILURES)
    return n * int(settings.CHUKAI_LOGIN_IP_FACTOR) if kind == "ip" else n


def _lock_key(kind: str, ident: str) -> str:
    return f"signin:lock:{kind}:{ident}"


def _slot_keys(kind: str, ident: str) -> list[str]:
    return [f"signin:fail:{kind}:{ident}:{i}" for i in range(1, _limit(kind) + 1)]


def _fail(kind: str, ident: str) -> None:
    lock_seconds = int(settings.CHUKAI_LOGIN_LOCK_SECONDS)
    slots = _slot_keys(kind, ident)
    taken = cache.get_many(slots)
    count = len(taken)
    for key in slots:
        if key not in taken and cache.add(key, 1, timeout=lock_seconds):
            count += 1
            break
    else:
        count = len(slots)  # every slot was taken meanwhile: as many failures as the limit
    if count >= len(slots):
        cache.set(_lock_key(kind, ident), time.time() + lock_seconds, timeout=lock_seconds)
        cache.delete_many(slots)


def _known_ip_key(ip: str, address: str) -> str:
    return f"signin:known:{ip_key(ip)}:{address}"


# --- the known device -----------------------------------------------------------------


def device_for(raw: str | None, user: User | None) -> Device | None:
    """The device a cookie names, if it is valid for this user and their current password."""
    if not raw or user is None:
        return None
    try:
        data = signing.loads(raw, salt=DEVICE_SALT, max_age=settings.CHUKAI_DEVICE_COOKIE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk:
        return None
    if not secrets.compare_digest(str(data.get("h", "")), user.get_session_auth_hash()[:20]):
        return None  # the password changed since: every device must sign in again
    return Device(user_id=user.pk, nonce=str(data.get("n", "")))


def device_cookie(user: User, device: Device | None = None) -> str:
    """A signed cookie value naming this client as one the user signed in from."""
    nonce = device.nonce if device is not None and device.user_id == user.pk else secrets.token_urlsafe(12)
    return signing.dumps({"u": user.pk, "n": nonce, "h": user.get_session_auth_hash()[:20]}, salt=DEVICE_SALT)


def set_device_cookie(response: HttpResponse, value: str) -> None:
    response.set_cookie(
        settings.CHUKAI_DEVICE_COOKIE_NAME,
        value,
        max_age=settings.CHUKAI_DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
    )


# --- signing in -----------------------------------------------------------------------


@dataclass
class SignedIn:
    user: User
    device_cookie: str


def _retry_after(locks: dict[str, float], keys: list[str]) -> int:
    until = max(float(locks[k]) for k in keys)
    return max(1, math.ceil(until - time.time()))


def check_password(*, email: str, password: str, ip: str, device: str | None = None) -> SignedIn:
    """The user for an email and password, or RateLimited (429) / Unauthorized (401).

    An unknown or inactive address costs one password hash too, so the time taken does not
    tell whether an account exists; a locked attempt costs none, for anyone.
    """
    email = (email or "").strip().lower()
    password = password or ""
    address = address_key(email)
    user = User.objects.filter(email=email).first()
    known = device_for(device, user)
    keys = {
        "email": _lock_key("email", address),
        "ip": _lock_key("ip", ip_key(ip)),
        "known_ip": _known_ip_key(ip, address),
    }
    if known is not None:
        keys["device"] = _lock_key("device", known.nonce)
    found = cache.get_many(list(keys.values()))
    device_ok = known is not None and keys["device"] not in found
    blocking = []
    if keys["email"] in found and not device_ok:
        blocking.append(keys["email"])
    if keys["ip"] in found and not (device_ok or keys["known_ip"] in found):
        blocking.append(keys["ip"])
    if blocking:
        raise RateLimited(
            "Too many failed sign-ins. Please wait and try again.", retry_after=_retry_after(found, blocking)
        )

    if user is None:
        make_password(password)  # the work of checking a password, for an address with no account
        ok = False
    else:
        ok = user.check_password(password) and user.is_active
    if not ok:
        _fail("email", address)
        _fail("ip", ip_key(ip))
        if known is not None:
            _fail("device", known.nonce)
        raise Unauthorized(WRONG)
    assert user is not None
    cache.delete_many(_slot_keys("email", address))  # a lock in force stays (the guesser may still be at it)
    cache.set(keys["known_ip"], 1, timeout=settings.CHUKAI_KNOWN_IP_DAYS * 86400)
    return SignedIn(user=user, device_cookie=device_cookie(user, known))


def retry_after(exc: RateLimited) -> int:
    return int(exc.extra.get("retry_after", settings.CHUKAI_LOGIN_LOCK_SECONDS))
