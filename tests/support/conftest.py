from __future__ import annotations

from typing import Any

import pytest

from chukai.contracts import hooks
from tests.stories.helpers import clock  # noqa: F401 - fixture: the manual clock moved through the API


@pytest.fixture
def notified(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every `hooks.notify` call made during the test (kept besides the real listeners)."""
    seen: list[dict[str, Any]] = []

    def capture(*, contract: Any, user_id: int, kind: str, params: dict[str, Any]) -> None:
        seen.append({"contract_id": contract.pk if contract else None, "user_id": user_id, "kind": kind, **params})

    monkeypatch.setattr(hooks, "_notify", [*hooks._notify, capture])
    return seen


@pytest.fixture
def staff(db: Any) -> Any:
    """A support-office user (Django staff) with its id."""
    from chukai.accounts.models import User
    from tests.conftest import Api

    user = User.objects.create_user("office@example.com", "correct horse battery", is_staff=True, display_name="事務局")
    r = Api().post("/api/auth/token", {"email": "office@example.com", "password": "correct horse battery"})
    assert r.status_code == 200, r.content
    return Api(r.json()["token"], user.pk)
