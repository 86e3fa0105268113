"""The fixed list of job categories (DOMAIN §13), after the top categories of Lancers and CrowdWorks.

Codes are stable (stored on jobs, used in URLs and the API); names are shown in the reader's language.
"""

from __future__ import annotations

from typing import Final

DEFAULT: Final = "other"

# code: (Japanese, English) — the order is the order shown.
CATEGORIES: Final[dict[str, tuple[str, str]]] = {
    "development": ("システム開発・プログラミング", "Software development"),
    "apps": ("アプリ・スマートフォン開発", "Apps and smartphones"),
    "web": ("Web制作・Webデザイン", "Websites and web design"),
    "ecommerce": ("ECサイト・ネットショップ", "Online shops"),
    "design": ("デザイン・ロゴ・イラスト", "Design, logos and illustration"),
    "video": ("動画・写真・音声", "Video, photo and audio"),
    "writing": ("ライティング・記事作成", "Writing and articles"),
    "translation": ("翻訳・通訳", "Translation and interpreting"),
    "marketing": ("マーケティング・企画", "Marketing and planning"),
    "admin": ("事務・データ入力", "Office work and data entry"),
    "consulting": ("専門職・コンサルティング", "Professional services and consulting"),
    DEFAULT: ("その他", "Other"),
}
CODES: Final = tuple(CATEGORIES)


def name_of(code: str, locale: str) -> str:
    ja, en = CATEGORIES.get(code, CATEGORIES[DEFAULT])
    return en if locale == "en" else ja


def category_list(locale: str) -> list[dict[str, str]]:
    return [{"code": code, "name": name_of(code, locale)} for code in CODES]
