from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api


@pytest.fixture
def staff(db: Any) -> Api:
    from chukai.accounts.models import User

    User.objects.create_user("papers-office@example.com", "correct horse battery", is_staff=True, display_name="事務局")
    r = Api().post("/api/auth/token", {"email": "papers-office@example.com", "password": "correct horse battery"})
    return Api(r.json()["token"], None)
