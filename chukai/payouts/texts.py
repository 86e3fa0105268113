"""Notification and email texts for money reaching a user (DOMAIN §10: the exact amount and why)."""

from __future__ import annotations

import re
from typing import Any

from chukai.messaging.texts import Viewer, register_texts

# Why money reached someone, by the reason escrow_settle was given (other reasons: the staff memo).
REASONS = {
    "milestone_accepted": ("検収が完了したため", "the client accepted the work"),
    "milestone_auto_accepted": (
        "検収期限が過ぎ自動検収されたため",
        "the review period lapsed and the work was accepted automatically",
    ),
    "contact_reminder_expired": (
        "連絡催促申請の期限までに相手方から返答がなかったため",
        "the other party did not answer the contact reminder in time",
    ),
    "termination_agreed": ("途中終了リクエストが合意されたため", "the early termination request was agreed"),
    "termination_took_effect": (
        "途中終了リクエストに期限までに回答がなく成立したため",
        "the early termination request took effect without an answer",
    ),
}
KINDS = {
    "release": ("報酬のお支払い", "payment for your work"),
    "split": ("精算によるお支払い", "a settlement"),
    "refund": ("仮払いの返金", "a refund of escrow"),
}


DECISIONS = {
    "release_delivered": ("納品済みの作業への支払い", "pay for the delivered work"),
    "refund_escrow": ("仮払いの返金", "refund of the escrow"),
    "split": ("按分による精算", "a split settlement"),
    "cancel": ("契約のキャンセル", "cancelling the contract"),
}
_STAFF_MEMO = re.compile(r"support case #(\d+): (\w+)")


def _reason(values: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    ja = viewer.locale == "ja"
    code = str(values.get("reason") or "")
    known = REASONS.get(code)
    staff = _STAFF_MEMO.fullmatch(code)
    if known is not None:
        why = known[0] if ja else known[1]
    elif staff is not None:
        decision = DECISIONS.get(staff.group(2), (staff.group(2), staff.group(2)))
        why = (
            f"事務局の判断（サポート案件 #{staff.group(1)}：{decision[0]}）"
            if ja
            else f"a decision of the support office (support case #{staff.group(1)}: {decision[1]})"
        )
    elif values.get("staff_decision") or code:
        why = (
            (f"事務局の判断（{code}）" if ja else f"a decision of the support office ({code})")
            if code
            else ("事務局の判断" if ja else "a decision of the support office")
        )
    else:
        why = ""
    kind = KINDS.get(str(values.get("settle_kind") or ""), ("お支払い", "a payment"))
    return {**values, "why": why, "what": kind[0] if ja else kind[1]}


register_texts(
    "payment_received",
    ja="{amount_jpy}円が残高に入金されました（{contract}）",
    en="¥{amount_jpy} added to your balance ({contract})",
    ja_body="契約「{contract}」のマイルストーン「{milestone}」について、{what}として{amount_jpy}円があなたの残高に入金されました。\n"
    "理由：{why}\n\n残高は出金申請で銀行口座へ振り込めます。",
    en_body="¥{amount_jpy} has been added to your balance as {what} for milestone “{milestone}” "
    "of contract “{contract}”.\nWhy: {why}\n\nYou can withdraw your balance to your bank account.",
    prepare=_reason,
)
register_texts(
    "payout_paid",
    ja="{amount_jpy}円を銀行口座へ振り込みました（出金申請 #{withdrawal_id}）",
    en="¥{amount_jpy} sent to your bank account (withdrawal #{withdrawal_id})",
    ja_body="出金申請 #{withdrawal_id}（{withdrawal_amount_jpy}円）について、振込手数料{fee_jpy}円を差し引いた"
    "{amount_jpy}円を{pay_date}付でご登録の銀行口座へ振り込みました。",
    en_body="For withdrawal #{withdrawal_id} (¥{withdrawal_amount_jpy}), we transferred ¥{amount_jpy} "
    "(after the ¥{fee_jpy} transfer fee) to your registered bank account, dated {pay_date}.",
)
register_texts(
    "payout_returned",
    ja="振込が組戻しになり{amount_jpy}円を残高に戻しました（出金申請 #{withdrawal_id}）",
    en="Transfer returned: ¥{amount_jpy} back in your balance (withdrawal #{withdrawal_id})",
    ja_body="出金申請 #{withdrawal_id}の振込が銀行から戻されました（組戻し）。理由：{reason}\n"
    "振込手数料を含む{amount_jpy}円をあなたの残高に戻しました。\n"
    "振込先口座の情報を確認し、口座を登録し直してから、もう一度出金申請をしてください。",
    en_body="The bank returned the transfer of withdrawal #{withdrawal_id}. Reason: {reason}\n"
    "The whole ¥{amount_jpy}, transfer fee included, is back in your balance.\n"
    "Please check your bank account details, register the account again, then request a new withdrawal.",
)
