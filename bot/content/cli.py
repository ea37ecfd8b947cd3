"""The `content` and `quiz` command groups of the `studybot` CLI, for organizers at a terminal.

`add_parsers(subparsers)` adds both groups to the main parser; each command stores its
handler as `handler` (a function of the parsed arguments returning the exit code).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from bot.content.generate import generate_cloze, question_data, quiz_yaml
from bot.content.ingest import IngestError, Metadata, document_yaml, parse_source
from bot.content.loader import ContentError, load_library, read_library
from bot.content.models import Document, Library
from bot.content.refs import resolve_ref
from bot.content.search import SearchIndex
from bot.core.catalog import DEFAULT_LANGUAGE, Catalog


@lru_cache(maxsize=1)
def _catalog() -> Catalog:
    return Catalog.load()


def _t(key: str, **fields: Any) -> str:
    return _catalog().text(f"content.cli.{key}", DEFAULT_LANGUAGE, **fields)


def _say(text: str, stream: TextIO | None = None) -> None:
    print(text, file=stream or sys.stdout)


def default_content_dir() -> Path:
    """`content/` under the working directory if there is one, else the repository's."""
    here = Path.cwd() / "content"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "content"


def _content_dir(args: argparse.Namespace) -> Path:
    given: Path | None = getattr(args, "content_dir", None)
    return given if given is not None else default_content_dir()


def _library(args: argparse.Namespace) -> Library | None:
    """The content, loaded leniently: problems are mentioned, not fatal, for reading commands."""
    library, problems = read_library(_content_dir(args))
    if problems:
        _say(_t("load_warning", count=len(problems)), sys.stderr)
    if not library.documents:
        for problem in problems:
            _say(str(problem))
        return None
    return library


def _document(library: Library, doc_id: str | None) -> Document | None:
    if doc_id is None:
        return library.default_document
    document = library.document(doc_id)
    if document is None:
        _say(_t("no_document", id=doc_id, ids=", ".join(sorted(library.documents))), sys.stderr)
    return document


def _indent(level: int) -> str:
    return "  " * (level - 1)


# --- content ---------------------------------------------------------------------------------


def _ingest(args: argparse.Namespace) -> int:
    source: Path = args.source
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _say(_t("source_unreadable", path=source, detail=exc), sys.stderr)
        return 1
    meta = Metadata(
        id=args.id,
        title=args.title or "",
        title_en=args.title_en or "",
        publisher=args.publisher or "",
        publisher_en=args.publisher_en or "",
        date=args.date or "",
        source_url=args.source_url or "",
        language=args.language,
    )
    try:
        document = parse_source(text, meta)
    except IngestError as exc:
        detail = _catalog().text(exc.key, DEFAULT_LANGUAGE, **exc.fields)
        _say(_t("ingest_failed", path=source, line=exc.line, detail=detail), sys.stderr)
        return 1
    if not args.title:
        _say(_t("title_missing", title=document.title), sys.stderr)
    out: Path = args.out if args.out is not None else _content_dir(args)
    target = out / args.id
    target.mkdir(parents=True, exist_ok=True)
    copy = target / meta.source
    if not copy.exists() or not copy.samefile(source):
        shutil.copyfile(source, copy)
    written = target / "document.yaml"
    written.write_text(document_yaml(document), encoding="utf-8", newline="\n")
    paragraphs = sum(len(s.paragraphs) for s in document.sections)
    characters = sum(len(p) for s in document.sections for p in s.paragraphs)
    _say(
        _t(
            "ingested",
            path=written,
            sections=len(document.sections),
            paragraphs=paragraphs,
            characters=characters,
        )
    )
    return 0


def _validate(args: argparse.Namespace) -> int:
    library, problems = read_library(_content_dir(args))
    if problems:
        for problem in problems:
            _say(str(problem))
        _say(_t("validate_failed", count=len(problems)), sys.stderr)
        return 1
    docs = library.documents.values()
    _say(
        _t(
            "validate_ok",
            documents=len(library.documents),
            sections=sum(len(d.sections) for d in docs),
            questions=sum(len(q) for q in library.questions.values()),
            terms=sum(len(t) for t in library.glossary.values()),
            prompts=sum(len(p) for p in library.prompts.values()),
        )
    )
    return 0


def _toc(args: argparse.Namespace) -> int:
    library = _library(args)
    document = library and _document(library, args.doc)
    if not document:
        return 1
    _say(document.title)
    for s in document.sections:
        _say(f"{_indent(s.level)}{s.heading}  [{s.id}]")
    return 0


def _show(args: argparse.Namespace) -> int:
    library = _library(args)
    document = library and _document(library, args.doc)
    if not document:
        return 1
    ref = " ".join(args.ref)
    found = resolve_ref(document, ref)
    if found.section is None:
        if found.ambiguous:
            _say(_t("ambiguous", ref=ref), sys.stderr)
            listed = found.candidates
        elif not ref.strip():
            _say(_t("empty_ref"), sys.stderr)
            return 1
        else:
            _say(_t("unknown_ref", ref=ref), sys.stderr)
            listed = found.suggestions
            if listed:
                _say(_t("suggestions"), sys.stderr)
        for s in listed:
            _say(f"  {s.heading}  [{s.id}]", sys.stderr)
        return 1
    section = found.section
    _say(f"{section.heading}  [{section.id}]")
    if section.text:
        _say("")
        _say(section.text)
    children = document.children(section.id)
    if children:
        _say("")
        for child in children:
            _say(f"  {child.heading}  [{child.id}]")
    return 0


