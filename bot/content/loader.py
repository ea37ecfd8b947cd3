"""Loading and validating a content tree: `content/<doc-id>/{document,quiz,glossary,prompts}.yaml`.

Every problem is collected (not just the first) and reported as `FILE:LINE: message`, the
line taken from the YAML node it concerns; malformed YAML becomes such a problem too.
Messages come from the catalog (`content.problem.*`) in the default language.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content.models import (
    DiscussionPrompt,
    Document,
    GlossaryTerm,
    Library,
    Question,
    QuestionType,
    Section,
    SourceLocation,
)
from bot.content.normalize import answer_key, fold, nfkc
from bot.content.refs import id_from_label, is_section_id
from bot.core.catalog import DEFAULT_LANGUAGE, Catalog

DOCUMENT_FILE = "document.yaml"
QUIZ_FILE = "quiz.yaml"
# Extra quiz banks next to the hand-written one, e.g. `quiz-generated.yaml`.
QUIZ_GLOB = "quiz-*.yaml"
GLOSSARY_FILE = "glossary.yaml"
PROMPTS_FILE = "prompts.yaml"

CLOZE_BLANK = "＿＿＿"
QUESTION_TYPES: tuple[QuestionType, ...] = ("choice", "truefalse", "cloze")
CHOICE_COUNT = 4
# The true/false balance is only judged on a bank big enough for a share to mean something.
TRUEFALSE_MIN_FOR_BALANCE = 10
TRUEFALSE_TRUE_SHARE = (0.4, 0.6)

_DOCUMENT_REQUIRED = ("id", "title", "publisher", "date", "language", "sections")
_DOCUMENT_OPTIONAL = ("title_en", "publisher_en", "source_url", "source", "back_matter")
_SECTION_KEYS = ("id", "label", "title", "parent", "paragraphs")
_QUESTION_REQUIRED = (
    "id",
    "sections",
    "type",
    "prompt",
    "answer",
    "explanation",
    "evidence",
    "difficulty",
)
_QUESTION_OPTIONAL = ("choices", "alternatives", "generated")
_TERM_REQUIRED = ("term", "reading", "definition", "sections")
_TERM_OPTIONAL = ("english", "aliases")
_PROMPT_KEYS = ("section", "text")
_DATE_RE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_KANA_RE = re.compile(r"[\u3041-\u3096\u309b-\u309f\u30a1-\u30fa\u30fc-\u30ff\s]+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, where it is, and what to do about it."""

    path: str
    line: int
    message: str
    key: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content tree has problems; `problems` lists all of them, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@lru_cache(maxsize=1)
def _catalog() -> Catalog:
    return Catalog.load()


# --- YAML with line numbers -------------------------------------------------------------


