"""Deadline handlers by kind. Each runs in the worker's transaction with the contract locked."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chukai.deadlines.models import Deadline

Handler = Callable[["Deadline"], None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if kind in HANDLERS and HANDLERS[kind] is not fn:
            raise RuntimeError(f"two handlers for deadline kind {kind!r}")
        HANDLERS[kind] = fn
        return fn

    return register
