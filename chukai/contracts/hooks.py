"""Where other apps join the contract lifecycle without the contract code importing them.

Listeners are registered in their app's `ready()` and run inside the caller's
transaction (with the contract locked), so their writes commit or roll back
with the action that caused them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chukai.contracts.models import Contract

# Deadline kinds that end with the contract (rating windows, say, do not).
CANCEL_ON_END: tuple[str, ...] = (
    "auto_accept",
    "acceptance_due",
    "acceptance_reminder",
)

_acted: list[Callable[[Contract, int], None]] = []
_ended: list[Callable[[Contract], None]] = []
_notify: list[Callable[..., None]] = []
_money: list[Callable[..., None]] = []


def on_party_acted(fn: Callable[[Contract, int], None]) -> None:
    _acted.append(fn)


def on_contract_ended(fn: Callable[[Contract], None]) -> None:
    _ended.append(fn)


def on_notify(fn: Callable[..., None]) -> None:
    _notify.append(fn)


def on_money_moved(fn: Callable[..., None]) -> None:
    _money.append(fn)


def cancel_on_end(*kinds: str) -> None:
    global CANCEL_ON_END
    CANCEL_ON_END = tuple(dict.fromkeys(CANCEL_ON_END + kinds))


def party_acted(contract: Contract, user_id: int) -> None:
    """A party did something on the contract (a message or an action): it is not silent."""
    for fn in _acted:
        fn(contract, user_id)


def contract_ended(contract: Contract) -> None:
    for fn in _ended:
        fn(contract)


def notify(*, contract: Contract | None, user_id: int, kind: str, params: dict[str, Any]) -> None:
    for fn in _notify:
        fn(contract=contract, user_id=user_id, kind=kind, params=params)


def money_moved(*, contract: Contract | None, milestone: Any, event: str, amounts: dict[str, Any]) -> None:
    """A milestone's money moved (`funded`, `settled`) — papers are issued in the same transaction."""
    for fn in _money:
        fn(contract=contract, milestone=milestone, event=event, amounts=amounts)
