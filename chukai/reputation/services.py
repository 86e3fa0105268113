"""Writes of reputation: penalty marks (issued by the platform) and double-blind ratings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts import hooks
from chukai.contracts.models import Contract
from chukai.contracts.services import contract_lock
from chukai.contracts.timeline import event_add
from chukai.deadlines.registry import handler
from chukai.deadlines.services import deadline_cancel, deadline_schedule
from chukai.errors import Forbidden, Invalid, NotFound, RuleViolation
from chukai.reputation.models import PenaltyMark, Rating

WINDOW_KIND = "rating_window_close"
COMMENT_MAX = 2_000
DEFAULT_WINDOW_DAYS = 14


def penalty_mark_issue(*, user_id: int, contract_id: int, kind: str, reason: str) -> PenaltyMark:
    """Idempotent per (user, contract, kind): a rule that fires twice marks once."""
    mark, _ = PenaltyMark.objects.get_or_create(
        user_id=user_id, contract_id=contract_id, kind=kind, defaults={"reason": reason[:300], "issued_at": clock.now()}
    )
    return mark


# --- the rating window ----------------------------------------------------------------


def rating_window_closes_at(contract: Contract) -> dt.datetime | None:
    """The end of the rating window, or None while the contract has not ended."""
    if contract.ended_at is None:
        return None
    days = (contract.policy.get("ratings") or {}).get("window_days", DEFAULT_WINDOW_DAYS)
    return contract.ended_at + dt.timedelta(days=days)


def rating_window_open(contract: Contract) -> None:
    """Listener of `hooks.on_contract_ended`: schedule the close of the rating window.

    Runs in the ending transaction with the contract locked. The deadline kind is
    deliberately not in `hooks.CANCEL_ON_END`: it lives on after the contract ended.
    """
    closes = rating_window_closes_at(contract)
    if closes is None:
        return
    if contract.deadlines.filter(kind=WINDOW_KIND).exists():
        return  # an end is recorded once, but be safe against a second call
    deadline_schedule(kind=WINDOW_KIND, due_at=closes, contract_id=contract.pk)


def _reveal(contract: Contract, *, trigger: str) -> list[Rating]:
    """Show every hidden rating of the contract at once and tell both parties. Caller holds the lock."""
    hidden = list(Rating.objects.select_for_update().filter(contract=contract, revealed_at__isnull=True))
    if not hidden:
        return []
    now = clock.now()
    Rating.objects.filter(pk__in=[r.pk for r in hidden]).update(revealed_at=now)
    for r in hidden:
        r.revealed_at = now
    if trigger == "both_submitted":
        deadline_cancel(contract_id=contract.pk, kinds=(WINDOW_KIND,))
    roles = sorted(r.rater_role for r in hidden)
    event_add(contract=contract, kind="ratings_revealed", actor_role="system", trigger=trigger, rater_roles=roles)
    for uid in (contract.client_id, contract.worker_id):
        hooks.notify(
            contract=contract,
            user_id=uid,
            kind="ratings_revealed",
            params={"contract_id": contract.pk, "contract_title": contract.title, "trigger": trigger},
        )
    return hidden


@handler(WINDOW_KIND)
def _window_close(deadline: Any) -> None:
    """At the close, whatever was submitted becomes visible; a no-op if both were in already."""
    contract = Contract.objects.get(pk=deadline.contract_id)  # locked by the worker
    closes = rating_window_closes_at(contract)
    if closes is None or clock.now() < closes:
        return  # not ended (cannot happen) or a stale row: the window is still open
    _reveal(contract, trigger="window_closed")


# --- submitting -----------------------------------------------------------------------


def _clean(stars: Any, comment: Any) -> tuple[int, str]:
    errors: dict[str, str] = {}
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        errors["stars"] = "Give 1 to 5 stars. / 星は1〜5で付けてください。"
    if comment is not None and not isinstance(comment, str):
        errors["comment"] = "The comment must be text. / コメントは文字列で入力してください。"
        comment = ""
    text = (comment or "").strip()
    if len(text) > COMMENT_MAX:
        errors["comment"] = f"At most {COMMENT_MAX:,} characters. / コメントは{COMMENT_MAX:,}文字以内です。"
    if errors:
        raise Invalid(errors)
    return stars, text


def rating_submit(*, user_id: int, contract_id: int, stars: int, comment: str = "") -> Rating:
    """Rate the other party of an ended contract, once, within the window.

    Refusals, in this order: `invalid_state` (the contract has not ended),
    `already_rated`, `rating_window_closed`. The rating stays hidden until the
    other party has rated too (then both are revealed now) or the window closes.
    """
    stars, text = _clean(stars, comment)
    with transaction.atomic():
        contract = contract_lock(contract_id)
        role = contract.role_of(user_id)
        if role is None:
            if User.objects.filter(pk=user_id, is_staff=True).exists():
                raise Forbidden("Only the parties of a contract rate each other.")
            raise NotFound("No such contract.")
        closes = rating_window_closes_at(contract)
        if contract.is_open or closes is None:
            raise RuleViolation(
                "invalid_state",
                "The contract has not ended yet; ratings open when it ends. / 契約終了後に評価できます。",
            )
        if Rating.objects.filter(contract=contract, rater_id=user_id).exists():
            raise RuleViolation("already_rated", "You have already rated this contract. / 評価済みです。")
        if clock.now() >= closes:
            raise RuleViolation(
                "rating_window_closed",
                "The rating window has closed. / 評価の受付期間は終了しました。",
                closed_at=closes,
            )
        rating = Rating.objects.create(
            contract=contract,
            rater_id=user_id,
            ratee_id=contract.other_party_id(user_id),
            rater_role=role,
            stars=stars,
            comment=text,
            created_at=clock.now(),
        )
        if Rating.objects.filter(contract=contract).count() == 2:
            _reveal(contract, trigger="both_submitted")
            rating.refresh_from_db(fields=["revealed_at"])
    return rating
