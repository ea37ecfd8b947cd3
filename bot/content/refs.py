"""Reference resolution: what people type to name a section, turned into that section.

A reference is either a *number path* in any of the ways people write it (`1.3.2.2`,
`1-3-2-2`, `第１部３（２）②`, `第一部三（二）`, `2部3(1)`, `part 2 section 3 (1)`) or a
fragment of a section title (`地位協定`). The number path is the section id: the numbers
of the paper's own headings, in order, joined by dots.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.content.models import Document, Section
from bot.content.normalize import fold, nfkc

# ①..⑳, ㉑..㉟, ㊱..㊿: NFKC would turn them into bare digits, losing nothing we need,
# but mapping them first keeps `②` a number of its own next to other digits (`3(2)②`).
_CIRCLED: dict[str, int] = {chr(0x2460 + i): i + 1 for i in range(20)}
_CIRCLED.update({chr(0x3251 + i): 21 + i for i in range(15)})
_CIRCLED.update({chr(0x32B1 + i): 36 + i for i in range(15)})
_CIRCLED_RE = re.compile("[" + "".join(_CIRCLED) + "]")

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_KANJI_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_KANJI_UNITS = {"十": 10, "百": 100}
_KANJI_NUM_RE = re.compile("[〇零一二三四五六七八九十百]+")

# Words and marks that frame the numbers without changing them; longest first so that
# `section` is not read as `sec` + `tion`.
_REF_WORDS_RE = re.compile(r"(section|chapter|part|item|sec|ch|no|pt|p)\.?|[第部章節項号§#]")
_REF_SEPARATORS_RE = re.compile(r"[\d\s.\-‐‑–—−ー_/,、・:()]*")
_NUMBERS_RE = re.compile(r"\d+")
_ID_RE = re.compile(r"\d+(\.\d+)*")


def kanji_number(text: str) -> int | None:
    """`三` → 3, `十二` → 12, `二十` → 20, `百五` → 105; None if `text` is not a kanji number."""
    if not text or any(c not in _KANJI_DIGITS and c not in _KANJI_UNITS for c in text):
        return None
    if all(c in _KANJI_DIGITS for c in text):
        # Positional form (`一〇` = 10), as in some tables of contents.
        return int("".join(str(_KANJI_DIGITS[c]) for c in text))
    total = 0
    pending: int | None = None
    for c in text:
        if c in _KANJI_DIGITS:
            if pending is not None:
                return None
            pending = _KANJI_DIGITS[c]
        else:
            total += (1 if pending is None else pending) * _KANJI_UNITS[c]
            pending = None
    return total + (pending or 0)


def _kanji_sub(match: re.Match[str]) -> str:
    value = kanji_number(match.group(0))
    return match.group(0) if value is None else f" {value} "


def ref_numbers(text: str) -> tuple[int, ...] | None:
    """The number path a reference spells, or None if `text` is not a pure number reference."""
    t = _CIRCLED_RE.sub(lambda m: f"({_CIRCLED[m.group(0)]})", text)
    t = nfkc(t).casefold()
    t = _KANJI_NUM_RE.sub(_kanji_sub, t)
    t = _REF_WORDS_RE.sub(" ", t)
    if not _REF_SEPARATORS_RE.fullmatch(t):
        return None
    numbers = tuple(int(n) for n in _NUMBERS_RE.findall(t))
    return numbers or None


def id_from_label(label: str) -> str | None:
    """The canonical id a label stands for: `第１部 ３（２）②` → `1.3.2.2`."""
    numbers = ref_numbers(label)
    return None if numbers is None else ".".join(str(n) for n in numbers)


def is_section_id(text: str) -> bool:
    return _ID_RE.fullmatch(text) is not None


@dataclass(frozen=True)
class Resolution:
    """What a reference resolved to.

    Exactly one of three outcomes: `section` (a unique match); `candidates` (several
    matches, best first); `suggestions` (no match; the closest sections, best first).
    """

    query: str
    section: Section | None = None
    candidates: tuple[Section, ...] = ()
    suggestions: tuple[Section, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.section is None and bool(self.candidates)

    @property
    def found(self) -> bool:
        return self.section is not None


def _squash(text: str) -> str:
    return "".join(fold(text).split())


@dataclass(frozen=True)
class _Folded:
    section: Section
    title: str
    heading: str
    label: str
    # `2.3.1地位協定改定のチャンス`: how an id-first menu entry reads once squashed.
    id_title: str


class _RefIndex:
    """Per-document folded forms, computed once so that each lookup only folds the query."""

    def __init__(self, document: Document) -> None:
        self.by_id = {s.id: s for s in document.sections}
        self.folded = tuple(
            _Folded(
                s, _squash(s.title), _squash(s.heading), _squash(s.label), _squash(s.id + s.title)
            )
            for s in document.sections
        )
        self._bodies: tuple[str, ...] | None = None

    def bodies(self) -> tuple[str, ...]:
        # Folding every paragraph is the costly part; only the last-resort tiers need it.
        if self._bodies is None:
            self._bodies = tuple(_squash(f.section.text) for f in self.folded)
        return self._bodies


_INDEXES: dict[int, tuple[weakref.ref[Document], _RefIndex]] = {}


def _index(document: Document) -> _RefIndex:
    key = id(document)
    cached = _INDEXES.get(key)
    if cached is not None and cached[0]() is document:
        return cached[1]
    index = _RefIndex(document)
    _INDEXES[key] = (weakref.ref(document, _forget(key)), index)
    return index


def _forget(key: int) -> Callable[[weakref.ref[Document]], None]:
    def forget(_gone: weakref.ref[Document]) -> None:
        _INDEXES.pop(key, None)

    return forget


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def _closest(index: _RefIndex, query: str, limit: int) -> tuple[Section, ...]:
    """Sections whose text contains the query, else those sharing most of its pairs/characters."""
    bodies = index.bodies()
    in_body = [(-body.count(query), i) for i, body in enumerate(bodies) if query in body]
    if in_body:
        return tuple(index.folded[i].section for _, i in sorted(in_body)[:limit])
    pairs = _bigrams(query)
    chars = set(query)
    scored: list[tuple[float, int]] = []
    for i, f in enumerate(index.folded):
        # Heading pairs weigh most, then pairs in the text, then single characters.
        score = 4 * len(pairs & _bigrams(f.heading))
        score += 2 * sum(p in bodies[i] for p in pairs)
        score += sum(min(bodies[i].count(c) + f.heading.count(c), 5) for c in chars)
        if score:
            scored.append((-score, i))
    return tuple(index.folded[i].section for _, i in sorted(scored)[:limit])


def _near_ids(index: _RefIndex, numbers: tuple[int, ...], limit: int) -> tuple[Section, ...]:
    """For a number path that does not exist: its deepest existing ancestor and its children."""
    for depth in range(len(numbers) - 1, 0, -1):
        ancestor = index.by_id.get(".".join(str(n) for n in numbers[:depth]))
        if ancestor is not None:
            kids = [f.section for f in index.folded if f.section.parent == ancestor.id]
            return (ancestor, *kids)[:limit]
    return tuple(f.section for f in index.folded if f.section.parent is None)[:limit]


def resolve_ref(document: Document, text: str, *, limit: int = 5) -> Resolution:
    """Resolve what a person typed to one section of `document` (see the module docstring)."""
    index = _index(document)
    query = _squash(text)
    if not query:
        return Resolution(text)
    numbers = ref_numbers(text)
    if numbers is not None:
        found = index.by_id.get(".".join(str(n) for n in numbers))
        if found is not None:
            return Resolution(text, section=found)
        return Resolution(text, suggestions=_near_ids(index, numbers, limit))
    for f in index.folded:
        if query in (f.heading, f.label, f.id_title):
            return Resolution(text, section=f.section)
    ranked: list[tuple[int, int, int, int]] = []
    for i, f in enumerate(index.folded):
        pos = f.title.find(query)
        if pos >= 0:
            tier = 0 if f.title == query else 1 if pos == 0 else 2
            ranked.append((tier, pos, len(f.title), i))
        elif query in f.heading:
            ranked.append((3, f.heading.find(query), len(f.heading), i))
    ranked.sort()
    if len(ranked) == 1 or (ranked and ranked[0][0] == 0 and (len(ranked) < 2 or ranked[1][0])):
        return Resolution(text, section=index.folded[ranked[0][3]].section)
    if ranked:
        return Resolution(text, candidates=tuple(index.folded[r[3]].section for r in ranked))
    return Resolution(text, suggestions=_closest(index, query, limit))


def complete_refs(document: Document, prefix: str, limit: int = 25) -> list[Section]:
    """The best `limit` sections for a partly typed reference, for autocomplete menus.

    An empty prefix lists sections in reading order. A number prefix (`2.3`, `第2部3`)
    lists that section and its descendants; text matches titles first, then labels,
    then body text.
    """
    index = _index(document)
    query = _squash(prefix)
    if not query:
        return list(document.sections[:limit])
    ranked: list[tuple[int, int]] = []
    numbers = ref_numbers(prefix)
    seen: set[int] = set()
    if numbers is not None:
        wanted = ".".join(str(n) for n in numbers)
        for i, f in enumerate(index.folded):
            if f.section.id == wanted:
                ranked.append((0, i))
            elif f.section.id.startswith(wanted + "."):
                ranked.append((1, i))
        seen.update(i for _, i in ranked)
    for i, f in enumerate(index.folded):
        if i in seen:
            continue
        if f.title.startswith(query):
            ranked.append((2, i))
        elif query in f.title:
            ranked.append((3, i))
        elif query in f.heading or query in f.label:
            ranked.append((4, i))
        else:
            continue
        seen.add(i)
    if len(ranked) < limit:
        bodies = index.bodies()
        ranked.extend((5, i) for i, b in enumerate(bodies) if i not in seen and query in b)
    ranked.sort()
    return [index.folded[i].section for _, i in ranked[:limit]]


def sections_by_ids(document: Document, ids: Iterable[str]) -> tuple[Section, ...]:
    by_id = _index(document).by_id
    return tuple(by_id[i] for i in ids if i in by_id)
