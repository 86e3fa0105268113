from __future__ import annotations

from typing import Any

import pytest

from chukai.contracts import hooks


@pytest.fixture
def notified(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every `hooks.notify` call made during the test (kept besides the real listeners)."""
    seen: list[dict[str, Any]] = []

    def capture(*, contract: Any, user_id: int, kind: str, params: dict[str, Any]) -> None:
        seen.append({"contract_id": contract.pk if contract else None, "user_id": user_id, "kind": kind, **params})

    monkeypatch.setattr(hooks, "_notify", [*hooks._notify, capture])
    return seen
