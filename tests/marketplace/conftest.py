"""Fixtures of the page tests (tests/web), shared here; browser tests live in tests/e2e (one Playwright session per run)."""

from tests.web.conftest import _fast, client_page, worker_page  # noqa: F401
