"""Demo data for `make run`, built only through the services, as users would.

Each part is one function that makes its own contracts (recognised by title),
so loading twice adds nothing and a part added later (a new app's demo) is
loaded into an existing database on the next `make run`. Parts for apps that
are not there yet (their services missing) are skipped.

History is staged in the past with `clock.as_of`, so timelines read like real
ones and deadlines (auto-acceptance, response deadlines) fall in the future
with a live countdown.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from chukai import clock
from chukai.accounts.models import User
from chukai.accounts.services import user_signup
from chukai.contracts import services as contract_services
from chukai.contracts.models import Contract
from chukai.deadlines.services import deadlines_run_due
from chukai.marketplace.services import job_post, proposal_accept, proposal_submit

PASSWORD = "chukai-demo-2026"
CLIENT_EMAIL = "client@demo.chukai.example"
WORKER_EMAIL = "worker@demo.chukai.example"
STAFF_EMAIL = "staff@demo.chukai.example"

POLICIES = ("chukai", "lancers", "crowdworks", "upwork")
STATES = ("awaiting_escrow", "in_progress", "delivered", "completed", "cancelled")

DAY = dt.timedelta(days=1)


@dataclass
class Demo:
    client: User
    worker: User
    staff: User
    now: dt.datetime
    strict: bool = False
    made: list[str] = field(default_factory=list)  # titles of contracts made in this run
    skipped: list[str] = field(default_factory=list)  # parts whose app is not there (yet)


# --- helpers ------------------------------------------------------------------------


@contextmanager
def at(when: dt.datetime) -> Iterator[None]:
    with clock.as_of(when):
        yield


def service(module: str, name: str) -> Callable[..., Any] | None:
    """A service function of another app, or None while that app does not have it."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def call(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a service with the keyword arguments it takes (optional ones may not exist yet)."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(**kwargs)
    return fn(**{k: v for k, v in kwargs.items() if k in params})


def exists(demo: Demo, title: str) -> bool:
    return Contract.objects.filter(client=demo.client, title=title).exists()


def contract_make(
    demo: Demo,
    *,
    title: str,
    policy: str,
    milestones: list[tuple[str, int]],
    formed: dt.datetime,
    description: str = "",
    pricing: str = "fixed",
) -> Contract:
    """Post a job, propose on it and accept the proposal, all at `formed`."""
    amount = sum(a for _, a in milestones)
    with at(formed - dt.timedelta(hours=6)):
        job = job_post(
            client_id=demo.client.pk,
            title=title,
            description=description or f"{title}のお仕事です。詳細はメッセージで相談させてください。",
            budget_jpy=amount,
            pricing=pricing,
            policy=policy,
        )
    with at(formed - dt.timedelta(hours=2)):
        proposal = proposal_submit(
            worker_id=demo.worker.pk,
            job_id=job.pk,
            amount_jpy=amount,
            message="ご提案いたします。実績多数、丁寧に対応します。/ Happy to help.",
            milestones=[{"title": t, "amount_jpy": a} for t, a in milestones],
        )
    with at(formed):
        contract = proposal_accept(client_id=demo.client.pk, proposal_id=proposal.pk)
    demo.made.append(title)
    return contract


def ms(contract: Contract, position: int = 1) -> int:
    return contract.milestones.get(position=position).pk


def fund(demo: Demo, contract: Contract, when: dt.datetime, position: int = 1) -> None:
    with at(when):
        contract_services.milestone_fund(
            user_id=demo.client.pk, contract_id=contract.pk, milestone_id=ms(contract, position)
        )


def deliver(demo: Demo, contract: Contract, when: dt.datetime, position: int = 1) -> None:
    with at(when):
        contract_services.milestone_deliver(
            user_id=demo.worker.pk,
            contract_id=contract.pk,
            milestone_id=ms(contract, position),
            message="納品いたします。ご確認をお願いします。/ Delivered, please review.",
        )


