"""Text normalization for matching. Display always uses the original text.

NFKC folds width variants (ＮＡＴＯ → NATO, １８ → 18); casefold folds Latin case;
katakana is folded to hiragana so that a reading typed in either script matches.
"""

from __future__ import annotations

import unicodedata

_KATA_START = 0x30A1
_KATA_END = 0x30F6
_KATA_TO_HIRA = {c: c - 0x60 for c in range(_KATA_START, _KATA_END + 1)}

# Punctuation and symbols stripped around an answer: "18兆円。" and "「18兆円」" both count.
_EDGE_PUNCT = "\u3000 \t\r\n.,!?;:'\"()[]{}<>。、，．！？：；「」『』（）［］【】〈〉《》・…‥"


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def kana_fold(text: str) -> str:
    return text.translate(_KATA_TO_HIRA)


def fold(text: str) -> str:
    """The matching form of a text: NFKC, case-folded, katakana as hiragana."""
    return kana_fold(nfkc(text).casefold())


def answer_key(text: str) -> str:
    """The form in which a typed answer is compared with the expected one.

    Whole-string comparison only (never substring), so "air" never matches "chair";
    inner spaces are dropped because Japanese answers are often typed with stray spaces.
    """
    folded = fold(text).strip(_EDGE_PUNCT)
    return "".join(folded.split())
