from typing import Any

import pytest

from tests.stories.helpers import clock  # noqa: F401 - the manual clock fixture

SECRET = "whsec_test_moneyin"


@pytest.fixture(autouse=True)
def webhook_secret(settings: Any) -> str:
    settings.CHUKAI_PAYMENT_WEBHOOK_SECRET = SECRET
    return SECRET
