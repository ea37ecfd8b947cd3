"""The reading plan: the paper split into daily excerpts, and the reply that carries one.

Excerpts never cross a section (each knows its label) and never cut a sentence: a
section is split at `。` boundaries into the fewest excerpts that fit the size target,
balanced so the last day is not a stub. Every character of every section appears in
exactly one excerpt, in order.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.content.models import DiscussionPrompt, Document, Section
from bot.core.catalog import Catalog
from bot.core.reply import Citation, Field, Reply, ThreadRequest, Tone

# The hard ceiling for one excerpt, whatever the configured size: Discord's 2,000-character
# message is the smallest limit a daily post must fit, with room for the heading and prompt.
HARD_MAX = 1800
PROGRESS_WIDTH = 10

# A sentence ends at 。！？ and takes any closing brackets that follow it.
_SENTENCE_END = re.compile(r"[。！？!?][」』）)\]］”’]*")


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph after each sentence end; the pieces join back to the paragraph."""
    pieces: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(paragraph):
        pieces.append(paragraph[start : m.end()])
        start = m.end()
    if start < len(paragraph):
        pieces.append(paragraph[start:])
    return pieces


def _split_overlong(sentence: str, limit: int) -> list[str]:
    # Only a sentence longer than a platform allows is cut, at a comma if there is one:
    # better than failing to post at all. The paper has none; a user's paper might.
    parts: list[str] = []
    rest = sentence
    while len(rest) > limit:
        cut = rest.rfind("、", 0, limit)
        cut = cut + 1 if cut > limit // 2 else limit
        parts.append(rest[:cut])
        rest = rest[cut:]
    parts.append(rest)
    return parts


@dataclass(frozen=True)
class _Unit:
    text: str
    new_paragraph: bool


@dataclass(frozen=True)
class Excerpt:
    index: int  # 0-based position in the plan
    total: int
    section: Section
    paragraphs: tuple[str, ...]
    ordinal_in_section: int  # 0 for a section's first excerpt

    @property
    def day(self) -> int:
        return self.index + 1

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def length(self) -> int:
        return sum(len(p) for p in self.paragraphs)


@dataclass(frozen=True)
class ReadingPlan:
    document: Document
    excerpts: tuple[Excerpt, ...]

    def __len__(self) -> int:
        return len(self.excerpts)


def _units(section: Section, limit: int) -> list[_Unit]:
    units: list[_Unit] = []
    for paragraph in section.paragraphs:
        first = True
        for sentence in split_sentences(paragraph):
            for piece in _split_overlong(sentence, limit):
                units.append(_Unit(piece, first))
                first = False
    return units


def _pack(units: list[_Unit], groups: int) -> list[list[_Unit]]:
    """Greedy contiguous packing towards an even target size."""
    total = sum(len(u.text) for u in units)
    target = total / groups
    packed: list[list[_Unit]] = [[]]
    size = 0
    for unit in units:
        remaining_groups = groups - len(packed)
        if packed[-1] and remaining_groups > 0 and size + len(unit.text) / 2 > target:
            packed.append([])
            size = 0
        packed[-1].append(unit)
        size += len(unit.text)
    return packed


def _split_section(section: Section, low: int, high: int) -> list[tuple[str, ...]]:
    units = _units(section, high)
    if not units:
        return []
    total = sum(len(u.text) for u in units)
    groups = max(1, math.ceil(total / high))
    while True:
        packed = _pack(units, groups)
        if all(sum(len(u.text) for u in g) <= high for g in packed) or groups >= len(units):
            break
        groups += 1
    result: list[tuple[str, ...]] = []
    for group in packed:
        paragraphs: list[str] = []
        for unit in group:
            if unit.new_paragraph or not paragraphs:
                paragraphs.append(unit.text)
            else:
                paragraphs[-1] += unit.text
        result.append(tuple(paragraphs))
    return result


@lru_cache(maxsize=64)
def build_plan(document: Document, excerpt_min: int = 400, excerpt_max: int = 700) -> ReadingPlan:
    high = min(excerpt_max, HARD_MAX)
    low = min(excerpt_min, high)
    raw: list[tuple[Section, int, tuple[str, ...]]] = []
    for section in document.sections:
        for ordinal, paragraphs in enumerate(_split_section(section, low, high)):
            raw.append((section, ordinal, paragraphs))
    total = len(raw)
    excerpts = tuple(
        Excerpt(index=i, total=total, section=s, paragraphs=p, ordinal_in_section=o)
        for i, (s, o, p) in enumerate(raw)
    )
    return ReadingPlan(document, excerpts)


def progress_bar(day: int, total: int, width: int = PROGRESS_WIDTH) -> str:
    filled = round(width * day / total) if total else 0
    return "▓" * filled + "░" * (width - filled)


def prompt_for(excerpt: Excerpt, prompts: tuple[DiscussionPrompt, ...]) -> str | None:
    mine = [p for p in prompts if p.section == excerpt.section.id]
    if not mine:
        return None
    return mine[excerpt.ordinal_in_section % len(mine)].text


def excerpt_reply(
    excerpt: Excerpt,
    *,
    catalog: Catalog,
    lang: str,
    prompts: tuple[DiscussionPrompt, ...] = (),
    late: bool = False,
    open_thread: bool = False,
) -> Reply:
    """The daily post: the excerpt, where it is in the paper, progress and a discussion prompt."""
    section = excerpt.section
    prompt = prompt_for(excerpt, prompts) or catalog.text("excerpt.default_prompt", lang)
    progress = catalog.text(
        "excerpt.progress",
        lang,
        bar=progress_bar(excerpt.day, excerpt.total),
        day=excerpt.day,
        total=excerpt.total,
    )
    blocks = list(excerpt.paragraphs)
    if late:
        blocks.insert(0, catalog.text("excerpt.late", lang))
    thread = None
    if open_thread:
        name = catalog.text("excerpt.thread_name", lang, day=excerpt.day, label=section.label)
        thread = ThreadRequest(name=name[:100], first_message=prompt)
    return Reply(
        title=catalog.text(
            "excerpt.title",
            lang,
            day=excerpt.day,
            total=excerpt.total,
            label=section.label,
            title=section.title,
        ),
        blocks=tuple(blocks),
        fields=(Field(catalog.text("excerpt.prompt_heading", lang), prompt),),
        citation=Citation(section.label, section.title),
        footer=progress,
        tone=Tone.EXCERPT,
        thread=thread,
    )
