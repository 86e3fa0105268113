"""How the support office joins the rest of chukai: the `actions` map, reachability and texts."""

from __future__ import annotations

from typing import Any

from chukai.contracts import actions
from chukai.support import rules, selectors


@actions.provider
def support_actions(f: actions.Facts) -> dict[str, actions.Availability]:
    """`support_case` for the caller, with the answer for each kind under `kinds`."""
    if "support_open_case_id" not in f.extra:
        f.extra["support_open_case_id"] = selectors.open_case_id(f.contract.pk)
    return {
        "support_case": rules.all_kinds(
            contract=f.contract,
            milestones=f.milestones,
            role=f.role,
            now=f.now,
            open_case_id=f.extra["support_open_case_id"],
        )
    }


def reachability_open_requests(contract: Any, user: Any) -> list[dict[str, Any]]:
    """Open support cases on the contract, each with the deadline of its running notice."""
    return selectors.open_cases_of(contract.pk, getattr(user, "pk", None))


KIND_LABELS = {
    "unresponsive": {"ja": "相手方と連絡が取れない", "en": "the other party does not respond"},
    "acceptance_overdue": {"ja": "検収期限切れ", "en": "acceptance overdue"},
    "dispute": {"ja": "トラブル・紛争", "en": "dispute"},
    "other": {"ja": "その他", "en": "other"},
}
DECISION_LABELS = {
    "release_delivered": {"ja": "納品済みの計画を支払い確定", "en": "the delivered milestones are paid"},
    "refund_escrow": {"ja": "仮払い金を発注者へ返金", "en": "the escrow is refunded to the client"},
    "split": {
        "ja": "仮払い金を按分（一部支払い・残りは返金）",
        "en": "the escrow is split (part paid, the rest refunded)",
    },
    "cancel": {"ja": "契約をキャンセル", "en": "the contract is cancelled"},
    "extend_due_date": {"ja": "納期を延長", "en": "the due date is extended"},
}


def _labels(values: dict[str, Any], viewer: Any) -> dict[str, Any]:
    lang = "ja" if viewer.locale == "ja" else "en"
    out = dict(values)
    if values.get("case_kind") in KIND_LABELS:
        out["case_kind"] = KIND_LABELS[values["case_kind"]][lang]
    if values.get("decision") in DECISION_LABELS:
        out["decision"] = DECISION_LABELS[values["decision"]][lang]
    return out


# kind: (ja title, en title, ja body, en body)
TEXTS: dict[str, tuple[str, str, str, str]] = {
    "support_case_opened": (
        "事務局への問い合わせが開かれました：{contract}",
        "A support case was opened: {contract}",
        "相手方が契約「{contract}」について事務局に問い合わせました（{case_kind}）。事務局から連絡することがあります。",
        "The other party opened a support case on contract “{contract}” ({case_kind}). "
        "The support office may contact you.",
    ),
    "official_notice": (
        "事務局からの連絡：{respond_by}までにご対応ください",
        "Please respond by {respond_by}",
        "契約「{contract}」について、事務局からのご連絡です。\n\n{body}\n\n"
        "{respond_by}までに、メッセージの送信または契約上の操作でご対応ください。"
        "期限までにご対応がない場合、事務局が判断します。",
        "The support office writes about contract “{contract}”:\n\n{body}\n\n"
        "Please respond by {respond_by} with a message or an action on the contract. "
        "If you do not, the support office will decide.",
    ),
    "support_notice_sent": (
        "事務局が相手方に連絡しました（期限 {respond_by}）",
        "The support office contacted the other party (deadline {respond_by})",
        "契約「{contract}」の問い合わせについて、事務局が相手方に回答期限 {respond_by} の連絡をしました。",
        "About your case on contract “{contract}”, the support office asked the other party "
        "to respond by {respond_by}.",
    ),
    "official_notice_answered": (
        "相手方が事務局からの連絡に対応しました：{contract}",
        "The other party responded to the support office: {contract}",
        "",
        "",
    ),
    "official_notice_lapsed": (
        "回答期限（{respond_by}）を過ぎました",
        "The deadline ({respond_by}) has passed",
        "契約「{contract}」について事務局からの連絡にご対応がありませんでした。事務局が判断します。",
        "You did not respond to the support office's notice about contract “{contract}”. "
        "The support office will decide.",
    ),
    "support_case_ready": (
        "問い合わせが事務局の判断待ちになりました：{contract}",
        "Your case awaits the support office's decision: {contract}",
        "相手方が期限までに対応しなかったため、事務局が判断します。",
        "The other party did not respond in time; the support office will decide.",
    ),
    "support_case_decided": (
        "事務局の判断：{decision}",
        "Support office decision: {decision}",
        "契約「{contract}」についての問い合わせに、事務局が判断しました：{decision}。"
        "受注者への支払い {worker_jpy}円、発注者への返金 {client_jpy}円。",
        "The support office decided the case on contract “{contract}”: {decision}. "
        "Paid to the worker: ¥{worker_jpy}; refunded to the client: ¥{client_jpy}.",
    ),
    "support_case_closed": (
        "事務局への問い合わせが完了しました：{contract}",
        "The support case was closed: {contract}",
        "",
        "",
    ),
}


def connect() -> None:
    """Called from SupportConfig.ready(): hooks, texts and reachability, where those modules exist."""
    from chukai.contracts import hooks
    from chukai.support import services

    hooks.on_party_acted(services.on_party_acted)
    hooks.on_contract_ended(services.on_contract_ended)
    try:
        from chukai.messaging.texts import register_texts
    except ImportError:
        pass
    else:
        for kind, (ja, en, ja_body, en_body) in TEXTS.items():
            register_texts(kind, ja=ja, en=en, ja_body=ja_body, en_body=en_body, prepare=_labels)
    try:
        from chukai.messaging import selectors as messaging_selectors
    except ImportError:
        return
    extras = getattr(messaging_selectors, "REACHABILITY_EXTRAS", None)
    if isinstance(extras, list) and reachability_open_requests not in extras:
        extras.append(reachability_open_requests)
