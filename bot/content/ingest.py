"""Ingest: PDF-extracted plain text → a document (sections with paragraphs) → YAML.

The rules (documented for authors in content/README.md):

* Blank lines carry no meaning (the extractor puts one between all lines).
* A line holding only a number (`１`, ` ２`, `- 3 -`) is a page number and is dropped.
* Leading and trailing spaces of a line are extraction artifacts (a page start) and dropped.
* A heading is a line at a paragraph start, without `。`, at most `MAX_HEADING_CHARS`
  long, opening with one of four markers: `第１部`, `１ `, `（１）`, `①`. A longer line
  opening with `①` is a list item: body text.
* A line ending in `。` (optionally followed by closing brackets) ends a paragraph; so
  does a heading. Other line breaks join with no space, except between two half-width
  Latin letters or digits, where the break stood for a space (`New` / `Diplomacy`).
  Full-width Latin (`Ｗ` / `ＴＯ`) is typeset as Japanese and joins with no space.
* From a line holding only a date (`２０２５年５月`) on is back matter: metadata, not text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.content.models import Document, Section
from bot.content.normalize import nfkc
from bot.content.refs import kanji_number

MAX_HEADING_CHARS = 30

_PAGE_NUMBER_RE = re.compile(r"[-–—\s]*\d{1,3}[-–—\s]*")
_DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?")
_PARAGRAPH_END_RE = re.compile(r"。[」』）)〕】”’]*$")
_LATIN = re.compile(r"[A-Za-z0-9]")
_DATE_LIKE_RE = re.compile(r"\d{4}-\d{2}(-\d{2})?")

# Marker kinds, outermost first. Each pattern yields (number as written, title).
_HEADING_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"第([0-9０-９〇一二三四五六七八九十百]+)部(?:[ \u3000]+(.*))?"),
    re.compile(r"([0-9０-９]{1,2})[ \u3000]+(.+)"),
    re.compile(r"([（(][0-9０-９]{1,2}[）)])[ \u3000]*(.+)"),
    re.compile(r"([①-⑳])[ \u3000]*(.+)"),
)


class IngestError(ValueError):
    """The source cannot be read as a paper; `key` is a catalog key (`content.ingest.*`)."""

    def __init__(self, line: int, key: str, **fields: str) -> None:
        super().__init__(f"{line}: {key} {fields}")
        self.line = line
        self.key = f"content.ingest.{key}"
        self.fields = fields


@dataclass(frozen=True)
class Metadata:
    """Document metadata; empty fields are filled from the back matter where possible."""

    id: str
    title: str = ""
    title_en: str = ""
    publisher: str = ""
    publisher_en: str = ""
    date: str = ""
    source_url: str = ""
    language: str = "ja"
    source: str = "source.txt"


@dataclass
class _Open:
    kind: int
    number: int
    marker: str
    section: int  # index into the builder's list


@dataclass
class _Draft:
    id: str
    label: str
    title: str
    parent: str | None
    line: int
    paragraphs: list[str] = field(default_factory=list)


def _number(marker: str) -> int:
    digits = nfkc(marker).strip("()")
    if digits.isdigit():
        return int(digits)
    if len(marker) == 1 and "①" <= marker <= "⑳":
        return ord(marker) - ord("①") + 1
    value = kanji_number(marker)
    if value is None:
        raise ValueError(marker)
    return value


def _heading(text: str) -> tuple[int, str, str] | None:
    """(kind, marker as written, title) if `text` has the shape of a heading."""
    if "。" in text or len(text) > MAX_HEADING_CHARS:
        return None
    for kind, pattern in enumerate(_HEADING_PATTERNS):
        m = pattern.fullmatch(text)
        if m:
            return kind, m.group(1), (m.group(2) or "").strip()
    return None


def _label(stack: Sequence[_Open], kind: int, marker: str) -> str:
    parts: list[str] = []
    for entry in [*stack, _Open(kind, 0, marker, -1)]:
        if entry.kind == 0:
            parts.append(f"第{entry.marker}部")
        elif entry.kind == 1:
            parts.append((" " if parts else "") + entry.marker)
        else:
            parts.append(entry.marker)
    return "".join(parts)


def _join(left: str, right: str) -> str:
    if left and right and _LATIN.match(left[-1]) and _LATIN.match(right[0]):
        return f"{left} {right}"
    return left + right


def _back_matter_metadata(lines: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        flat = nfkc(line)
        date = _DATE_RE.fullmatch(flat)
        if date and "date" not in found:
            y, m, d = date.groups()
            found["date"] = f"{y}-{int(m):02d}" + (f"-{int(d):02d}" if d else "")
            continue
        if re.fullmatch(r"[A-Za-z][A-Za-z .,&'-]*", line) and "publisher_en" not in found:
            found["publisher_en"] = line
            continue
        url = re.search(r"(?:WEB|URL|Web|web)\s*[:：]\s*(https?://\S+)", flat)
        if url and "source_url" not in found:
            found["source_url"] = url.group(1)
        publisher = re.match(r"(\S+?)(?:（[^）]*）)?[ \u3000]+(?:TEL|ＴＥＬ|電話)", line)
        if publisher and "publisher" not in found:
            found["publisher"] = publisher.group(1)
    return found


def parse_source(text: str, meta: Metadata) -> Document:
    """Turn PDF-extracted text into a Document (see the module docstring for the rules)."""
    drafts: list[_Draft] = []
    stack: list[_Open] = []
    back_matter: list[str] = []
    paragraph: str | None = None
    at_start = True

    def close_paragraph() -> None:
        nonlocal paragraph
        if paragraph is not None:
            drafts[-1].paragraphs.append(paragraph)
            paragraph = None

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if back_matter or (_DATE_RE.fullmatch(nfkc(line)) and drafts):
            back_matter.append(line)
            continue
        if _PAGE_NUMBER_RE.fullmatch(nfkc(line)):
            continue
        heading = _heading(line) if at_start else None
        if heading is not None:
            kind, marker, title = heading
            while stack and stack[-1].kind >= kind:
                stack.pop()
            if stack and kind > stack[-1].kind + 1 and kind != 3:
                raise IngestError(number, "level_skipped", text=line)
            close_paragraph()
            ids = [str(o.number) for o in stack] + [str(_number(marker))]
            section_id = ".".join(ids)
            if any(d.id == section_id for d in drafts):
                raise IngestError(number, "duplicate_heading", id=section_id, text=line)
            parent = drafts[stack[-1].section].id if stack else None
            drafts.append(_Draft(section_id, _label(stack, kind, marker), title, parent, number))
            stack.append(_Open(kind, _number(marker), marker, len(drafts) - 1))
            at_start = True
            continue
        if not drafts:
            raise IngestError(number, "text_before_heading", text=line)
        paragraph = line if paragraph is None else _join(paragraph, line)
        at_start = _PARAGRAPH_END_RE.search(line) is not None
        if at_start:
            close_paragraph()
    if not drafts:
        raise IngestError(1, "no_headings")
    close_paragraph()

    found = _back_matter_metadata(back_matter)

    def pick(name: str) -> str:
        given: str = getattr(meta, name)
        return given or found.get(name, "")

    sections = tuple(
        Section(d.id, d.label, d.title, d.parent, order, tuple(d.paragraphs))
        for order, d in enumerate(drafts)
    )
    return Document(
        id=meta.id,
        title=meta.title or sections[0].title,
        title_en=meta.title_en,
        publisher=pick("publisher"),
        publisher_en=pick("publisher_en"),
        date=pick("date"),
        source_url=pick("source_url"),
        language=meta.language,
        sections=sections,
        back_matter=tuple(back_matter),
        source=meta.source,
    )


class _Dumper(yaml.SafeDumper):
    """Block style, one scalar per line, never folded: a paragraph stays one line in diffs."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write YAML by hand.
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Double quotes (not PyYAML's single ones) for strings that would otherwise read as
    # numbers or booleans, so ids look like `"1.2"` as in the schema documentation.
    tag = dumper.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    looks_typed = tag != "tag:yaml.org,2002:str" or _DATE_LIKE_RE.fullmatch(value)
    style = '"' if looks_typed else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """Deterministic YAML: key order as given, Unicode as is, no line folding."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=2**31 - 1,
        indent=2,
    )


def document_data(document: Document) -> dict[str, Any]:
    """The document as the plain data of document.yaml, in schema order."""
    data: dict[str, Any] = {
        "id": document.id,
        "title": document.title,
        "title_en": document.title_en,
        "publisher": document.publisher,
        "publisher_en": document.publisher_en,
        "date": document.date,
        "source_url": document.source_url,
        "language": document.language,
        "source": document.source,
    }
    if document.back_matter:
        data["back_matter"] = list(document.back_matter)
    data["sections"] = [
        {
            "id": s.id,
            "label": s.label,
            "title": s.title,
            "parent": s.parent,
            "paragraphs": list(s.paragraphs),
        }
        for s in document.sections
    ]
    return data


def document_yaml(document: Document) -> str:
    header = (
        "# Generated by `studybot content ingest` from the source below; "
        "see content/README.md for the schema.\n"
    )
    return header + dump_yaml(document_data(document))
