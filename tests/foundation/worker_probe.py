"""Test-only deadline handlers, importable before Django is set up (so a `manage.py run_worker`
subprocess can load them: see `run_worker_cmd`), and a seeder that builds data through services."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from chukai.deadlines.registry import handler

PROBE = "test_probe"  # appends a timeline event naming the deadline that fired
FLAKY = "test_flaky"  # raises while FLAKY_STATE["fail"] is true
FLAKY_STATE = {"fail": True, "calls": 0}
REPO = Path(__file__).resolve().parents[2]


@handler(PROBE)
def _probe(deadline: Any) -> None:
    from chukai.contracts.models import Contract
    from chukai.contracts.timeline import event_add

    contract = Contract.objects.get(pk=deadline.contract_id)  # the worker holds its lock
    event_add(contract=contract, kind="test_probe_fired", actor_role="system", deadline_id=deadline.pk)


@handler(FLAKY)
def _flaky(deadline: Any) -> None:
    from chukai.contracts.models import Contract
    from chukai.contracts.timeline import event_add

    FLAKY_STATE["calls"] += 1
    contract = Contract.objects.get(pk=deadline.contract_id)
    event_add(contract=contract, kind="test_flaky_fired", actor_role="system", deadline_id=deadline.pk)
    if FLAKY_STATE["fail"]:
        raise RuntimeError("smtp down (test)")  # the event above must roll back with it


def contracts_seed(*, count: int, policy: str = "chukai") -> list[int]:
    """Two users and `count` contracts, made through the services."""
    import uuid

    from chukai.accounts.services import user_signup
    from chukai.marketplace.services import job_post, proposal_accept, proposal_submit

    tag = uuid.uuid4().hex[:8]
    pw = "correct horse battery"
    client = user_signup(email=f"probe-client-{tag}@example.com", password=pw, display_name="発注者")
    worker = user_signup(email=f"probe-worker-{tag}@example.com", password=pw, display_name="受注者")
    ids = []
    for i in range(count):
        job = job_post(
            client_id=client.pk,
            title=f"案件{i}",
            description="probe",
            budget_jpy=10_000,
            pricing="fixed",
            policy=policy,
        )
        prop = proposal_submit(worker_id=worker.pk, job_id=job.pk, amount_jpy=10_000, message="お願いします")
        ids.append(proposal_accept(client_id=client.pk, proposal_id=prop.pk).pk)
    return ids


def probe_seed(*, contracts: int, deadlines: int) -> list[int]:
    """`deadlines` due probe deadlines spread over `contracts` contracts; returns their ids."""
    from chukai import clock
    from chukai.deadlines.services import deadline_schedule

    cids = contracts_seed(count=contracts)
    start = clock.now() - dt.timedelta(hours=1)
    return [
        deadline_schedule(
            kind=PROBE, due_at=start + dt.timedelta(seconds=i), contract_id=cids[i % len(cids)], visible=False
        ).pk
        for i in range(deadlines)
    ]


def run_worker_cmd(*args: str) -> list[str]:
    """`manage.py run_worker ARGS` in a fresh interpreter that first loads these handlers."""
    code = (
        "import sys, runpy; import tests.foundation.worker_probe; "
        f"sys.argv = ['manage.py', 'run_worker', *{list(args)!r}]; "
        "runpy.run_path('manage.py', run_name='__main__')"
    )
    return [sys.executable, "-c", code]


def subprocess_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "CHUKAI_MANUAL"))}
    env.update(DATABASE_URL=database_url, PYTHONPATH=str(REPO), DJANGO_SETTINGS_MODULE="config.settings")
    return env
