"""Shared steps for the stories: a manual clock moved through the API, money read from the ledger."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from chukai.ledger.models import Account
from chukai.ledger.services import balance_of
from tests.conftest import Api

START = "2026-09-01T09:00:00+09:00"  # a Tuesday in Tokyo


class Clock:
    def __init__(self, api: Api) -> None:
        self.api = api

    def set(self, iso: str) -> dict[str, Any]:
        r = self.api.post("/api/_clock", {"now": iso})
        assert r.status_code == 200, r.content
        return r.json()

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> dict[str, Any]:
        seconds = int(days * 86400 + hours * 3600 + minutes * 60)
        r = self.api.post("/api/_clock", {"advance_seconds": seconds})
        assert r.status_code == 200, r.content
        return r.json()


@pytest.fixture
def clock(db: Any) -> Any:
    with override_settings(CHUKAI_MANUAL_CLOCK=True):
        c = Clock(Api())
        c.set(START)
        yield c


def platform_fees() -> int:
    acc = Account.objects.filter(kind=Account.FEES).first()
    return balance_of(acc)


def balance(api: Api) -> int:
    r = api.get("/api/me")
    assert r.status_code == 200, r.content
    return int(r.json()["balance_jpy"])


def say(api: Api, contract_id: int, body: str) -> dict[str, Any]:
    r = api.post(f"/api/contracts/{contract_id}/messages", {"body": body})
    assert r.status_code == 201, r.content
    return r.json()


def notification_kinds(api: Api) -> list[str]:
    r = api.get("/api/me/notifications")
    assert r.status_code == 200, r.content
    body = r.json()
    items = body["items"] if isinstance(body, dict) else body
    return [n["kind"] for n in items]


def penalty_marks(viewer: Api, user_id: int) -> list[dict[str, Any]]:
    r = viewer.get(f"/api/users/{user_id}/profile")
    assert r.status_code == 200, r.content
    return list(r.json()["penalty_marks"])


def contract(api: Api, contract_id: int) -> dict[str, Any]:
    r = api.get(f"/api/contracts/{contract_id}")
    assert r.status_code == 200, r.content
    return r.json()


def check_invariants() -> None:
    from tests.foundation.invariants import assert_ledger_invariants

    assert_ledger_invariants()