class _Map(dict[Any, Any]):
    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Seq(list[Any]):
    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _MarkedLoader(yaml.SafeLoader):
    """A SafeLoader whose mappings and lists remember the line of each entry."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []


def _construct_map(loader: _MarkedLoader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, Hashable):
            key = str(key)
        if key in result:
            loader.duplicates.append((line, str(key)))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_seq(loader: _MarkedLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq()
    result.line = node.start_mark.line + 1
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.item_lines.append(item.start_mark.line + 1)
    return result


_MarkedLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_MarkedLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


# --- collecting problems ---------------------------------------------------------------


def _display_path(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


class _Report:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: Path, line: int, key: str, /, **fields: Any) -> None:
        text = _catalog().text(f"content.problem.{key}", DEFAULT_LANGUAGE, **fields)
        self.problems.append(Problem(_display_path(path), line, text, f"content.problem.{key}"))


# What `_read_yaml` returns for a file it already reported as unreadable or malformed.
_BROKEN = object()


def _read_yaml(path: Path, report: _Report) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.add(path, 0, "unreadable", detail=exc)
        return _BROKEN
    loader = _MarkedLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = " ".join(p for p in (exc.context, exc.problem) if p)
        report.add(path, mark.line + 1 if mark else 1, "yaml_syntax", detail=detail)
        return _BROKEN
    except yaml.YAMLError as exc:
        report.add(path, 1, "yaml_syntax", detail=exc)
        return _BROKEN
    finally:
        loader.dispose()
    for line, key in loader.duplicates:
        report.add(path, line, "duplicate_key", key=key)
    return data


class _Fields:
    """Typed access to one YAML mapping; every bad value becomes a problem, never an exception."""

    def __init__(
        self,
        report: _Report,
        path: Path,
        data: _Map,
        required: Sequence[str],
        optional: Sequence[str] = (),
    ) -> None:
        self.report = report
        self.path = path
        self.data = data
        self.required = required
        allowed = (*required, *optional)
        for key in data:
            if key not in allowed:
                self.problem(str(key), "unknown_key", key=key, allowed=", ".join(allowed))

    def line(self, key: str) -> int:
        return self.data.line_of(key)

    def problem(self, key: str, message: str, /, **fields: Any) -> None:
        self.report.add(self.path, self.line(key), message, **fields)

    def _present(self, key: str) -> bool:
        if key in self.data and self.data[key] is not None:
            return True
        if key in self.required:
            self.problem(key, "missing_field", field=key)
        return False

    def text(self, key: str, *, allow_empty: bool = False) -> str:
        if not self._present(key):
            return ""
        value = self.data[key]
        if isinstance(value, dt.date):
            value = value.isoformat()
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(key, "not_text", field=key)
            return ""
        value = str(value)
        if not value.strip() and not allow_empty:
            self.problem(key, "empty_field", field=key)
        return value

    def ident(self, key: str) -> str:
        """An id-like value: a bare `1` reads as "1"; a bare `1.10` is refused (YAML reads 1.1)."""
        if key in self.data and isinstance(self.data[key], float):
            self.problem(key, "float_id", field=key, value=self.data[key])
            return ""
        return self.text(key)

    def texts(self, key: str, *, ids: bool = False) -> tuple[str, ...]:
        if not self._present(key):
            return ()
        value = self.data[key]
        if not isinstance(value, _Seq):
            self.problem(key, "not_list", field=key)
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            line = value.line_of(i)
            if ids and isinstance(item, float):
                self.report.add(self.path, line, "float_id", field=key, value=item)
            elif isinstance(item, bool) or not isinstance(item, str | int):
                self.report.add(self.path, line, "not_text", field=key)
            elif not str(item).strip():
                self.report.add(self.path, line, "empty_field", field=key)
            else:
                out.append(str(item))
        return tuple(out)


def _mappings(
    report: _Report, path: Path, data: Any, key: str, what: str
) -> Iterator[tuple[int, _Map]]:
    """The mappings listed under `key` of a top-level mapping, with their lines."""
    items = data.get(key) if isinstance(data, _Map) else None
    if items is None:
        return
    if not isinstance(items, _Seq):
        report.add(path, data.line_of(key), "not_list", field=key)
        return
    for i, item in enumerate(items):
        if isinstance(item, _Map):
            yield item.line, item
        else:
            report.add(path, items.line_of(i), "not_mapping", what=what)


def _top(report: _Report, path: Path, data: Any) -> _Map | None:
    if data is _BROKEN:
        return None
    if data is None:
        report.add(path, 1, "empty_field", field=path.name)
        return None
    if not isinstance(data, _Map):
        report.add(path, getattr(data, "line", 1), "not_mapping", what=path.name)
        return None
    return data


# --- document.yaml ----------------------------------------------------------------------


def _load_document(report: _Report, directory: Path) -> Document | None:
    path = directory / DOCUMENT_FILE
    data = _top(report, path, _read_yaml(path, report))
    if data is None:
        return None
    f = _Fields(report, path, data, _DOCUMENT_REQUIRED, _DOCUMENT_OPTIONAL)
    doc_id = f.ident("id")
    if doc_id and doc_id != directory.name:
        f.problem("id", "document_id_mismatch", id=doc_id, directory=directory.name)
    date = f.text("date")
    if date and not _DATE_RE.fullmatch(date):
        f.problem("date", "bad_date", date=date)
    source = f.text("source") if "source" in data else ""
    if source and not (directory / source).is_file():
        f.problem("source", "source_missing", source=source)
    sections = _load_sections(report, path, data)
    if "sections" in data and not sections:
        f.problem("sections", "no_sections")
    return Document(
        id=doc_id or directory.name,
        title=f.text("title"),
        title_en=f.text("title_en", allow_empty=True) if "title_en" in data else "",
        publisher=f.text("publisher"),
        publisher_en=f.text("publisher_en", allow_empty=True) if "publisher_en" in data else "",
        date=date,
        source_url=f.text("source_url", allow_empty=True) if "source_url" in data else "",
        language=f.text("language"),
        sections=sections,
        where=SourceLocation(_display_path(path), data.line),
        back_matter=f.texts("back_matter") if "back_matter" in data else (),
        source=source,
    )


def _load_sections(report: _Report, path: Path, data: _Map) -> tuple[Section, ...]:
    sections: list[Section] = []
    first_line: dict[str, int] = {}
    for line, item in _mappings(report, path, data, "sections", "sections"):
        f = _Fields(report, path, item, ("id", "label", "title"), ("parent", "paragraphs"))
        sid, label, title = f.ident("id"), f.text("label"), f.text("title")
        parent = (f.ident("parent") or None) if item.get("parent") is not None else None
        paragraphs = f.texts("paragraphs") if item.get("paragraphs") is not None else ()
        if sid and not is_section_id(sid):
            f.problem("id", "section_id_format", id=sid)
        elif sid in first_line:
            f.problem("id", "duplicate_section", id=sid, line=first_line[sid])
        elif sid:
            first_line[sid] = line
            if label:
                label_id = id_from_label(label)
                if label_id is None:
                    f.problem("label", "label_unparsable", id=sid, label=label)
                elif label_id != sid:
                    f.problem("label", "label_mismatch", id=sid, label=label, label_id=label_id)
            expected = sid.rpartition(".")[0] or None
            if parent != expected:
                f.problem(
                    "parent", "parent_mismatch", id=sid, expected=expected or "null", parent=parent
                )
            elif parent is not None and parent not in first_line:
                listed = isinstance(data.get("sections"), _Seq) and any(
                    isinstance(other, _Map) and str(other.get("id")) == parent
                    for other in data["sections"]
                )
                problem = "parent_order" if listed else "parent_missing"
                f.problem("parent", problem, id=sid, parent=parent)
        where = SourceLocation(_display_path(path), line)
        sections.append(Section(sid, label, title, parent, len(sections), paragraphs, where))
    parents = {s.parent for s in sections}
    for s in sections:
        if s.id and s.id not in parents and not s.paragraphs:
            report.add(path, s.where.line if s.where else 1, "leaf_without_text", id=s.id)
    return tuple(sections)


# --- quiz, glossary, prompts --------------------------------------------------------------


class _Texts:
    """NFKC text of each section together with its descendants, for quote checks."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._cache: dict[str, str] = {}

    def has(self, section_id: str) -> bool:
        return self.document.section(section_id) is not None

    def of(self, section_id: str) -> str:
        if section_id not in self._cache:
            subtree = self.document.subtree(section_id)
            self._cache[section_id] = nfkc("\n\n".join(s.text for s in subtree))
        return self._cache[section_id]


