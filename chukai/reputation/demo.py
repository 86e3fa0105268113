"""Demo parts for reputation, for `chukai.common.demo.PARTS` (built through the services only).

- a completed contract the client has rated and the worker not yet: the rating is hidden, the
  worker sees the `rate` action and the window's countdown;
- a Lancers contract whose contact reminder expired: the payment was confirmed to the worker and
  the silent client carries a penalty mark on their profile (needs remedies and messaging).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from chukai.reputation.services import rating_submit

if TYPE_CHECKING:
    from chukai.common.demo import Demo

DAY = dt.timedelta(days=1)
PENDING_TITLE = "バナー制作 (5点) [chukai · rating pending]"
PENALTY_TITLE = "商品説明文の作成 [lancers · penalty mark]"


def reputation_demo(demo: Demo) -> None:
    pending_rating_demo(demo)
    penalty_mark_demo(demo)


def pending_rating_demo(demo: Demo) -> None:
    from chukai.common.demo import accept, at, contract_make, deliver, exists, fund

    if exists(demo, PENDING_TITLE):
        return
    now = demo.now
    with transaction.atomic():
        c = contract_make(
            demo, title=PENDING_TITLE, policy="chukai", milestones=[("バナー5点", 35_000)], formed=now - 9 * DAY
        )
        fund(demo, c, now - 8 * DAY)
        deliver(demo, c, now - 4 * DAY)
        accept(demo, c, now - 2 * DAY)
        with at(now - DAY):
            rating_submit(
                user_id=demo.client.pk,
                contract_id=c.pk,
                stars=4,
                comment="修正にも快く対応いただきました。(hidden until the worker rates or the window closes)",
            )


def penalty_mark_demo(demo: Demo) -> None:
    from chukai.common.demo import _first_service, at, call, contract_make, deliver, exists, fund, service

    file_reminder = _first_service("chukai.remedies.services", ("reminder_file", "contact_reminder_file"))
    post = service("chukai.messaging.services", "message_post")
    if file_reminder is None or post is None:
        demo.skipped.append("penalty mark")
        return
    if exists(demo, PENALTY_TITLE):
        return
    now = demo.now
    with transaction.atomic():
        c = contract_make(
            demo, title=PENALTY_TITLE, policy="lancers", milestones=[("説明文30点", 45_000)], formed=now - 30 * DAY
        )
        fund(demo, c, now - 29 * DAY)
        with at(now - 28 * DAY):
            call(
                post, user_id=demo.client.pk, contract_id=c.pk, body="商品リストをお送りします。よろしくお願いします。"
            )
        with at(now - 27 * DAY):
            call(post, user_id=demo.worker.pk, contract_id=c.pk, body="承知しました。順次作成します。")
        for days in (20, 19):
            with at(now - days * DAY):
                call(post, user_id=demo.worker.pk, contract_id=c.pk, body="ご確認いただけますでしょうか。")
        deliver(demo, c, now - 12 * DAY)  # report completion first (seed 002), then file
        with at(now - 11 * DAY):
            call(file_reminder, user_id=demo.worker.pk, contract_id=c.pk)
    # The response deadline passed 4 days ago: `load()` applies it as of its due time (the
    # payment is confirmed and the client gets a penalty mark).
