"""Split long text into pages at paragraph and sentence boundaries, never mid-sentence."""

from __future__ import annotations

from bot.services.excerpts import split_sentences

# One page of a section must fit every platform with its heading and buttons: Discord's
# 2,000-character plain message is the smallest, so stay well under it.
PAGE_CHARS = 1500


def paginate(paragraphs: tuple[str, ...], limit: int = PAGE_CHARS) -> list[tuple[str, ...]]:
    pages: list[list[str]] = [[]]
    size = 0
    for paragraph in paragraphs:
        pieces = [paragraph] if len(paragraph) <= limit else split_sentences(paragraph)
        first = True
        for piece in pieces:
            if pages[-1] and size + len(piece) > limit:
                pages.append([])
                size = 0
                first = True
            if first or not pages[-1]:
                pages[-1].append(piece)
            else:
                pages[-1][-1] += piece
            size += len(piece)
            first = False
    return [tuple(p) for p in pages if p]
