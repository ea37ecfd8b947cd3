"""Full-text search over sections, built once at load.

Japanese has no spaces between words, so the index is over characters: each section's
title and text are folded (NFKC, case, katakana→hiragana; see `normalize.fold`) and every
character and character pair points at the sections that contain it. A query word is
looked up by its rarest pair (or its character, for one-character words) and confirmed by
a substring test on the folded text, so `抑止`, `ＮＡＴＯ` = `NATO`, `ＧＤＰ比３％` =
`GDP比3%` and single characters are all found exactly. Several words mean AND.

Snippets are cut from the *original* text around the first hit, with every query word in
the window wrapped in `HIT_OPEN` … `HIT_CLOSE`; renderers turn those into bold (or use
`snippet_parts`).
"""

from __future__ import annotations

import math
import operator
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.content.models import Document, Section
from bot.content.normalize import fold

HIT_OPEN = "【"
HIT_CLOSE = "】"
ELLIPSIS = "…"
# Characters of original text in a snippet; markers and ellipses come on top, the whole
# snippet stays within SNIPPET_MAX.
SNIPPET_WINDOW = 130
SNIPPET_CONTEXT_BEFORE = 40
SNIPPET_MAX_MARKS = 10
SNIPPET_MAX = SNIPPET_WINDOW + 2 * len(ELLIPSIS) + SNIPPET_MAX_MARKS * 2
# A word in a title counts as much as this many occurrences in the text.
TITLE_BOOST = 5

_PARAGRAPH_BREAK = "\n\n"
# Half-width voiced marks join the kana before them under NFKC, so they fold together.
_JOINERS = frozenset("\uff9e\uff9f\u3099\u309a")


@lru_cache(maxsize=8192)
def _fold_piece(piece: str) -> str:
    return fold(piece)


def _fold_with_map(text: str) -> tuple[str, tuple[array[int], array[int]] | None]:
    """The folded text and, for each folded character, the original span it came from.

    The map is None when folding kept one character per character (nearly always), so a
    folded position is an original position.
    """
    folded = "".join(map(_fold_piece, text))
    if len(folded) == len(text) and folded == fold(text):
        return folded, None
    pieces: list[str] = []
    starts: array[int] = array("l")
    ends: array[int] = array("l")
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and (text[j] in _JOINERS or unicodedata.combining(text[j])):
            j += 1
        piece = _fold_piece(text[i:j])
        pieces.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return "".join(pieces), (starts, ends)


def fold_text(text: str) -> str:
    """The folded form the index matches against (same as `fold` except in rare clusters)."""
    return _fold_with_map(text)[0]


@dataclass(frozen=True)
class SearchHit:
    document: str
    section: Section
    score: float
    count: int
    snippet: str


@dataclass(frozen=True)
class SearchPage:
    query: str
    hits: tuple[SearchHit, ...]
    total: int
    page: int
    pages: int
    per_page: int


