"""Fuzzing the JSON API from its own OpenAPI document (schemathesis, in-process over WSGI).

Every operation but the manual clock gets schema-driven valid and invalid inputs (the coverage
phase's boundary and type-violating cases, then random fuzzing), sent by a party of a real
contract or by staff, with path ids that are sometimes real. Whatever comes in, the answer is
never a server error, and every 4xx is an RFC 9457 problem (`application/problem+json`, `code`).
"""

from __future__ import annotations

import os
import zlib
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from tests.api.conftest import ERRORS, REAL, ROLES, TOKENS, assert_problem

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application).exclude(path="/api/_clock")
# Bounded for CI (about a minute); CHUKAI_FUZZ_EXAMPLES=200 for a deeper run by hand.
schema.config.generation.update(max_examples=int(os.environ.get("CHUKAI_FUZZ_EXAMPLES", "12")))


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_problem_details(case: Any, world: None, db: Any) -> None:
    # The caller, and whether a path id is a real one, follow from the case itself (not drawn),
    # so the coverage phase's fixed cases get them too and a failure replays the same way.
    spin = zlib.crc32(repr((case.operation.label, case.path_parameters, case.query, case.body)).encode())
    role = ROLES[spin % len(ROLES)]
    for bit, name in enumerate(sorted(case.path_parameters or {})):
        if REAL.get(name) and spin >> (2 + bit) & 1:
            case.path_parameters[name] = REAL[name][(spin >> 8) % len(REAL[name])]
    ERRORS.clear()
    response = case.call(headers={"Authorization": f"Bearer {TOKENS[role]}"})
    content_type = response.headers.get("content-type", [""])[0]
    body = response.json() if "json" in content_type else None
    assert_problem(response.status_code, content_type, body, f"as {role}: {case.as_curl_command()}")
    case.validate_response(response, checks=[not_a_server_error])


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
