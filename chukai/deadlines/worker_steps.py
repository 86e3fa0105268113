"""Other periodic work the worker loop runs (the email outbox, say); each returns how much it did."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import close_old_connections

log = logging.getLogger("chukai.worker")

STEPS: list[Callable[[], int]] = []


def step(fn: Callable[[], int]) -> Callable[[], int]:
    STEPS.append(fn)
    return fn


def steps_run() -> int:
    """Run every step once. A step that raises is logged and skipped for this pass: one step's
    trouble (the outbox's, say) never stops the deadlines or the other steps."""
    done = 0
    for fn in STEPS:
        try:
            done += fn()
        except Exception:
            log.exception("worker step %s failed", getattr(fn, "__name__", fn))
            close_old_connections()
    return done
