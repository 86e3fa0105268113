"""Fuzzing the JSON API from its own OpenAPI document (schemathesis, in-process over WSGI).

Every operation but the manual clock gets schema-driven valid and invalid inputs (the coverage
phase's boundary and type-violating cases, then random fuzzing), sent by a party of a real
contract or by staff, with path ids that are sometimes real. Whatever comes in, the answer is
never a server error, and every 4xx is an RFC 9457 problem (`application/problem+json`, `code`).

Both generation modes are checked against the schema: every request the schema calls valid is
accepted (2xx, or 401/403/404/409 — who may do what, and the rules of the contract's state), and
every request it calls invalid is refused. The only exceptions are the rules JSON Schema cannot
state, listed in BEYOND_SCHEMA by operation and field: a 422 for a valid-looking request must name
only those fields.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.api.conftest import ERRORS, REAL, ROLES, TOKENS, assert_problem

application = get_wsgi_application()  # the app itself (config.wsgi adds the production start-up checks)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application).exclude(path="/api/_clock")
# Bounded for CI (about a minute); CHUKAI_FUZZ_EXAMPLES=200 for a deeper run by hand.
schema.config.generation.update(max_examples=int(os.environ.get("CHUKAI_FUZZ_EXAMPLES", "12")))


# Rules that depend on other fields, on the clock or on stored state, which a JSON Schema cannot
# express: a schema-valid request may be refused (422) on these fields and no other.
BEYOND_SCHEMA: dict[str, set[str]] = {
    # Django's password validators (common, all digits, like the email); an address already taken.
    "POST /api/auth/signup": {"password", "email"},
    # The milestones must add up to the amount.
    "POST /api/jobs/{job_id}/proposals": {"milestones"},
    # A new due date may not be in the past (the clock).
    "POST /api/contracts/{contract_id}/due-date-changes": {"due_date"},
    # A file's type is read from its name and content.
    "POST /api/contracts/{contract_id}/attachments": {"file"},
    # Attachments must be uploads of this contract not sent yet (stored state).
    "POST /api/contracts/{contract_id}/messages": {"attachments"},
    # Pay to the worker at most what escrow holds (stored state).
    "POST /api/contracts/{contract_id}/termination-requests": {"pay_worker_jpy"},
    # split needs pay_worker_jpy (≤ escrow), extend_due_date a future due_date; others neither.
    "POST /api/support-cases/{case_id}/decide": {"pay_worker_jpy", "due_date"},
    # With no milestone funded, a plan may not be emptied (stored state).
    "POST /api/contracts/{contract_id}/plan-changes": {"milestones"},
    # DOMAIN §10: a bank and branch the bank-code data set knows, digits (full-width too), katakana.
    "PUT /api/me/bank-account": {"bank_code", "branch_code", "account_number", "holder_kana"},
    # The application deadline and the due date lie ahead (the clock), the due date after it.
    "POST /api/jobs": {"apply_by", "due_date"},
    "PATCH /api/jobs/{job_id}": {"apply_by", "due_date"},
    "POST /api/jobs/{job_id}/reopen": {"apply_by"},
    "PUT /api/proposals/{proposal_id}": {"milestones"},
    # The budget range's maximum may not be below its minimum.
    "GET /api/jobs": {"max_budget_jpy"},
    # DOMAIN §12: the registration number's check digit (full-width digits and hyphens are accepted).
    "PATCH /api/me": {"invoice_registration_number"},
}
# The gateway's webhook is authenticated by an HMAC of its body in a header: no schema-valid
# request made up here carries a valid one, so its 400 refusals are expected.
SIGNED = {"POST /api/payments/webhook"}


# Requests sent and operations reached, by generation mode (printed at the end with -s).
SENT: dict[str, int] = {"positive": 0, "negative": 0}
REACHED: set[str] = set()


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    if REACHED:
        print(f"\nschemathesis: {len(REACHED)} operations, {sum(SENT.values())} requests ({SENT})")


def _beyond_schema(case: Any, status: int, body: Any) -> bool:
    if case.operation.label in SIGNED and status == 400:
        return True
    allowed = BEYOND_SCHEMA.get(case.operation.label, set())
    fields = set((body or {}).get("fields") or {}) if status == 422 else set()
    return bool(fields) and fields <= allowed


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_problem_details(case: Any, world: None, db: Any) -> None:
    # The caller, and whether a path id is a real one, follow from the case itself (not drawn),
    # so the coverage phase's fixed cases get them too and a failure replays the same way.
    spin = zlib.crc32(repr((case.operation.label, case.path_parameters, case.query, case.body)).encode())
    role = ROLES[spin % len(ROLES)]
    for bit, name in enumerate(sorted(case.path_parameters or {})):
        value = case.path_parameters[name]
        # Only a valid id is swapped for a real one (a negative case's "abc" must stay invalid).
        if REAL.get(name) and type(value) is int and value > 0 and spin >> (2 + bit) & 1:
            case.path_parameters[name] = REAL[name][(spin >> 8) % len(REAL[name])]
    ERRORS.clear()
    header = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    # A case whose headers are the invalid part (no or a malformed Authorization) is sent as made.
    headers = {} if header is not None and header.mode.is_negative else {"Authorization": f"Bearer {TOKENS[role]}"}
    response = case.call(headers=headers)
    REACHED.add(case.operation.label)
    if case.meta is not None:
        SENT["negative" if case.meta.generation.mode.is_negative else "positive"] += 1
    content_type = response.headers.get("content-type", [""])[0]
    body = response.json() if "json" in content_type else None
    assert_problem(response.status_code, content_type, body, f"as {role}: {case.as_curl_command()}")
    checks = [not_a_server_error, negative_data_rejection]
    if not _beyond_schema(case, response.status_code, body):
        checks.append(positive_data_acceptance)
    case.validate_response(response, checks=checks)


def test_openapi_document_is_valid_and_documents_problems() -> None:
    schema.validate()  # against the OpenAPI 3.1 meta-schema
    operations = [op for ops in schema.raw_schema["paths"].values() for op in ops.values()]
    assert len(operations) >= 45
    for op in operations:
        refusal = op["responses"]["4XX"]["content"]["application/problem+json"]["schema"]
        assert refusal == {"$ref": "#/components/schemas/Problem"}, op["operationId"]
    assert {"type", "title", "status", "detail", "code"} <= set(
        schema.raw_schema["components"]["schemas"]["Problem"]["required"]
    )