def accept(demo: Demo, contract: Contract, when: dt.datetime, position: int = 1) -> None:
    with at(when):
        contract_services.milestone_accept(
            user_id=demo.client.pk, contract_id=contract.pk, milestone_id=ms(contract, position)
        )


def cancel_by_agreement(demo: Demo, contract: Contract, when: dt.datetime) -> None:
    """End the contract as both parties agreed: escrow back to the client, nothing paid."""
    with at(when), transaction.atomic():
        locked = contract_services.contract_lock(contract.pk)
        milestones = contract_services.milestones_lock(locked)
        contract_services.contract_end(
            contract=locked,
            milestones=milestones,
            pay={},
            cause=Contract.END_AGREEMENT,
            caused_by_id=demo.client.pk,
            actor_id=demo.client.pk,
            reason="双方合意によるキャンセル / cancelled by agreement",
        )


# --- parts --------------------------------------------------------------------------


def users_ensure() -> tuple[User, User, User]:
    """The three demo logins; existing ones are kept as they are."""
    client = User.objects.filter(email=CLIENT_EMAIL).first() or user_signup(
        email=CLIENT_EMAIL, password=PASSWORD, display_name="山田商事 (発注者デモ)"
    )
    worker = User.objects.filter(email=WORKER_EMAIL).first() or user_signup(
        email=WORKER_EMAIL, password=PASSWORD, display_name="佐藤 ゆき (受注者デモ)"
    )
    staff = User.objects.filter(email=STAFF_EMAIL).first() or User.objects.create_superuser(
        STAFF_EMAIL, PASSWORD, display_name="chukai 事務局 (デモ)"
    )
    return client, worker, staff


