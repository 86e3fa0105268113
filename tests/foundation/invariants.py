"""Reusable checks of the money invariants (DOMAIN §2) and of "a failed call changes nothing".

Import from any test:

    from tests.foundation.invariants import assert_ledger_invariants, db_state

`assert_ledger_invariants()` runs five aggregate queries, whatever the data size (the last two: each
user's payouts-pending account against their open withdrawals).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import F, Sum

from chukai.contracts.models import Milestone
from chukai.ledger.models import Account, Leg


def ledger_problems(*, contract_ids: list[int] | None = None) -> list[str]:
    """Every broken invariant, as readable lines (empty when the ledger is sound)."""
    problems: list[str] = []

    # 1. Every transaction sums to zero.
    unbalanced = (
        Leg.objects.values("transaction_id", "transaction__idempotency_key")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
    )
    problems += [
        f"transaction {r['transaction_id']} ({r['transaction__idempotency_key']}) sums to {r['total']}"
        for r in unbalanced
    ]

    # 2. Escrow of each contract == amount + client fee of its escrowed/delivered milestones.
    escrow_q = Leg.objects.filter(account__kind=Account.ESCROW)
    held_q = Milestone.objects.filter(status__in=Milestone.HOLDING)
    if contract_ids is not None:
        escrow_q = escrow_q.filter(account__contract_id__in=contract_ids)
        held_q = held_q.filter(contract_id__in=contract_ids)
    escrow = {
        r["account__contract_id"]: int(r["s"])
        for r in escrow_q.values("account__contract_id").annotate(s=Sum("amount"))
    }
    held = {
        r["contract_id"]: int(r["s"])
        for r in held_q.values("contract_id").annotate(s=Sum(F("amount_jpy") + F("client_fee_jpy")))
    }
    # A milestone awaiting a bank transfer (DOMAIN §11) holds, with its pending payment, the
    # client's balance part and what has arrived so far; nothing else is escrowed for it.
    from chukai.payments.models import Payment

    pending_q = Payment.objects.filter(status=Payment.PENDING)
    if contract_ids is not None:
        pending_q = pending_q.filter(contract_id__in=contract_ids)
    for r in pending_q.values("contract_id").annotate(s=Sum(F("from_balance_jpy") + F("paid_jpy"))):
        held[r["contract_id"]] = held.get(r["contract_id"], 0) + int(r["s"])
    stray = Payment.objects.filter(status=Payment.PENDING).exclude(milestone__status=Milestone.AWAITING_PAYMENT)
    problems += [
        f"payment {p} is pending but its milestone is not awaiting payment" for p in stray.values_list("pk", flat=True)
    ]
    for cid in sorted(set(escrow) | set(held)):
        if escrow.get(cid, 0) != held.get(cid, 0):
            problems.append(
                f"contract {cid}: escrow account holds {escrow.get(cid, 0)}, milestones hold {held.get(cid, 0)}"
            )

    # 3. No balance below zero except the gateway accounts mirroring money outside (and the
    # withholding mirror, checked exactly below).
    from chukai.ledger.tax import WITHHOLDING_ACCOUNT

    negative = (
        Leg.objects.exclude(account__kind__in=(*Account.EXTERNAL, WITHHOLDING_ACCOUNT))
        .values("account_id", "account__kind", "account__user_id", "account__contract_id")
        .annotate(s=Sum("amount"))
        .filter(s__lt=0)
    )
    problems += [
        f"account {r['account_id']} ({r['account__kind']} user={r['account__user_id']} "
        f"contract={r['account__contract_id']}) is negative: {r['s']}"
        for r in negative
    ]

    # 3b. 源泉徴収 (DOMAIN §12): each client's withholding mirror is minus what it kept back on its held
    # milestones (escrow itself holds amount + client fee, as #2 checks).
    kept = {
        r["account__user_id"]: -int(r["s"])
        for r in Leg.objects.filter(account__kind=WITHHOLDING_ACCOUNT)
        .values("account__user_id")
        .annotate(s=Sum("amount"))
    }
    owed = {
        r["contract__client_id"]: int(r["s"])
        for r in Milestone.objects.filter(status__in=Milestone.HOLDING, withholding_jpy__gt=0)
        .values("contract__client_id")
        .annotate(s=Sum("withholding_jpy"))
    }
    for uid in sorted(set(kept) | set(owed)):
        if kept.get(uid, 0) != owed.get(uid, 0):
            problems.append(
                f"client {uid}: withholding account holds {-kept.get(uid, 0)}, held milestones kept back {owed.get(uid, 0)}"
            )

    # 4. Each user's payouts-pending account holds exactly their requested and in-batch withdrawals.
    from chukai.payouts.selectors import pending_matches_withdrawals

    problems += pending_matches_withdrawals()
    return problems


def assert_ledger_invariants(*, contract_ids: list[int] | None = None) -> None:
    """Fail with every broken invariant of DOMAIN §2 listed."""
    problems = ledger_problems(contract_ids=contract_ids)
    assert not problems, "ledger invariants broken:\n  " + "\n  ".join(problems)


# Columns that change on any authenticated call (reads included), not by the call's action.
_VOLATILE = {("accounts", "user"): {"last_seen_at"}, ("accounts", "apitoken"): {"last_used_at"}}
_SQL_CACHE: dict[tuple[str, tuple[str, ...] | None], list[tuple[str, str]]] = {}
# Not state: the shared cache's table (sign-in failure counts are written by refused sign-ins).
_NOT_STATE = {("accounts", "cacheentry")}


def _snapshot_queries(labels: tuple[str, ...] | None) -> list[tuple[str, str]]:
    key = (str(connection.settings_dict["NAME"]), labels)
    if key not in _SQL_CACHE:
        tables = set(connection.introspection.table_names())  # apps under construction may lack theirs
        qn = connection.ops.quote_name
        queries = []
        for model in apps.get_models():
            meta = model._meta
            if not meta.app_config.name.startswith("chukai.") or meta.proxy or not meta.managed:
                continue
            if meta.db_table not in tables or (labels is not None and meta.app_label not in labels):
                continue
            if (meta.app_label, meta.model_name) in _NOT_STATE:
                continue
            skip = _VOLATILE.get((meta.app_label, meta.model_name), set())
            cols = ", ".join(qn(f.column) for f in meta.concrete_fields if f.attname not in skip)
            queries.append((meta.label, f"SELECT {cols} FROM {qn(meta.db_table)} ORDER BY {qn(meta.pk.column)}"))
        _SQL_CACHE[key] = queries
    return _SQL_CACHE[key]


def db_state(*, labels: tuple[str, ...] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every chukai model (or of the given app labels), to compare before and after a call."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for label, sql in _snapshot_queries(labels):
            cursor.execute(sql)
            out[label] = cursor.fetchall()
    return out


def assert_same_state(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> None:
    changed = [label for label in before if before[label] != after.get(label)]
    assert not changed, f"a refused call changed {changed}"
