"""The content layer's data: documents, sections, questions, glossary terms, prompts.

Every object remembers the file and line it came from so that validation and
error messages can point a content author at the exact place to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

QuestionType = Literal["choice", "truefalse", "cloze"]


@dataclass(frozen=True)
class SourceLocation:
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Section:
    """A heading and its text.

    `id` is ASCII (`2.3.1`); `label` is the paper's own notation (`第２部 ３（１）`).
    """

    id: str
    label: str
    title: str
    parent: str | None
    order: int
    paragraphs: tuple[str, ...]
    where: SourceLocation | None = field(default=None, compare=False)

    @property
    def level(self) -> int:
        return self.id.count(".") + 1

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def heading(self) -> str:
        return f"{self.label} {self.title}"


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    publisher: str
    publisher_en: str
    date: str
    source_url: str
    language: str
    sections: tuple[Section, ...]
    title_en: str = ""
    where: SourceLocation | None = field(default=None, compare=False)
    # The source's back matter (date line, publisher, address, notes), verbatim, one line each:
    # kept as metadata so nothing of the source is silently dropped, never shown as a section.
    back_matter: tuple[str, ...] = ()
    source: str = ""

    def section(self, section_id: str) -> Section | None:
        for s in self.sections:
            if s.id == section_id:
                return s
        return None

    def children(self, section_id: str | None) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.parent == section_id)

    def leaves(self) -> tuple[Section, ...]:
        parents = {s.parent for s in self.sections}
        return tuple(s for s in self.sections if s.id not in parents)

    def subtree(self, section_id: str) -> tuple[Section, ...]:
        """The section and all its descendants, in reading order."""
        prefix = section_id + "."
        return tuple(s for s in self.sections if s.id == section_id or s.id.startswith(prefix))


@dataclass(frozen=True)
class Question:
    id: str
    document: str
    sections: tuple[str, ...]
    type: QuestionType
    prompt: str
    choices: tuple[str, ...]
    answer: str
    alternatives: tuple[str, ...]
    explanation: str
    evidence: str
    difficulty: int
    generated: bool = False
    where: SourceLocation | None = field(default=None, compare=False)


@dataclass(frozen=True)
class GlossaryTerm:
    term: str
    reading: str
    definition: str
    sections: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    english: str = ""
    where: SourceLocation | None = field(default=None, compare=False)


@dataclass(frozen=True)
class DiscussionPrompt:
    section: str
    text: str
    where: SourceLocation | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Library:
    """Everything under one content directory, validated."""

    documents: dict[str, Document]
    questions: dict[str, tuple[Question, ...]]
    glossary: dict[str, tuple[GlossaryTerm, ...]]
    prompts: dict[str, tuple[DiscussionPrompt, ...]]

    def document(self, doc_id: str) -> Document | None:
        return self.documents.get(doc_id)

    @property
    def default_document(self) -> Document:
        return next(iter(sorted(self.documents.values(), key=lambda d: d.id)))
