"""Texts for the kinds the core (contracts, marketplace) and messaging emit."""

from __future__ import annotations

from typing import Any

from chukai.messaging.texts import Viewer, format_value, register_texts


def _messages_text(values: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """A batch of new messages as plain text: sender, exact time, the start of each body."""
    lines = []
    for m in values.get("messages") or []:
        when = format_value(m.get("at") or "", viewer)
        lines.append(f"■ {m.get('sender', '')} — {when}\n{m.get('excerpt', '')}\n")
    return {**values, "messages_text": "\n".join(lines)}


register_texts(
    "message_new",
    ja="{sender}さんから新しいメッセージ（{count}件）",
    en="New message from {sender} ({count})",
    ja_body="契約「{contract}」に新しいメッセージが届いています。\n\n{messages_text}",
    en_body="You have new messages on contract “{contract}”.\n\n{messages_text}",
    prepare=_messages_text,
)
register_texts(
    "message_unread_nudge",
    ja="未読メッセージがあります：{sender}さんから（{count}件）",
    en="Unread messages from {sender} ({count})",
    ja_body="契約「{contract}」に、48時間以上お読みになっていないメッセージが{count}件あります"
    "（最も古いもの：{oldest_at}）。お返事がないと、相手方が連絡催促申請などの手続きを取ることがあります。",
    en_body="You have {count} unread message(s) on contract “{contract}”, the oldest sent {oldest_at}. "
    "If you do not answer, the other party may file a contact reminder request.",
)
register_texts(
    "contract_formed",
    ja="契約が成立しました：{contract}",
    en="Contract formed: {contract}",
    ja_body="契約「{contract}」が成立しました。仮払い（エスクロー）が完了するまで作業を始めないでください。",
    en_body="Contract “{contract}” has been formed. Do not start work until the escrow is funded.",
)
register_texts(
    "milestone_funded",
    ja="仮払いが完了しました：{milestone}（{amount}円）",
    en="Escrow funded: {milestone} (¥{amount})",
    ja_body="契約「{contract}」のマイルストーン「{milestone}」の仮払い（エスクロー）が完了しました。作業を始めてください。",
    en_body="The client funded escrow for “{milestone}” on “{contract}”. You can start this milestone now.",
)
register_texts(
    "milestone_delivered",
    ja="完了報告が届きました：{milestone}",
    en="Work delivered: {milestone}",
    ja_body="契約「{contract}」のマイルストーン「{milestone}」について完了報告がありました。検収してください。",
    en_body="The worker reported completion of “{milestone}” on contract “{contract}”. Please review it.",
)
register_texts(
    "milestone_paid",
    ja="支払いが確定しました：{milestone}（{amount}円）",
    en="Payment confirmed: {milestone} (¥{amount})",
    ja_body="契約「{contract}」のマイルストーン「{milestone}」の支払いが確定しました。受取額：{amount}円（手数料差引後）。",
    en_body="Payment for “{milestone}” on contract “{contract}” is confirmed: ¥{amount} after fees.",
)
register_texts(
    "revision_requested",
    ja="差し戻しがありました：{milestone}",
    en="Revision requested: {milestone}",
    ja_body="契約「{contract}」のマイルストーン「{milestone}」が差し戻されました。",
    en_body="The client asked for a revision of “{milestone}” on contract “{contract}”.",
)
register_texts(
    "acceptance_reminder",
    ja="検収期限が近づいています：{milestone}",
    en="Review deadline approaching: {milestone}",
    ja_body="契約「{contract}」のマイルストーン「{milestone}」の検収期限は {due_at} です。",
    en_body="The review of “{milestone}” on contract “{contract}” is due {due_at}.",
)
register_texts(
    "acceptance_lapsed",
    ja="検収期間が過ぎました：{milestone}",
    en="Review period lapsed: {milestone}",
    ja_body="契約「{contract}」のマイルストーン「{milestone}」の検収期間が過ぎました。",
    en_body="The review period for “{milestone}” on contract “{contract}” has lapsed.",
)
register_texts(
    "due_date_proposed",
    ja="納期変更の提案：{due_date}",
    en="Due date change proposed: {due_date}",
    ja_body="契約「{contract}」の納期を {due_date} に変更する提案が届きました。承認または辞退してください。",
    en_body="The other party proposes to move the due date of “{contract}” to {due_date}. Accept or decline it.",
)
register_texts(
    "due_date_accepted",
    ja="納期変更が承認されました：{due_date}",
    en="Due date change accepted: {due_date}",
)
register_texts(
    "due_date_declined",
    ja="納期変更が辞退されました：{due_date}",
    en="Due date change declined: {due_date}",
)
register_texts(
    "plan_change_proposed",
    ja="計画変更の提案：{contract}",
    en="Plan change proposed: {contract}",
    ja_body="契約「{contract}」の計画変更（マイルストーン・金額）の提案が届きました。承認または辞退してください。",
    en_body="The other party proposes new milestones for “{contract}”. Accept or decline it.",
)
register_texts("plan_change_accepted", ja="計画変更が承認されました：{contract}", en="Plan change accepted: {contract}")
register_texts("plan_change_declined", ja="計画変更が辞退されました：{contract}", en="Plan change declined: {contract}")