def _check_document_field(report: _Report, path: Path, data: _Map, document: Document) -> None:
    found = data.get("document")
    if found is None:
        report.add(path, data.line, "missing_field", field="document")
    elif str(found) != document.id:
        report.add(
            path, data.line_of("document"), "wrong_document", found=found, expected=document.id
        )


def _check_sections(f: _Fields, key: str, ids: Sequence[str], texts: _Texts) -> None:
    for sid in ids:
        if not texts.has(sid):
            f.problem(key, "unknown_section", id=sid, document=texts.document.id)


def _load_question(
    report: _Report, path: Path, item: _Map, line: int, texts: _Texts
) -> Question | None:
    f = _Fields(report, path, item, _QUESTION_REQUIRED, _QUESTION_OPTIONAL)
    qid = f.ident("id")
    sections = f.texts("sections", ids=True)
    _check_sections(f, "sections", sections, texts)
    qtype = f.text("type")
    prompt = f.text("prompt")
    explanation = f.text("explanation")
    evidence = f.text("evidence")
    choices = f.texts("choices") if item.get("choices") is not None else ()
    alternatives = f.texts("alternatives") if item.get("alternatives") is not None else ()
    generated = item.get("generated", False)
    if not isinstance(generated, bool):
        f.problem("generated", "not_bool", field="generated")
        generated = False
    difficulty = item.get("difficulty", 1)
    if "difficulty" in item and (isinstance(difficulty, bool) or difficulty not in (1, 2, 3)):
        f.problem("difficulty", "difficulty", value=difficulty)
        difficulty = 1

    answer = ""
    raw_answer = item.get("answer")
    if qtype == "truefalse":
        if isinstance(raw_answer, bool):
            answer = "true" if raw_answer else "false"
        else:
            f.problem("answer", "truefalse_answer")
        if choices:
            f.problem("choices", "unexpected_choices", type=qtype)
    elif qtype in ("choice", "cloze"):
        answer = f.text("answer")
    elif qtype:
        f.problem("type", "bad_question_type", type=qtype)

    if qtype == "choice":
        if len(choices) != CHOICE_COUNT:
            f.problem("choices", "choice_count", count=len(choices))
        seen: set[str] = set()
        for choice in choices:
            key = nfkc(choice).strip()
            if key in seen:
                f.problem("choices", "choices_not_distinct", choice=choice)
            seen.add(key)
        if answer and nfkc(answer).strip() not in seen:
            f.problem("answer", "answer_not_in_choices", answer=answer)
    elif qtype == "cloze":
        if choices:
            f.problem("choices", "unexpected_choices", type=qtype)
        if prompt and CLOZE_BLANK not in prompt and "___" not in nfkc(prompt):
            f.problem("prompt", "cloze_blank")
        if answer and evidence and nfkc(answer).strip() not in nfkc(evidence):
            f.problem("answer", "cloze_answer_not_in_evidence", answer=answer)

    known = [s for s in sections if texts.has(s)]
    quote = nfkc(evidence).strip()
    if quote and known and not any(quote in texts.of(s) for s in known):
        shown = evidence if len(evidence) <= 40 else evidence[:40] + "…"
        f.problem("evidence", "evidence_not_found", sections=", ".join(known), evidence=shown)
    if not qid or qtype not in QUESTION_TYPES:
        return None
    return Question(
        id=qid,
        document=texts.document.id,
        sections=sections,
        type=qtype,
        prompt=prompt,
        choices=choices,
        answer=answer,
        alternatives=alternatives,
        explanation=explanation,
        evidence=evidence,
        difficulty=difficulty,
        generated=generated,
        where=SourceLocation(_display_path(path), line),
    )


