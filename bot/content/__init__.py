"""The shared content layer: papers as validated sections, reference lookup and search.

Other layers import from here, not from the modules behind it.
"""

from bot.content.generate import generate_cloze
from bot.content.loader import ContentError, Problem, load_library, read_library
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
from bot.content.refs import Resolution, complete_refs, id_from_label, resolve_ref
from bot.content.search import (
    HIT_CLOSE,
    HIT_OPEN,
    SearchHit,
    SearchIndex,
    SearchPage,
    snippet_parts,
)

__all__ = [
    "HIT_CLOSE",
    "HIT_OPEN",
    "ContentError",
    "DiscussionPrompt",
    "Document",
    "GlossaryTerm",
    "Library",
    "Problem",
    "Question",
    "QuestionType",
    "Resolution",
    "SearchHit",
    "SearchIndex",
    "SearchPage",
    "Section",
    "SourceLocation",
    "answer_key",
    "complete_refs",
    "fold",
    "generate_cloze",
    "id_from_label",
    "load_library",
    "nfkc",
    "read_library",
    "resolve_ref",
    "snippet_parts",
]
