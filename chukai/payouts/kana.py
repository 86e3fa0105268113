"""Bank-file text: full-width katakana and letters to the half-width form Zengin files use (jaconv)."""

from __future__ import annotations

import re

import jaconv

# Zengin files have no small kana and no long-vowel mark: banks write the large kana and "-".
_SMALL_TO_LARGE = str.maketrans("ｧｨｩｪｫｬｭｮｯ", "ｱｲｳｴｵﾔﾕﾖﾂ")
_ALLOWED = re.compile(r"[ｦ-ﾟA-Z0-9 ().\-/,]*")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")


def to_bank_kana(text: str) -> str:
    """Half-width katakana, upper-case letters, digits and ( ) . - / , as bank files want."""
    half = jaconv.z2h(text.strip(), kana=True, ascii=True, digit=True)
    half = half.replace("ｰ", "-").replace("\u3000", " ").translate(_SMALL_TO_LARGE).upper()
    return re.sub(r" {2,}", " ", half)


def is_bank_kana(text: str) -> bool:
    return bool(_ALLOWED.fullmatch(text))


def has_hiragana(text: str) -> bool:
    return bool(_HIRAGANA.search(text))


def digits(text: str) -> str:
    """Full-width digits typed on a Japanese keyboard become ASCII digits."""
    return jaconv.z2h(str(text).strip(), kana=False, ascii=False, digit=True)