def _quiz_paths(directory: Path) -> list[Path]:
    paths = [directory / QUIZ_FILE] if (directory / QUIZ_FILE).is_file() else []
    return paths + sorted(directory.glob(QUIZ_GLOB))


def _load_quiz(report: _Report, directory: Path, texts: _Texts) -> tuple[Question, ...]:
    questions: list[Question] = []
    first_line: dict[str, tuple[str, int]] = {}
    # Same answer on the same evidence; for true/false the statement stands in for the answer.
    first_pair: dict[tuple[str, str], Question] = {}
    balance_at: tuple[Path, int] | None = None
    for path in _quiz_paths(directory):
        data = _top(report, path, _read_yaml(path, report))
        if data is None:
            continue
        _check_document_field(report, path, data, texts.document)
        _Fields(report, path, data, ("document", "questions"))
        balance_at = balance_at or (path, data.line_of("questions"))
        for line, item in _mappings(report, path, data, "questions", "questions"):
            question = _load_question(report, path, item, line, texts)
            if question is None:
                continue
            if question.id in first_line:
                where = first_line[question.id]
                report.add(path, line, "duplicate_question", id=question.id, line=where[1])
                continue
            first_line[question.id] = (str(path), line)
            said = question.prompt if question.type == "truefalse" else question.answer
            pair = (answer_key(said), nfkc(question.evidence).strip())
            other = first_pair.get(pair)
            if other is not None and question.evidence:
                report.add(
                    path,
                    line,
                    "duplicate_answer_evidence",
                    id=question.id,
                    other=other.id,
                    line=other.where.line if other.where else 0,
                )
            else:
                first_pair[pair] = question
            questions.append(question)
    tf = [q for q in questions if q.type == "truefalse"]
    if balance_at and len(tf) >= TRUEFALSE_MIN_FOR_BALANCE:
        true = sum(q.answer == "true" for q in tf)
        low, high = TRUEFALSE_TRUE_SHARE
        if not low <= true / len(tf) <= high:
            report.add(*balance_at, "truefalse_unbalanced", true=true, false=len(tf) - true)
    return tuple(questions)


