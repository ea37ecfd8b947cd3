"""The reading plan: whole sentences, limits held, every character exactly once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.models import Document, Library, Section
from bot.services.excerpts import HARD_MAX, build_plan, split_sentences

ENDS = ("。", "」", "）", "』", "？", "！")


def test_default_plan_on_the_paper(library: Library) -> None:
    document = library.documents["nd-2025-05"]
    plan = build_plan(document)
    assert 15 <= len(plan) <= 60
    for excerpt in plan.excerpts:
        assert excerpt.length <= 700
        for paragraph in excerpt.paragraphs:
            assert paragraph.endswith(ENDS), paragraph[-20:]
    # Every character of every section appears in exactly one excerpt, in order.
    for section in document.sections:
        mine = [e for e in plan.excerpts if e.section.id == section.id]
        assert "".join("".join(e.paragraphs) for e in mine) == "".join(section.paragraphs)
    assert [e.day for e in plan.excerpts] == list(range(1, len(plan) + 1))
    # Sizes are balanced: apart from sections shorter than the minimum, no stub days.
    for excerpt in plan.excerpts:
        section_total = sum(len(p) for p in excerpt.section.paragraphs)
        if section_total >= 400:
            assert excerpt.length >= 200, (excerpt.section.id, excerpt.length)


def test_plan_size_is_configurable(library: Library) -> None:
    document = library.documents["nd-2025-05"]
    small = build_plan(document, 200, 300)
    large = build_plan(document, 1000, 1500)
    assert len(small) > len(build_plan(document)) > len(large)
    assert all(e.length <= 300 for e in small.excerpts)


sentence = st.text(
    alphabet=st.sampled_from("あいうえおカキクケコ漢字、ＡＢ12「」"), min_size=1, max_size=120
).map(lambda s: s + "。")
paragraph = st.lists(sentence, min_size=1, max_size=12).map("".join)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(paragraph, min_size=1, max_size=6), min_size=1, max_size=5),
    st.integers(min_value=100, max_value=900),
)
def test_any_document_splits_losslessly(sections: list[list[str]], size: int) -> None:
    document = Document(
        id="gen",
        title="t",
        publisher="p",
        publisher_en="p",
        date="2025-01",
        source_url="",
        language="ja",
        sections=tuple(
            Section(str(i + 1), f"第{i + 1}部", "title", None, i, tuple(paras))
            for i, paras in enumerate(sections)
        ),
    )
    plan = build_plan(document, size // 2, size)
    joined = "".join("".join(e.paragraphs) for e in plan.excerpts)
    assert joined == "".join("".join(p) for p in sections)
    for excerpt in plan.excerpts:
        assert excerpt.length <= max(size, 121)  # only a single overlong sentence may exceed
        assert excerpt.length <= HARD_MAX
        assert all(p.endswith(ENDS) for p in excerpt.paragraphs)


def test_split_sentences_keeps_closing_brackets() -> None:
    text = "彼は「行く。」と言った。次だ。"
    assert split_sentences(text) == ["彼は「行く。」", "と言った。", "次だ。"]
    assert "".join(split_sentences(text)) == text