def _search(args: argparse.Namespace) -> int:
    library = _library(args)
    document = library and _document(library, args.doc)
    if not document:
        return 1
    query = " ".join(args.words)
    if not query.strip():
        _say(_t("search_empty"), sys.stderr)
        return 1
    result = SearchIndex.build(document).search(query, page=args.page, per_page=args.per_page)
    if not result.total:
        _say(_t("search_none", query=query))
        return 0
    _say(_t("search_header", query=query, total=result.total, page=result.page, pages=result.pages))
    for hit in result.hits:
        _say(f"{hit.section.heading}  [{hit.section.id}]")
        if hit.snippet:
            _say(f"  {hit.snippet}")
    return 0


def section_export(document: Document) -> list[dict[str, Any]]:
    """The stable JSON shape of `content export` (other tools read these field names)."""
    return [
        {"id": s.id, "label": s.label, "title": s.title, "parent": s.parent, "text": s.text}
        for s in document.sections
    ]


def _export(args: argparse.Namespace) -> int:
    library = _library(args)
    document = library and _document(library, args.doc)
    if not document:
        return 1
    _say(json.dumps(section_export(document), ensure_ascii=False, indent=2))
    return 0


# --- quiz ------------------------------------------------------------------------------------


def _generate(args: argparse.Namespace) -> int:
    library = _library(args)
    document = library and _document(library, args.doc)
    if not library or not document:
        return 1
    terms = library.glossary.get(document.id, ())
    if not terms:
        _say(_t("no_glossary", id=document.id), sys.stderr)
        return 1
    out: Path | None = args.out
    existing = library.questions.get(document.id, ())
    if out is not None:
        # Regenerating over the same file must not count its own questions as taken.
        existing = tuple(q for q in existing if not (q.where and Path(q.where.path) == out))
    questions = generate_cloze(document, terms, exclude=existing)
    text = quiz_yaml(document, questions)
    if out is None:
        sys.stdout.write(text)
    else:
        if out.exists() and not args.force:
            _say(_t("file_exists", path=out), sys.stderr)
            return 1
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8", newline="\n")
        _say(_t("written", path=out), sys.stderr)
    _say(_t("generated", count=len(questions)), sys.stderr)
    return 0


def _quiz_export(args: argparse.Namespace) -> int:
    try:
        library = load_library(_content_dir(args))
    except ContentError as exc:
        _say(_t("load_failed", count=len(exc.problems)), sys.stderr)
        for problem in exc.problems:
            _say(str(problem), sys.stderr)
        return 1
    document = _document(library, args.doc)
    if document is None:
        return 1
    data = [question_data(q) for q in library.questions.get(document.id, ())]
    _say(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


# --- parsers ---------------------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser, *, doc: bool = True) -> None:
    parser.add_argument(
        "--content-dir", type=Path, default=None, help="content tree (default: ./content)"
    )
    if doc:
        parser.add_argument("--doc", default=None, help="document id (default: the first)")


def add_parsers(subparsers: Any) -> None:
    """Add the `content` and `quiz` command groups to an argparse subparsers object."""
    content = subparsers.add_parser("content", help="ingest, validate, browse the papers")
    commands = content.add_subparsers(dest="content_command", required=True)

    p = commands.add_parser("ingest", help="PDF-extracted text -> content/<id>/document.yaml")
    p.add_argument("source", type=Path)
    p.add_argument("--id", required=True, help="document id, e.g. nd-2025-05")
    p.add_argument("--out", type=Path, default=None, help="output tree (default: content dir)")
    p.add_argument("--title", default=None)
    p.add_argument("--title-en", default=None)
    p.add_argument("--publisher", default=None)
    p.add_argument("--publisher-en", default=None)
    p.add_argument("--date", default=None, help="YYYY-MM (default: from the back matter)")
    p.add_argument("--source-url", default=None)
    p.add_argument("--language", default="ja")
    _common(p, doc=False)
    p.set_defaults(handler=_ingest)

    p = commands.add_parser("validate", help="check every file; FILE:LINE: message per problem")
    _common(p, doc=False)
    p.set_defaults(handler=_validate)

    p = commands.add_parser("toc", help="table of contents")
    _common(p)
    p.set_defaults(handler=_toc)

    p = commands.add_parser("show", help="print a section: 2.3.1, 第２部３（１）, a title word")
    p.add_argument("ref", nargs="+")
    _common(p)
    p.set_defaults(handler=_show)

    p = commands.add_parser("search", help="full-text search (several words = AND)")
    p.add_argument("words", nargs="+")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--per-page", type=int, default=5)
    _common(p)
    p.set_defaults(handler=_search)

    p = commands.add_parser("export", help="every section as JSON")
    p.add_argument("--format", choices=("json",), default="json")
    _common(p)
    p.set_defaults(handler=_export)

    quiz = subparsers.add_parser("quiz", help="quiz bank tools")
    commands = quiz.add_subparsers(dest="quiz_command", required=True)

    p = commands.add_parser("generate", help="cloze questions from the glossary (YAML)")
    p.add_argument("--out", type=Path, default=None, help="write here (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    _common(p)
    p.set_defaults(handler=_generate)

    p = commands.add_parser("export", help="every question as JSON")
    p.add_argument("--format", choices=("json",), default="json")
    _common(p)
    p.set_defaults(handler=_quiz_export)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="studybot")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    handler = args.handler
    try:
        code: int = handler(args)
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error worth a traceback.
        sys.stderr.close()
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
