"""(b) A write endpoint (POST …/milestones/{mid}/fund) against a trivial read (GET /api/me),
in-process through Django's test client on the same database connection settings.

Both go through the full stack (URL routing, bearer token, ninja, JSON); the fund
call adds the contract and milestone locks, the sandbox charge, one balanced ledger
transaction, the timeline event and the contract detail it answers with.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.signals import request_started
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chukai.accounts.services import token_create, user_signup
from chukai.marketplace.services import job_post, proposal_accept, proposal_submit

PASSWORD = "bench pass phrase 2026"
MILESTONES_PER_CONTRACT = 20


@dataclass
class Rate:
    name: str
    requests: int
    seconds: float
    cpu_seconds: float
    queries: int

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds

    @property
    def ms(self) -> float:
        return 1000 * self.seconds / self.requests

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_seconds / self.requests


def prepare(total: int) -> tuple[str, list[tuple[int, int]]]:
    """A client and a worker (through the services) and enough unfunded milestones."""
    client = user_signup(email="bench-client@example.com", password=PASSWORD, display_name="bench client")
    worker = user_signup(email="bench-worker@example.com", password=PASSWORD, display_name="bench worker")
    targets: list[tuple[int, int]] = []
    while len(targets) < total:
        job = job_post(
            client_id=client.pk, title="bench", description="bench", budget_jpy=20_000, pricing="fixed", policy="chukai"
        )
        plan = [{"title": f"m{i}", "amount_jpy": 1_000} for i in range(MILESTONES_PER_CONTRACT)]
        proposal = proposal_submit(
            worker_id=worker.pk, job_id=job.pk, amount_jpy=20_000, message="bench", milestones=plan
        )
        contract = proposal_accept(client_id=client.pk, proposal_id=proposal.pk)
        targets += [(contract.pk, m.pk) for m in contract.milestones.order_by("position")]
    return token_create(email="bench-client@example.com", password=PASSWORD), targets[:total]


def _measure(name: str, calls: list[tuple[str, str]], http: Client, headers: dict[str, str]) -> Rate:
    # The query count of one representative call (outside the timed loop); Django clears
    # the query log when a request starts, so that hook is off while counting.
    request_started.disconnect(reset_queries)
    try:
        with CaptureQueriesContext(connection) as ctx:
            method, path = calls[0]
            response = http.post(path, **headers) if method == "POST" else http.get(path, **headers)
            assert response.status_code == 200, response.content
    finally:
        request_started.connect(reset_queries)
    queries = len(ctx.captured_queries)  # read now: the next request clears the log
    rest = calls[1:]
    cpu0, t0 = time.process_time(), time.perf_counter()
    for method, path in rest:
        response = http.post(path, **headers) if method == "POST" else http.get(path, **headers)
        if response.status_code != 200:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.content[:300]!r}")
    return Rate(name, len(rest), time.perf_counter() - t0, time.process_time() - cpu0, queries)


def run(*, requests: int, rounds: int) -> dict[str, Rate]:
    token, targets = prepare(requests * rounds + rounds)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    http = Client()
    best: dict[str, Rate] = {}
    for r in range(rounds):  # interleaved rounds; the best of each is reported
        base = _measure("GET /api/me", [("GET", "/api/me")] * (requests + 1), http, headers)
        chunk = targets[r * (requests + 1) : (r + 1) * (requests + 1)]
        fund = _measure(
            "POST fund",
            [("POST", f"/api/contracts/{c}/milestones/{m}/fund") for c, m in chunk],
            http,
            headers,
        )
        for rate in (base, fund):
            if rate.name not in best or rate.per_s > best[rate.name].per_s:
                best[rate.name] = rate
    return best
