"""Browser tests: Playwright driving Debian's Chromium against a live server on loopback.

Never downloads a browser (no `playwright install`); skips cleanly when
/usr/bin/chromium is missing. Time moves only through the manual clock.
Screenshots go to e2e-artifacts/ (printed at the end of the run).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("CHUKAI_E2E_ARTIFACTS", Path(__file__).resolve().parents[2] / "e2e-artifacts"))
PASSWORD = "correct horse battery"
_seq = itertools.count(1)
_shots: list[Path] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium)"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _shots:
        terminalreporter.write_line(f"e2e screenshots ({len(_shots)}) saved under {ARTIFACTS}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the
    # test body (clock moves, assertions) are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def site(live_server: Any, settings: Any) -> str:
    from django.core.cache import cache

    settings.CHUKAI_MANUAL_CLOCK = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    from chukai import clock

    clock.manual_set(dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC))  # 10:00 in Tokyo, a Monday
    return str(live_server.url)


@pytest.fixture
def new_page(browser: Any, site: str) -> Iterator[Any]:
    """Open a fresh browser context (one person) at phone or desktop width."""
    contexts: list[Any] = []

    def make(width: int = 1100, height: int = 900) -> Any:
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.base = site  # type: ignore[attr-defined]
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    _shots.append(path)
    return path


def go(page: Any, path: str) -> None:
    page.goto(page.base + path)


def signup(page: Any, name: str, *, locale: str = "ja") -> str:
    email = f"user{next(_seq)}@example.com"
    go(page, "/signup")
    page.fill("#id_email", email)
    page.fill("#id_display_name", name)
    page.fill("#id_password", PASSWORD)
    page.select_option("#id_locale", locale)
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard")
    return email


def login(page: Any, email: str, password: str = PASSWORD) -> None:
    go(page, "/login")
    page.fill("#id_email", email)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def advance(days: float = 0, hours: float = 0) -> int:
    """Move the manual clock, applying every deadline due on the way (as POST /api/_clock does)."""
    from chukai import clock
    from chukai.deadlines.services import clock_advance

    return clock_advance(to=clock.now() + dt.timedelta(days=days, hours=hours))