def _load_glossary(report: _Report, directory: Path, texts: _Texts) -> tuple[GlossaryTerm, ...]:
    path = directory / GLOSSARY_FILE
    if not path.is_file():
        return ()
    data = _top(report, path, _read_yaml(path, report))
    if data is None:
        return ()
    _check_document_field(report, path, data, texts.document)
    _Fields(report, path, data, ("document", "terms"))
    terms: list[GlossaryTerm] = []
    first_line: dict[str, int] = {}
    for line, item in _mappings(report, path, data, "terms", "terms"):
        f = _Fields(report, path, item, _TERM_REQUIRED, _TERM_OPTIONAL)
        term, reading, definition = f.text("term"), f.text("reading"), f.text("definition")
        sections = f.texts("sections", ids=True)
        aliases = f.texts("aliases") if item.get("aliases") is not None else ()
        english = f.text("english", allow_empty=True) if item.get("english") is not None else ""
        if reading and not _KANA_RE.fullmatch(nfkc(reading)):
            f.problem("reading", "reading_not_kana", reading=reading)
        _check_sections(f, "sections", sections, texts)
        names = [nfkc(n) for n in (term, *aliases) if n]
        for sid in sections:
            if texts.has(sid) and names and not any(n in texts.of(sid) for n in names):
                f.problem("sections", "term_not_in_section", term=term, section=sid)
        key = fold(term)
        if term and key in first_line:
            f.problem("term", "duplicate_term", term=term, line=first_line[key])
            continue
        first_line[key] = line
        if term:
            where = SourceLocation(_display_path(path), line)
            terms.append(GlossaryTerm(term, reading, definition, sections, aliases, english, where))
    return tuple(terms)


def _load_prompts(report: _Report, directory: Path, texts: _Texts) -> tuple[DiscussionPrompt, ...]:
    path = directory / PROMPTS_FILE
    if not path.is_file():
        return ()
    data = _top(report, path, _read_yaml(path, report))
    if data is None:
        return ()
    _check_document_field(report, path, data, texts.document)
    _Fields(report, path, data, ("document", "prompts"))
    leaves = {s.id for s in texts.document.leaves()}
    prompts: list[DiscussionPrompt] = []
    for line, item in _mappings(report, path, data, "prompts", "prompts"):
        f = _Fields(report, path, item, _PROMPT_KEYS)
        sid, text = f.ident("section"), f.text("text")
        if sid and not texts.has(sid):
            f.problem("section", "unknown_section", id=sid, document=texts.document.id)
        elif sid and sid not in leaves:
            f.problem("section", "prompt_not_leaf", id=sid)
        if sid and text:
            prompts.append(DiscussionPrompt(sid, text, SourceLocation(_display_path(path), line)))
    return tuple(prompts)


# --- the library ----------------------------------------------------------------------------


def _document_dirs(content_dir: Path) -> list[Path]:
    return sorted(
        p for p in content_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )


def read_library(content_dir: Path) -> tuple[Library, list[Problem]]:
    """Load what can be loaded and list every problem; `load_library` is the strict form."""
    report = _Report()
    documents: dict[str, Document] = {}
    questions: dict[str, tuple[Question, ...]] = {}
    glossary: dict[str, tuple[GlossaryTerm, ...]] = {}
    prompts: dict[str, tuple[DiscussionPrompt, ...]] = {}
    if not content_dir.is_dir():
        report.add(content_dir, 0, "content_dir_missing")
        return Library(documents, questions, glossary, prompts), report.problems
    for directory in _document_dirs(content_dir):
        if not (directory / DOCUMENT_FILE).is_file():
            others = sorted(p.name for p in directory.glob("*.yaml"))
            if others:
                report.add(
                    directory / DOCUMENT_FILE, 0, "missing_document", files=", ".join(others)
                )
            continue
        document = _load_document(report, directory)
        if document is None:
            continue
        texts = _Texts(document)
        documents[document.id] = document
        questions[document.id] = _load_quiz(report, directory, texts)
        glossary[document.id] = _load_glossary(report, directory, texts)
        prompts[document.id] = _load_prompts(report, directory, texts)
    if not documents and not report.problems:
        report.add(content_dir, 0, "no_documents")
    return Library(documents, questions, glossary, prompts), report.problems


def load_library(content_dir: Path) -> Library:
    """Load and validate everything under `content_dir`; raise ContentError listing all problems."""
    library, problems = read_library(content_dir)
    if problems:
        raise ContentError(problems)
    return library


def validate(content_dir: Path) -> list[Problem]:
    return read_library(content_dir)[1]
