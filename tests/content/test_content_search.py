"""Full-text search: 2-character words, width variants, AND, ranking, paging, snippets."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.content.models import Document, Section
from bot.content.normalize import answer_key, fold, nfkc
from bot.content.search import (
    HIT_CLOSE,
    HIT_OPEN,
    SNIPPET_MAX,
    SearchIndex,
    fold_text,
    snippet_parts,
)

ASCII_TO_FULL = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}


@pytest.fixture(scope="module")
def index(paper: Document) -> SearchIndex:
    return SearchIndex.build(paper)


def ids(index: SearchIndex, query: str) -> list[str]:
    return [h.section.id for h in index.search(query, per_page=50).hits]


def containing(paper: Document, word: str) -> set[str]:
    return {s.id for s in paper.sections if nfkc(word) in nfkc(s.title + s.text)}


@pytest.mark.parametrize("word", ["抑止", "同盟", "関税", "米", "核", "ＮＡＴＯ", "地位協定"])
def test_finds_exactly_the_sections_containing_a_word(
    index: SearchIndex, paper: Document, word: str
) -> None:
    assert set(ids(index, word)) == containing(paper, word)
    assert ids(index, word)


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("NATO", "ＮＡＴＯ"),
        ("nato", "ＮＡＴＯ"),
        ("GDP比3%", "ＧＤＰ比３％"),
        ("ＧＤＰ比３％", "ＧＤＰ比３％"),
    ],
)
def test_width_and_case_variants_find_the_same_sections(
    index: SearchIndex, paper: Document, typed: str, written: str
) -> None:
    assert set(ids(index, typed)) == containing(paper, written) != set()


def test_katakana_and_hiragana_match_each_other(index: SearchIndex) -> None:
    assert ids(index, "でぃーる") == ids(index, "ディール") != []


def test_several_words_mean_and(index: SearchIndex, paper: Document) -> None:
    both = set(ids(index, "抑止 同盟"))
    assert both == containing(paper, "抑止") & containing(paper, "同盟")
    assert both and both < set(ids(index, "抑止"))
    assert ids(index, "抑止 存在しない語") == []


def test_ranked_by_occurrences_with_titles_counting_more(index: SearchIndex) -> None:
    hits = index.search("抑止", per_page=50).hits
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    # 2.1 has 抑止 in its title and most often in its text.
    assert hits[0].section.id == "2.1"
    chance = index.search("チャンス", per_page=50).hits
    assert {chance[0].section.id, chance[1].section.id} == {"2.3.1", "2.5"}


def test_paging(index: SearchIndex) -> None:
    first = index.search("米", page=1, per_page=5)
    assert first.total > 10 and first.pages == -(-first.total // 5)
    seen = [h.section.id for p in range(1, first.pages + 1) for h in index.search("米", p, 5).hits]
    assert len(seen) == len(set(seen)) == first.total
    beyond = index.search("米", page=99, per_page=5)
    assert beyond.page == first.pages and beyond.hits
    assert index.search("", page=1).total == 0
    assert index.search("   ").hits == ()


def test_snippet_marks_the_hit_in_the_original_text(index: SearchIndex, paper: Document) -> None:
    for query in ("NATO", "GDP比3%", "抑止", "安心供与", "1978年"):
        for hit in index.search(query, per_page=50).hits:
            assert len(hit.snippet) <= SNIPPET_MAX
            if not hit.section.text:
                continue
            parts = snippet_parts(hit.snippet)
            marked = [text for text, is_hit in parts if is_hit]
            assert marked, (query, hit.snippet)
            assert all(fold(m) == fold(query) for m in marked)
            plain = "".join(text for text, _ in parts).strip("…")
            assert plain in hit.section.text.replace("\n\n", " ")


def test_snippet_shows_the_width_written_in_the_paper(index: SearchIndex) -> None:
    hit = index.search("GDP比3%").hits[0]
    assert f"{HIT_OPEN}ＧＤＰ比３％{HIT_CLOSE}" in hit.snippet


def _doc(text: str) -> Document:
    section = Section("1", "第１部", "題", None, 0, (text,))
    return Document("d", "t", "p", "p", "2025", "", "ja", (section,))


def test_snippet_never_splits_a_surrogate_pair_or_a_base_from_its_mark() -> None:
    for filler in ("𠮷", "か\u3099", "ｶﾞ", "e\u0301"):
        text = filler * 100 + "抑止" + filler * 100
        hit = SearchIndex.build(_doc(text)).search("抑止").hits[0]
        hit.snippet.encode("utf-16-le")  # would fail on a lone surrogate
        body = hit.snippet.strip("…").replace(HIT_OPEN, "").replace(HIT_CLOSE, "")
        assert body in text
        assert not body or ord(body[0]) not in (0x3099, 0xFF9E, 0x0301)
        assert len(hit.snippet) <= SNIPPET_MAX


def test_half_width_katakana_with_voiced_marks_is_found() -> None:
    index = SearchIndex.build(_doc("ｶﾞｲｺｳの話。"))
    assert index.search("ガイコウ").total == 1
    assert f"{HIT_OPEN}ｶﾞｲｺｳ{HIT_CLOSE}" in index.search("がいこう").hits[0].snippet


def test_library_index_spans_documents(paper: Document) -> None:
    other = _doc("抑止と同盟の話。")
    index = SearchIndex.build_library([paper, other])
    docs = {h.document for h in index.search("抑止", per_page=50).hits}
    assert docs == {"nd-2025-05", "d"}


def test_snippet_parts_round_trip() -> None:
    assert snippet_parts(f"a{HIT_OPEN}b{HIT_CLOSE}c") == [("a", False), ("b", True), ("c", False)]
    assert snippet_parts("plain") == [("plain", False)]


# --- normalization properties ---------------------------------------------------------------

PAPERISH = st.text(
    alphabet=st.sampled_from(
        list("抑止同盟関税のはがガパﾊﾟｶﾞアイウあいう、。「」（）ー・")
        + [chr(c) for c in range(0x21, 0x7F)]
        + list("ＡＢＣａｂｃ０１２３％（）")
    ),
    max_size=30,
)


@given(st.text(alphabet=[chr(c) for c in range(0x21, 0x7F)], max_size=20))
def test_full_width_ascii_folds_like_ascii(text: str) -> None:
    full = "".join(ASCII_TO_FULL[c] for c in text)
    assert fold(full) == fold(text)
    assert answer_key(full) == answer_key(text)


@given(st.text(alphabet=[chr(c) for c in range(0x30A1, 0x30F7)], max_size=20))
def test_katakana_folds_to_hiragana(text: str) -> None:
    hiragana = "".join(chr(ord(c) - 0x60) for c in text)
    assert fold(text) == fold(hiragana) == hiragana


@given(PAPERISH)
def test_fold_is_idempotent_and_search_fold_agrees(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert fold_text(text) == fold(text)


@given(PAPERISH, PAPERISH, PAPERISH)
def test_any_folded_substring_is_found(before: str, word: str, after: str) -> None:
    word = word.strip()
    if not "".join(fold_text(word).split()):
        return
    text = before + word + after
    query = " ".join(fold_text(word).split())
    # NFKC may compose across the join (う + ﾞ is ゔ): then the word is not in the text.
    assume(all(part in fold_text(text) for part in query.split()))
    index = SearchIndex.build(_doc(text))
    assert index.search(query).total == 1
