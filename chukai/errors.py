"""Errors that services raise; the API and pages turn them into answers.

RuleViolation → 409 with a reason code; Invalid → 422 with a fields map;
Forbidden → 403 (a party acting outside its role); NotFound → 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any


class ChukaiError(Exception):
    status = 400
    code = "error"
    title = "Error"

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra

    def problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        for key, value in self.extra.items():
            body[key] = value.isoformat() if isinstance(value, dt.datetime) else value
        return body


class RuleViolation(ChukaiError):
    status = 409
    title = "Refused by a rule"

    def __init__(self, code: str, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or code.replace("_", " "), **extra)
        self.code = code


class Invalid(ChukaiError):
    status = 422
    code = "invalid"
    title = "Invalid input"

    def __init__(self, fields: Mapping[str, str | list[str]], detail: str = "") -> None:
        norm = {k: v if isinstance(v, list) else [v] for k, v in fields.items()}
        super().__init__(detail or "; ".join(f"{k}: {' '.join(v)}" for k, v in norm.items()), fields=norm)
        self.fields = norm


class Forbidden(ChukaiError):
    status = 403
    code = "forbidden"
    title = "Not allowed for your role"


class NotFound(ChukaiError):
    status = 404
    code = "not_found"
    title = "Not found"


class Unauthorized(ChukaiError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class RateLimited(ChukaiError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"
