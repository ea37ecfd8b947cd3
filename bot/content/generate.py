"""A starter quiz bank for any paper: cloze questions from its glossary terms.

For each glossary term and each section it is listed under, the first sentence of that
section containing the term (or an alias) becomes the evidence, and the prompt is that
sentence with the term blanked. Generated questions are marked `generated: true` and pass
the same validation as hand-written ones.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

from bot.content.ingest import dump_yaml
from bot.content.loader import CLOZE_BLANK
from bot.content.models import Document, GlossaryTerm, Question
from bot.content.normalize import nfkc

# A sentence ends at `。` plus any closing brackets after it; the rest of a paragraph
# without one (a heading-like fragment) counts as a sentence too.
_SENTENCE_RE = re.compile(r"[^。]+(?:。[」』）)〕】”’]*|$)")
_MIN_SENTENCE = 12


def sentences(text: str) -> Iterator[str]:
    for paragraph in text.split("\n\n"):
        for m in _SENTENCE_RE.finditer(paragraph):
            sentence = m.group(0).strip()
            if sentence:
                yield sentence


def _find(sentence: str, names: Sequence[str]) -> tuple[int, int] | None:
    """The span of the first name found in the sentence, comparing NFKC forms."""
    flat = nfkc(sentence)
    if len(flat) != len(sentence):
        # NFKC changed the length (rare ligatures): give up on blanking this sentence.
        return None
    for name in names:
        pos = flat.find(nfkc(name))
        if pos >= 0:
            return pos, pos + len(nfkc(name))
    return None


def _question_id(document: str, term: str, section: str) -> str:
    # Stable under edits elsewhere in the glossary: derived from what the question is about.
    digest = hashlib.sha1(f"{document}\0{term}\0{section}".encode()).hexdigest()[:8]
    return f"gen-{section}-{digest}"


def generate_cloze(
    document: Document, terms: Sequence[GlossaryTerm], exclude: Sequence[Question] = ()
) -> list[Question]:
    """One cloze question per (term, listed section), skipping any that `exclude` already asks."""
    questions: list[Question] = []
    seen = {(nfkc(q.answer).strip(), nfkc(q.evidence).strip()) for q in exclude}
    for term in terms:
        # The term itself first (blanking 地位協定 in 日米地位協定 reads naturally), then
        # the longest alias, so that a longer alias wins over a shorter one it contains.
        names = [term.term, *sorted(term.aliases, key=len, reverse=True)]
        for listed in term.sections:
            found = _first_sentence(document, listed, names, seen)
            if found is None:
                continue
            section_id, sentence, (start, end) = found
            written = sentence[start:end]
            seen.add((nfkc(written), nfkc(sentence)))
            others = [n for n in (term.term, *term.aliases) if nfkc(n) != nfkc(written)]
            questions.append(
                Question(
                    id=_question_id(document.id, term.term, listed),
                    document=document.id,
                    sections=(section_id,),
                    type="cloze",
                    prompt=sentence[:start] + CLOZE_BLANK + sentence[end:],
                    choices=(),
                    answer=written,
                    alternatives=tuple(others),
                    explanation=f"{term.term}（{term.reading}）: {term.definition}",
                    evidence=sentence,
                    difficulty=1,
                    generated=True,
                )
            )
    return questions


def _first_sentence(
    document: Document, section_id: str, names: Sequence[str], seen: set[tuple[str, str]]
) -> tuple[str, str, tuple[int, int]] | None:
    """The first sentence under the section (its own text or a subsection's) naming the term."""
    for section in document.subtree(section_id):
        for sentence in sentences(section.text):
            if len(sentence) < _MIN_SENTENCE:
                continue
            span = _find(sentence, names)
            if span is None:
                continue
            key = (nfkc(sentence[span[0] : span[1]]), nfkc(sentence))
            if key not in seen:
                return section.id, sentence, span
    return None


def question_data(question: Question) -> dict[str, Any]:
    """A question as quiz.yaml (and the JSON export) writes it."""
    answer: Any = question.answer
    if question.type == "truefalse":
        answer = question.answer == "true"
    data: dict[str, Any] = {
        "id": question.id,
        "sections": list(question.sections),
        "type": question.type,
        "prompt": question.prompt,
        "choices": list(question.choices),
        "answer": answer,
        "alternatives": list(question.alternatives),
        "explanation": question.explanation,
        "evidence": question.evidence,
        "difficulty": question.difficulty,
    }
    if question.generated:
        data["generated"] = True
    return data


def quiz_yaml(document: Document, questions: Sequence[Question]) -> str:
    header = (
        f"# Generated by `studybot quiz generate --doc {document.id}` from the glossary: "
        "cloze questions to start with; edit freely.\n"
    )
    body = {"document": document.id, "questions": [question_data(q) for q in questions]}
    return header + dump_yaml(body)