class _Entry:
    __slots__ = ("_map", "body", "document", "folded_body", "folded_title", "section")

    def __init__(self, document: str, section: Section) -> None:
        self.document = document
        self.section = section
        self.body = section.text
        self.folded_title = fold_text(section.title)
        self.folded_body, self._map = _fold_with_map(self.body)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded characters [start, end)."""
        if self._map is None:
            return start, end
        starts, ends = self._map
        return starts[start], ends[end - 1]


def _gram_counts(text: str) -> Counter[str]:
    counts = Counter(text)
    counts.update(map(operator.add, text, text[1:]))
    return counts


def _safe_cut(text: str, index: int) -> int:
    """Move a cut point back so it never splits a surrogate pair or a base from its marks."""
    while 0 < index < len(text) and (
        "\udc00" <= text[index] <= "\udfff"
        or unicodedata.combining(text[index])
        or text[index] in _JOINERS
    ):
        index -= 1
    return index


def _snippet(entry: _Entry, words: Sequence[str]) -> str:
    fb, body = entry.folded_body, entry.body
    firsts = [p for p in (fb.find(w) for w in words) if p >= 0]
    if not firsts:
        cut = _safe_cut(body, min(len(body), SNIPPET_WINDOW))
        end = body.find(_PARAGRAPH_BREAK)
        cut = cut if end < 0 else min(cut, end)
        return body[:cut] + (ELLIPSIS if cut < len(body) else "")
    first = min(firsts)
    first_len = max(len(w) for w in words if fb.startswith(w, first))
    hit_start, hit_end = entry.span(first, first + first_len)
    para_start = body.rfind(_PARAGRAPH_BREAK, 0, hit_start)
    para_start = 0 if para_start < 0 else para_start + len(_PARAGRAPH_BREAK)
    para_end = body.find(_PARAGRAPH_BREAK, hit_end)
    para_end = len(body) if para_end < 0 else para_end
    left = max(para_start, hit_start - SNIPPET_CONTEXT_BEFORE)
    right = min(para_end, left + SNIPPET_WINDOW)
    left = max(para_start, min(left, right - SNIPPET_WINDOW))
    left, right = _safe_cut(body, left), _safe_cut(body, right)

    spans: list[tuple[int, int]] = []
    for w in words:
        pos = fb.find(w)
        while pos >= 0:
            start, end = entry.span(pos, pos + len(w))
            if start >= right:
                break
            if start >= left and end <= right:
                spans.append((start, end))
            pos = fb.find(w, pos + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    parts = [ELLIPSIS if left > para_start else ""]
    cursor = left
    for start, end in merged[:SNIPPET_MAX_MARKS]:
        parts += [body[cursor:start], HIT_OPEN, body[start:end], HIT_CLOSE]
        cursor = end
    parts += [body[cursor:right], ELLIPSIS if right < para_end else ""]
    return "".join(parts).replace("\n", " ")


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """Split a snippet into (text, is_hit) runs, for renderers that style hits natively."""
    out: list[tuple[str, bool]] = []
    rest = snippet
    while rest:
        start = rest.find(HIT_OPEN)
        end = rest.find(HIT_CLOSE, start + 1) if start >= 0 else -1
        if start < 0 or end < 0:
            out.append((rest, False))
            break
        if start:
            out.append((rest[:start], False))
        out.append((rest[start + len(HIT_OPEN) : end], True))
        rest = rest[end + len(HIT_CLOSE) :]
    return out


class SearchIndex:
    """An n-gram (character and pair) index over the sections of one or more documents.

    Each posting holds, per section, the weight of the gram there (occurrences in the text
    plus `TITLE_BOOST` per occurrence in the title), so one- and two-character words, the
    most common queries in Japanese, are scored from the index alone.
    """

    def __init__(self, sections: Iterable[tuple[str, Section]]) -> None:
        self._entries: list[_Entry] = []
        self._ids: dict[str, array[int]] = {}
        self._weights: dict[str, array[int]] = {}
        for number, (document, section) in enumerate(sections):
            entry = _Entry(document, section)
            self._entries.append(entry)
            counts = _gram_counts(entry.folded_body)
            for gram, n in _gram_counts(entry.folded_title).items():
                counts[gram] += TITLE_BOOST * n
            all_ids, all_weights = self._ids, self._weights
            for gram, weight in counts.items():
                ids = all_ids.get(gram)
                if ids is None:
                    all_ids[gram] = array("l", (number,))
                    all_weights[gram] = array("l", (weight,))
                else:
                    ids.append(number)
                    all_weights[gram].append(weight)

    @classmethod
    def build(cls, document: Document) -> SearchIndex:
        return cls((document.id, s) for s in document.sections)

    @classmethod
    def build_library(cls, documents: Iterable[Document]) -> SearchIndex:
        return cls((d.id, s) for d in documents for s in d.sections)

    def __len__(self) -> int:
        return len(self._entries)

    def _scores(self, word: str, within: dict[int, int] | None) -> dict[int, int]:
        """Section number → weight of `word` there, for sections containing it (and `within`)."""
        if len(word) <= 2:
            ids, weights = self._ids.get(word), self._weights.get(word)
            if ids is None or weights is None:
                return {}
            if within is None:
                return dict(zip(ids, weights, strict=True))
            return {n: w for n, w in zip(ids, weights, strict=True) if n in within}
        rarest: array[int] | None = None
        for i in range(len(word) - 1):
            ids = self._ids.get(word[i : i + 2])
            if ids is None:
                return {}
            if rarest is None or len(ids) < len(rarest):
                rarest = ids
        candidates: Iterable[int] = rarest or ()
        if within is not None and len(within) < len(rarest or ()):
            candidates = within
        out: dict[int, int] = {}
        for number in candidates:
            entry = self._entries[number]
            weight = entry.folded_body.count(word) + TITLE_BOOST * entry.folded_title.count(word)
            if weight:
                out[number] = weight
        return out

    def _ranked(self, words: Sequence[str]) -> list[tuple[int, int]]:
        """(negative score, section number), best first, of sections containing every word."""
        # The shortest posting first keeps every later step small.
        order = sorted(words, key=lambda w: len(self._ids.get(w[:2], ())))
        totals: dict[int, int] | None = None
        for word in order:
            scores = self._scores(word, totals)
            if totals is None:
                totals = scores
            else:
                totals = {n: totals[n] + w for n, w in scores.items() if n in totals}
            if not totals:
                return []
        ranked = [(-score, number) for number, score in (totals or {}).items()]
        ranked.sort()
        return ranked

    def search(self, query: str, page: int = 1, per_page: int = 5) -> SearchPage:
        """Sections containing every word of `query`, best first, one page of them."""
        words = list(dict.fromkeys(fold_text(query).split()))
        ranked = self._ranked(words) if words else []
        per_page = max(1, per_page)
        pages = max(1, math.ceil(len(ranked) / per_page))
        page = min(max(1, page), pages)
        hits = []
        for negative, number in ranked[(page - 1) * per_page : page * per_page]:
            entry = self._entries[number]
            hits.append(
                SearchHit(
                    document=entry.document,
                    section=entry.section,
                    score=float(-negative),
                    count=sum(entry.folded_body.count(w) for w in words),
                    snippet=_snippet(entry, words),
                )
            )
        return SearchPage(query, tuple(hits), len(ranked), page, pages, per_page)
