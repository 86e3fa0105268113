"""Other periodic work the worker loop runs (the email outbox, say); each returns how much it did."""

from __future__ import annotations

from collections.abc import Callable

STEPS: list[Callable[[], int]] = []


def step(fn: Callable[[], int]) -> Callable[[], int]:
    STEPS.append(fn)
    return fn
