"""Notification texts of the marketplace (DOMAIN §13), Japanese and English."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from chukai.messaging.texts import Viewer, register_texts


def _job_link(values: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    base = str(getattr(settings, "CHUKAI_SITE_URL", "")).rstrip("/")
    return {**values, "job_url": f"{base}/jobs/{values.get('job_id', '')}"}


register_texts(
    "proposal_received",
    ja="新しい提案が届きました：{job}（{amount}円）",
    en="New proposal on “{job}” (¥{amount})",
    ja_body="お仕事「{job}」に{worker}さんから{amount}円の提案が届きました。\n提案を見る：{job_url}",
    en_body="{worker} sent a proposal of ¥{amount} on your job “{job}”.\nSee the proposals: {job_url}",
    prepare=_job_link,
)
register_texts(
    "proposal_declined",
    ja="提案が見送られました：{job}",
    en="Your proposal was not chosen: {job}",
    ja_body="お仕事「{job}」へのご提案は、今回は見送られました。ご提案ありがとうございました。\n{job_url}",
    en_body="The client did not choose your proposal on “{job}” this time. Thank you for proposing.\n{job_url}",
    prepare=_job_link,
)
