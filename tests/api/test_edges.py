"""Edge values in every integer and text input of every operation.

Random fuzzing rarely draws these: integers past 64 bits (SQLite refuses to bind them,
PostgreSQL's bigint overflows), text with NUL (PostgreSQL refuses it) or a lone surrogate (not
UTF-8), very long text. Each integer or text path parameter, query parameter and JSON body
field is sent, one at a time, with each of them (the rest of the request valid, from a party
of a real contract). The answer must be a 2xx or a 4xx problem, never a 500.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from tests.api.conftest import ERRORS, REAL, TOKENS, assert_problem

EDGES = {
    "integer": [2**63, 2**63 - 1, -(2**63) - 1, 10**20, -(10**20), 2**31, -1, 0],
    # NUL (PostgreSQL refuses it in text), a lone surrogate (not encodable as UTF-8), very long,
    # empty and blank text.
    "string": ["\x00", "a\x00b", "\ud800", "x" * 100_000, "", "   "],
}
DOC: dict[str, Any] = Client().get("/api/openapi.json").json()
Spot = tuple[str, str, tuple[Any, ...], str]  # (path/query/body, name, path inside the body, type)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return _resolve(option)
    return schema


def _minimal(schema: dict[str, Any]) -> Any:
    """A small valid value for a schema (what the numbers under test travel with)."""
    schema = _resolve(schema)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _minimal(props[name]) for name in schema.get("required", [])}
    if kind == "array":
        return [_minimal(schema.get("items", {}))]
    if kind == "integer":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2027-01-31"
    return "テスト"


def _spots(schema: dict[str, Any], at: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    schema = _resolve(schema)
    kind = schema.get("type")
    if kind in EDGES:
        yield at, kind
    elif kind == "object":
        for name, sub in schema.get("properties", {}).items():
            yield from _spots(sub, (*at, name))
    elif kind == "array":
        yield from _spots(schema.get("items", {}), (*at, 0))


def _operations() -> Iterator[Any]:
    for path, ops in DOC["paths"].items():
        if path.startswith("/api/_clock"):
            continue
        for method, op in ops.items():
            spots: list[Spot] = []
            for p in op.get("parameters", []):
                kind = _resolve(p["schema"]).get("type")
                if kind in EDGES and not (p["in"] == "path" and kind == "string"):
                    spots.append((p["in"], p["name"], (), kind))
            body_schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body_schema is not None:
                spots += [("body", "", at, kind) for at, kind in _spots(body_schema)]
            if spots:
                yield pytest.param(method.upper(), path, op, body_schema, spots, id=f"{method.upper()} {path}")


def _set(body: Any, at: tuple[Any, ...], value: Any) -> Any:
    """`body` with the value at `at` set (creating the containers on the way)."""
    body = copy.deepcopy(body) if body is not None else {}
    node = body
    for key, nxt in zip(at, at[1:], strict=False):
        if isinstance(node, list):
            while len(node) <= key:
                node.append({} if not isinstance(nxt, int) else [])
        elif key not in node or node[key] is None:
            node[key] = [] if isinstance(nxt, int) else {}
        node = node[key]
    if isinstance(node, list):
        while len(node) <= at[-1]:
            node.append(None)
    node[at[-1]] = value
    return body


@pytest.mark.parametrize(("method", "path", "op", "body_schema", "spots"), list(_operations()))
def test_edge_values(
    method: str, path: str, op: dict[str, Any], body_schema: Any, spots: list[Spot], world: None, db: Any
) -> None:
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {TOKENS['client']}")
    base_body = _minimal(body_schema) if body_schema is not None else None
    path_ids = {p["name"]: (REAL.get(p["name"]) or [1])[0] for p in op.get("parameters", []) if p["in"] == "path"}
    for where, name, at, kind in spots:
        for value in EDGES[kind]:
            ids, query, body = dict(path_ids), {}, base_body
            if where == "path":
                ids[name] = value
            elif where == "query":
                query[name] = value
            else:
                body = _set(base_body, at, value)
            url = path.format(**ids) + (f"?{urlencode(query, errors='surrogatepass')}" if query else "")
            ERRORS.clear()
            data = json.dumps(body) if body is not None else ""
            r = client.generic(method, url, data=data, content_type="application/json")
            content_type = r.get("Content-Type", "")
            payload = r.json() if "json" in content_type else None
            assert_problem(r.status_code, content_type, payload, f"{method} {url} body={data}")
