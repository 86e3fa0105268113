"""Fixtures of the page tests (tests/web) and the browser tests (tests/e2e), shared here."""

from tests.e2e.conftest import browser, new_page, site  # noqa: F401
from tests.web.conftest import _fast, client_page, worker_page  # noqa: F401
