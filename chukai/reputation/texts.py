"""User-facing texts of reputation notifications (ja, en)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "ratings_revealed": {
        "ja": "「{contract}」の評価が公開されました",
        "en": "Ratings for “{contract}” are now visible",
        "ja_body": "契約「{contract}」の相互評価が公開されました（双方の評価がそろったか、評価期間が終了しました）。"
        "契約ページとプロフィールでご確認いただけます。",
        "en_body": "The ratings on contract “{contract}” are now visible: both of you have rated, "
        "or the rating window has closed. See them on the contract page and on the profiles.",
    },
}


def register() -> bool:
    """Hand the texts to the messaging app's registry; False while that does not exist."""
    try:
        from chukai.messaging.texts import register_texts
    except ImportError:
        return False
    for kind, t in TEXTS.items():
        register_texts(kind, ja=t["ja"], en=t["en"], ja_body=t["ja_body"], en_body=t["en_body"])
    return True