def lifecycle_demo(demo: Demo) -> None:
    """Under each policy, one contract in each state of DOMAIN §3."""
    now = demo.now
    work = {
        "chukai": ("コーポレートサイトのコーディング", 120_000),
        "lancers": ("SEO記事作成 (月10本)", 50_000),
        "crowdworks": ("ロゴデザイン", 80_000),
        "upwork": ("LP 翻訳 (日→英)", 30_000),
    }
    for policy in POLICIES:
        base, amount = work[policy]
        for state in STATES:
            title = f"{base} [{policy} · {state}]"
            if exists(demo, title):
                continue
            with transaction.atomic():
                if state == "awaiting_escrow":
                    contract_make(demo, title=title, policy=policy, milestones=[("納品一式", amount)], formed=now - DAY)
                elif state == "in_progress":
                    c = contract_make(
                        demo,
                        title=title,
                        policy=policy,
                        milestones=[("前半", amount // 2), ("後半", amount - amount // 2)],
                        formed=now - 4 * DAY,
                    )
                    fund(demo, c, now - 3 * DAY)
                elif state == "delivered":
                    c = contract_make(
                        demo, title=title, policy=policy, milestones=[("納品一式", amount)], formed=now - 6 * DAY
                    )
                    fund(demo, c, now - 5 * DAY)
                    deliver(demo, c, now - DAY)
                elif state == "completed":
                    c = contract_make(
                        demo, title=title, policy=policy, milestones=[("納品一式", amount)], formed=now - 20 * DAY
                    )
                    fund(demo, c, now - 19 * DAY)
                    deliver(demo, c, now - 10 * DAY)
                    accept(demo, c, now - 9 * DAY)
                else:
                    c = contract_make(
                        demo, title=title, policy=policy, milestones=[("納品一式", amount)], formed=now - 12 * DAY
                    )
                    fund(demo, c, now - 11 * DAY)
                    cancel_by_agreement(demo, c, now - 8 * DAY)


def multi_milestone_demo(demo: Demo) -> None:
    """A longer chukai contract: one milestone paid, one delivered, one unfunded."""
    title = "ECサイト構築 (3段階) [chukai · mixed]"
    if exists(demo, title):
        return
    now = demo.now
    with transaction.atomic():
        c = contract_make(
            demo,
            title=title,
            policy="chukai",
            milestones=[("設計", 100_000), ("実装", 250_000), ("テスト・公開", 150_000)],
            formed=now - 30 * DAY,
        )
        with at(now - 29 * DAY):
            contract_services.due_date_propose(
                user_id=demo.client.pk, contract_id=c.pk, due_date=(now + 30 * DAY).date()
            )
        change = c.due_date_changes.get(status="pending")
        with at(now - 28 * DAY):
            contract_services.due_date_decide(user_id=demo.worker.pk, change_id=change.pk, accept=True)
        fund(demo, c, now - 28 * DAY, position=1)
        deliver(demo, c, now - 20 * DAY, position=1)
        accept(demo, c, now - 19 * DAY, position=1)
        fund(demo, c, now - 18 * DAY, position=2)
        deliver(demo, c, now - 2 * DAY, position=2)


def messaging_demo(demo: Demo) -> None:
    """A thread with read and unread messages, and a client whose email bounces."""
    post = service("chukai.messaging.services", "message_post")
    if post is None:
        demo.skipped.append("messaging")
        return
    title = "動画編集 (YouTube 10本) [chukai · messages]"
    if exists(demo, title):
        return
    now = demo.now
    mark_read = _first_service(
        "chukai.messaging.services", ("messages_mark_read", "messages_read", "message_mark_read", "thread_mark_read")
    )
    with transaction.atomic():
        c = contract_make(
            demo,
            title=title,
            policy="chukai",
            milestones=[("1〜5本目", 50_000), ("6〜10本目", 50_000)],
            formed=now - 5 * DAY,
        )
        fund(demo, c, now - 4 * DAY)
        lines = [
            (demo.client, now - 4 * DAY, "よろしくお願いします。素材はこちらのフォルダにあります。"),
            (demo.worker, now - 4 * DAY + dt.timedelta(hours=1), "承知しました。1本目は明後日までにお送りします。"),
            (demo.client, now - 3 * DAY, "テロップのフォントはゴシック系でお願いします。"),
        ]
        for who, when, body in lines:
            with at(when):
                call(post, user_id=who.pk, contract_id=c.pk, body=body)
        if mark_read is not None:
            with at(now - 3 * DAY + dt.timedelta(hours=2)):
                call(mark_read, user_id=demo.worker.pk, contract_id=c.pk)
        # Unread by the client: the worker is waiting for an answer.
        for hours, body in (
            (50, "1本目をお送りしました。ご確認ください。"),
            (26, "お忙しいところ恐縮です。ご確認いただけましたでしょうか。"),
        ):
            with at(now - dt.timedelta(hours=hours)):
                call(post, user_id=demo.worker.pk, contract_id=c.pk, body=body)
    bounce = _first_service(
        "chukai.messaging.services",
        ("email_bounce_record", "email_mark_bouncing", "user_mark_bouncing", "bounce_record"),
    )
    if bounce is not None:
        with transaction.atomic():
            call(bounce, user_id=demo.client.pk, email=demo.client.email, reason="550 5.1.1 mailbox unavailable (demo)")


def contact_reminder_demo(demo: Demo) -> None:
    """Lancers: worker delivered, client silent 8 days, reminder filed (7-day countdown running)."""
    file_reminder = _first_service("chukai.remedies.services", ("reminder_file", "contact_reminder_file"))
    post = service("chukai.messaging.services", "message_post")
    if file_reminder is None or post is None:
        demo.skipped.append("contact reminder")
        return
    title = "ブログ記事リライト [lancers · contact reminder]"
    if exists(demo, title):
        return
    now = demo.now
    with transaction.atomic():
        c = contract_make(demo, title=title, policy="lancers", milestones=[("記事20本", 40_000)], formed=now - 16 * DAY)
        fund(demo, c, now - 15 * DAY)
        with at(now - 14 * DAY):
            call(
                post, user_id=demo.client.pk, contract_id=c.pk, body="よろしくお願いします。納期は月末でお願いします。"
            )
        for days in (9, 8):
            with at(now - days * DAY):
                call(
                    post, user_id=demo.worker.pk, contract_id=c.pk, body="進捗のご報告です。ご確認をお願いできますか。"
                )
        deliver(demo, c, now - DAY)
        with at(now - dt.timedelta(hours=3)):
            call(file_reminder, user_id=demo.worker.pk, contract_id=c.pk)


def termination_demo(demo: Demo) -> None:
    """CrowdWorks: the worker asked to end early; the client has not answered yet."""
    request = _first_service(
        "chukai.remedies.services", ("termination_request", "termination_request_file", "termination_file")
    )
    if request is None:
        demo.skipped.append("termination request")
        return
    title = "アプリUIデザイン [crowdworks · termination request]"
    if exists(demo, title):
        return
    now = demo.now
    with transaction.atomic():
        c = contract_make(
            demo, title=title, policy="crowdworks", milestones=[("画面10枚", 90_000)], formed=now - 10 * DAY
        )
        fund(demo, c, now - 9 * DAY)
        with at(now - 2 * DAY):
            call(
                request,
                user_id=demo.worker.pk,
                contract_id=c.pk,
                reason="クライアントと連絡が取れないため途中終了をお願いします。",
                pay_worker_jpy=None,
            )


def support_demo(demo: Demo) -> None:
    """CrowdWorks: acceptance overdue, the worker opened a support case for staff."""
    case_open = _first_service("chukai.support.services", ("case_open", "support_case_open"))
    if case_open is None:
        demo.skipped.append("support case")
        return
    title = "名刺デザイン [crowdworks · support case]"
    if exists(demo, title):
        return
    now = demo.now
    with transaction.atomic():
        c = contract_make(
            demo, title=title, policy="crowdworks", milestones=[("デザイン2案", 20_000)], formed=now - 14 * DAY
        )
        fund(demo, c, now - 13 * DAY)
        deliver(demo, c, now - 10 * DAY)
        with at(now - 2 * DAY):
            call(
                case_open,
                user_id=demo.worker.pk,
                contract_id=c.pk,
                kind="acceptance_overdue",
                body="検収期間を過ぎても発注者から返答がありません。支払いの確定をお願いします。",
            )
        notice = _first_service("chukai.support.services", ("notice_send",))
        case = c.support_cases.order_by("-id").first()  # type: ignore[attr-defined]
        if notice is not None and case is not None:
            with at(now - DAY):
                call(
                    notice,
                    staff_id=demo.staff.pk,
                    case_id=case.pk,
                    to="client",
                    body="事務局です。納品物の検収をお願いします。期限までにご対応がない場合、支払いを確定します。",
                )


def ratings_demo(demo: Demo) -> None:
    """Both parties rated one completed contract (so ratings are visible on profiles)."""
    rate = _first_service("chukai.reputation.services", ("rating_submit", "rating_give", "rating_create"))
    if rate is None:
        demo.skipped.append("ratings")
        return
    title = "チラシデザイン [upwork · rated]"
    if exists(demo, title):
        return
    now = demo.now
    with transaction.atomic():
        c = contract_make(demo, title=title, policy="upwork", milestones=[("A4チラシ", 25_000)], formed=now - 12 * DAY)
        fund(demo, c, now - 11 * DAY)
        deliver(demo, c, now - 6 * DAY)
        accept(demo, c, now - 5 * DAY)
        with at(now - 4 * DAY):
            call(rate, user_id=demo.client.pk, contract_id=c.pk, stars=5, comment="迅速で丁寧な対応でした。")
        with at(now - 3 * DAY):
            call(rate, user_id=demo.worker.pk, contract_id=c.pk, stars=5, comment="指示が明確で助かりました。")


PAYOUT_DEMO_AMOUNT = 30_000


def payouts_demo(demo: Demo) -> None:
    """Money out (DOMAIN §10): the worker registered a bank account and asked to withdraw part of
    the earnings yesterday; the request waits for its pay day (staff see it on the payouts page).
    Recognised by the worker having an account / any withdrawal, so a second load adds nothing."""
    put = service("chukai.payouts.services", "bank_account_put")
    request = service("chukai.payouts.services", "withdrawal_request")
    if put is None or request is None:
        demo.skipped.append("payouts")
        return
    from chukai.payouts.models import BankAccount, Withdrawal

    now = demo.now
    with transaction.atomic():
        if not BankAccount.objects.filter(user=demo.worker).exists():
            with at(now - 2 * DAY):
                call(
                    put,
                    user=demo.worker,
                    bank_code="0005",
                    bank_name="三菱UFJ銀行",
                    branch_code="001",
                    branch_name="本店",
                    account_type="ordinary",
                    account_number="1234567",
                    holder_kana="サトウ ユキ",  # full-width input; stored half-width
                )
        if not Withdrawal.objects.filter(user=demo.worker).exists():
            with at(now - DAY):
                call(request, user=demo.worker, amount_jpy=PAYOUT_DEMO_AMOUNT)


def money_in_demo(demo: Demo) -> None:
    """Money in (DOMAIN §11): a milestone awaiting a bank transfer into its virtual account, chosen
    two days ago (pay-by in five days); both parties see it and the countdown on the contract page."""
    title = "会社案内パンフレット制作 [lancers · awaiting_payment]"
    if exists(demo, title):
        return
    now = demo.now
    with transaction.atomic():
        c = contract_make(
            demo,
            title=title,
            policy="lancers",
            milestones=[("デザイン案", 60_000), ("入稿データ", 90_000)],
            formed=now - 3 * DAY,
        )
        with at(now - 2 * DAY):
            contract_services.milestone_fund(
                user_id=demo.client.pk, contract_id=c.pk, milestone_id=ms(c, 2), method="bank_transfer"
            )


def _first_service(module: str, names: tuple[str, ...]) -> Callable[..., Any] | None:
    for name in names:
        fn = service(module, name)
        if fn is not None:
            return fn
    return None


APPS_WITH_DEMO = ("messaging", "remedies", "support", "reputation", "web")


def app_demos(demo: Demo) -> None:
    """Parts an app keeps itself: `chukai/<app>/demo.py` with a `<app>_demo(demo)` function,
    built from the helpers here and idempotent the same way (recognised by title)."""
    for app in APPS_WITH_DEMO:
        fn = service(f"chukai.{app}.demo", f"{app}_demo")
        if fn is not None:
            fn(demo)


PARTS: list[Callable[[Demo], None]] = [
    lifecycle_demo,
    multi_milestone_demo,
    messaging_demo,
    contact_reminder_demo,
    termination_demo,
    support_demo,
    ratings_demo,
    payouts_demo,
    money_in_demo,
    app_demos,
]
OPTIONAL = {
    messaging_demo,
    contact_reminder_demo,
    termination_demo,
    support_demo,
    ratings_demo,
    payouts_demo,
    app_demos,
}


def load(*, strict: bool = False, warn: Callable[[str], None] = print) -> Demo:
    """Load every part; with `strict`, a failing optional part raises instead of warning."""
    client, worker, staff = users_ensure()
    demo = Demo(client=client, worker=worker, staff=staff, now=clock.now().replace(microsecond=0), strict=strict)
    for part in PARTS:
        try:
            part(demo)
        except Exception as exc:
            if strict or part not in OPTIONAL:
                raise
            demo.skipped.append(part.__name__)
            warn(f"demo part {part.__name__} failed and was skipped: {exc!r}")
    # What fell due while the history was staged (48-hour nudges, lapsed periods) applies
    # now, as the worker would at its start, so the data is consistent before serving.
    while deadlines_run_due(limit=100):
        pass
    return demo


def summary(demo: Demo) -> list[tuple[int, str, str, str]]:
    rows = Contract.objects.filter(client=demo.client).order_by("policy_name", "id")
    return [(c.pk, c.policy_name, c.status, c.title) for c in rows]
