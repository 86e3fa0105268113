"""Search words: one normal form for the stored text and for the query, so matching is the same on
SQLite and PostgreSQL.

NFKC folds full-width Latin letters and digits to ASCII and half-width katakana to full-width
(ＬＯＧＯ, ﾛｺﾞ), casefold makes Latin letters case-insensitive; Japanese is matched as written.
"""

from __future__ import annotations

import unicodedata

MAX_QUERY_CHARS = 200  # longer → 422: no job title or description is searched by a 10,000-character phrase
MAX_TERMS = 10


def normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def search_text_for(title: str, description: str) -> str:
    return normal(f"{title}\n{description}")


def terms_of(q: str) -> list[str]:
    """The words of a query (every one must appear), at most MAX_TERMS, duplicates dropped."""
    return list(dict.fromkeys(normal(q).split()))[:MAX_TERMS]
