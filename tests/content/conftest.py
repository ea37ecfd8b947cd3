"""Shared fixtures for the content layer: the real paper and small content trees in tmp_path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from content_samples import (
    DEMO_DOCUMENT,
    DEMO_GLOSSARY,
    DEMO_PROMPTS,
    DEMO_QUIZ,
    WriteTree,
)

from bot.content.loader import read_library
from bot.content.models import Document, Library

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
PAPER = CONTENT / "nd-2025-05"


@pytest.fixture
def write_tree(tmp_path: Path) -> WriteTree:
    """Write a one-document content tree; pass file texts to replace the demo ones (None drops)."""

    def write(
        document: str | None = DEMO_DOCUMENT,
        quiz: str | None = DEMO_QUIZ,
        glossary: str | None = DEMO_GLOSSARY,
        prompts: str | None = DEMO_PROMPTS,
        doc_id: str = "demo",
    ) -> Path:
        root = tmp_path / "content"
        folder = root / doc_id
        folder.mkdir(parents=True, exist_ok=True)
        files = {
            "document.yaml": document,
            "quiz.yaml": quiz,
            "glossary.yaml": glossary,
            "prompts.yaml": prompts,
        }
        for name, text in files.items():
            if text is not None:
                (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return write


@pytest.fixture(scope="session")
def library() -> Library:
    # Lenient on purpose: a problem in the quiz bank fails its own test, not every paper test.
    return read_library(CONTENT)[0]


@pytest.fixture(scope="session")
def paper(library: Library) -> Document:
    document = library.document("nd-2025-05")
    assert document is not None
    return document
