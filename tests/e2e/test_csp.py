"""The Content-Security-Policy in a real browser: every page carries it, nothing on them breaks
it (no inline script, style or handler), and htmx still polls and swaps under it.

Here beside the other browser tests: one Playwright session fixture for the whole run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Api, make_contract
from tests.e2e.conftest import CHROMIUM, PASSWORD, go, signup

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"),
]

# Collects what the browser refused, before any page script runs (init scripts are not subject to CSP).
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


def _watched(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.add_init_script(WATCH)
    return errors


def _visit(page: Any, path: str, errors: list[str]) -> None:
    resp = page.goto(page.base + path)
    assert resp is not None and resp.status == 200, (path, resp and resp.status)
    csp = resp.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "style-src 'self'" in csp, (path, csp)
    page.wait_for_load_state("load")
    violations = page.evaluate("window.__csp")
    refused = [e for e in errors if "Content Security Policy" in e or "Refused to" in e]
    assert violations == [] and refused == [], (path, violations, refused)


def test_pages_under_the_csp_have_no_violation_and_htmx_works(new_page):
    page = new_page()
    errors = _watched(page)
    page.clock.install()  # htmx's "every 60s" poll, fast-forwarded below
    for path in ("/", "/jobs", "/policies", "/login", "/signup"):
        _visit(page, path, errors)

    email = signup(page, "発注者")
    worker = Api()
    worker_email = email.replace("@", "-w@")
    assert worker.post(
        "/api/auth/signup", {"email": worker_email, "password": PASSWORD, "display_name": "受注者"}
    ).status_code in (200, 201)
    tokens = [
        Api().post("/api/auth/token", {"email": e, "password": PASSWORD}).json()["token"] for e in (email, worker_email)
    ]
    contract = make_contract(Api(tokens[0]), Api(tokens[1]))
    for path in ("/dashboard", "/jobs/new", f"/contracts/{contract['id']}", "/notifications", "/account"):
        _visit(page, path, errors)

    # htmx is loaded, configured by the meta tag, and injected no <style> of its own
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("document.querySelectorAll('head style').length") == 0
    # its poll fires, fetches and swaps under the policy
    go(page, "/dashboard")
    with page.expect_response(lambda r: "/notifications/count" in r.url) as polled:
        page.clock.fast_forward(61_000)
    assert polled.value.status == 200
    page.wait_for_function("document.querySelector('#notification-count').classList.length >= 0")
    assert page.evaluate("window.__csp") == []
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_staff_console_admin_and_api_docs_under_the_csp(new_page):
    from chukai.accounts.models import User

    User.objects.create_superuser("csp-staff@example.com", PASSWORD)
    page = new_page()
    errors = _watched(page)
    go(page, "/login")
    page.fill("#id_email", "csp-staff@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("load")
    for path in ("/staff/", "/admin/", "/admin/accounts/user/", "/api/docs"):
        _visit(page, path, errors)
    page.wait_for_selector("#swagger-ui .info", timeout=15_000)  # Swagger UI rendered from static files
    assert page.evaluate("window.__csp") == []
