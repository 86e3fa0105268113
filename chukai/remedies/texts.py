"""Notification texts of the remedies, in Japanese and English."""

from __future__ import annotations


def register() -> None:
    try:
        from chukai.messaging.texts import register_texts
    except ImportError:  # messaging not installed: notifications fall back to nothing
        return
    register_texts(
        "contact_reminder_filed",
        ja="【連絡催促】「{contract}」の取引相手があなたからの連絡を待っています（期限 {respond_by}）",
        en="Contact reminder: your counterpart on “{contract}” is waiting for your answer (by {respond_by})",
        ja_body="取引相手から連絡催促申請が提出されました。{respond_by} までにメッセージを送るか契約上の操作を"
        "行ってください。期限までに応答がない場合、規約に従い自動的に処理されます（納品済みの計画は支払い確定、"
        "仮払い中の計画は返金、未仮払いの計画はキャンセル）。また、あなたにマイナス評価が付きます。",
        en_body="Your counterpart filed a contact reminder. Send a message or act on the contract by {respond_by}. "
        "Without an answer by then the contract is settled by the published rule (delivered work paid, escrowed "
        "work refunded, unfunded work cancelled) and you receive a penalty mark.",
    )
    register_texts(
        "contact_reminder_confirmed",
        ja="連絡催促申請を受け付けました（「{contract}」、期限 {respond_by}）",
        en="Your contact reminder on “{contract}” was filed (deadline {respond_by})",
    )
    register_texts(
        "contact_reminder_nudge",
        ja="【連絡催促】「{contract}」の応答期限が近づいています（{respond_by}）",
        en="Contact reminder: the deadline on “{contract}” is near ({respond_by})",
    )
    register_texts(
        "contact_reminder_answered",
        ja="「{contract}」の取引相手が連絡催促に応答しました",
        en="Your counterpart on “{contract}” answered the contact reminder",
    )
    register_texts(
        "contact_reminder_expired",
        ja="「{contract}」の連絡催促が期限切れとなり、契約が処理されました",
        en="The contact reminder on “{contract}” expired and the contract was settled",
    )
    register_texts(
        "termination_requested",
        ja="「{contract}」の途中終了リクエストが届きました（{takes_effect_at} に自動成立）",
        en="Early termination requested on “{contract}” (takes effect {takes_effect_at} unless you answer)",
        ja_body="取引相手から途中終了リクエストが届きました。同意・拒否を契約ページで選べます。"
        "{takes_effect_at} までに応答がない場合、リクエストは同意されたものとして成立します。",
        en_body="Your counterpart asked to end the contract early. Agree or decline on the contract page. "
        "Without an answer by {takes_effect_at} it takes effect as if agreed.",
    )
    register_texts(
        "termination_agreed",
        ja="「{contract}」の途中終了が成立しました",
        en="The early termination of “{contract}” was agreed",
    )
    register_texts(
        "termination_took_effect",
        ja="「{contract}」の途中終了リクエストが期限により成立しました",
        en="The early termination of “{contract}” took effect at its deadline",
    )
    register_texts(
        "termination_declined",
        ja="「{contract}」の途中終了リクエストは拒否されました",
        en="The early termination request on “{contract}” was declined",
    )
    register_texts(
        "termination_withdrawn",
        ja="「{contract}」の途中終了リクエストは取り下げられました",
        en="The early termination request on “{contract}” was withdrawn",
    )
