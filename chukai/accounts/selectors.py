from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chukai.accounts.models import User
from chukai.errors import NotFound
from chukai.ledger.selectors import user_balance_jpy

# Other apps add to the `me` and profile answers (banners, ratings, penalty marks).
ME_EXTRAS: list[Callable[[User, dict[str, Any]], None]] = []
PROFILE_EXTRAS: list[Callable[[User, dict[str, Any]], None]] = []


def me_dict(user: User) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "is_staff": user.is_staff,
        "balance_jpy": user_balance_jpy(user.pk),
        "locale": user.locale,
        "time_zone": user.time_zone,
        "email_status": user.email_status,
        "last_seen_at": user.last_seen_at,
        "entity_type": user.entity_type,
        "legal_name": user.legal_name,
        "invoice_registration_number": user.invoice_registration_number or None,
    }
    for fn in ME_EXTRAS:
        fn(user, out)
    return out


def profile_dict(*, user_id: int) -> dict[str, Any]:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound("No such user.")
    out: dict[str, Any] = {
        "id": user.pk,
        "display_name": user.display_name,
        "member_since": user.date_joined,
        "rating_average": None,
        "rating_count": 0,
        "ratings": [],
        "penalty_marks": [],
    }
    for fn in PROFILE_EXTRAS:
        fn(user, out)
    return out
