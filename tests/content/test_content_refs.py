"""Reference resolution: every way people write a section number, and title fragments."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content.models import Document, Section
from bot.content.refs import (
    complete_refs,
    id_from_label,
    kanji_number,
    ref_numbers,
    resolve_ref,
)

FULL_WIDTH = str.maketrans("0123456789()", "０１２３４５６７８９（）")
KANJI = "〇一二三四五六七八九"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def to_kanji(n: int) -> str:
    tens, ones = divmod(n, 10)
    return (
        ("" if tens <= 1 else KANJI[tens]) + ("十" if tens else "") + (KANJI[ones] if ones else "")
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1.3.2.2", "1.3.2.2"),
        ("1-3-2-2", "1.3.2.2"),
        ("1 3 2 2", "1.3.2.2"),
        ("第1部3(2)②", "1.3.2.2"),
        ("第１部３（２）②", "1.3.2.2"),
        ("第１部 ３（２）②", "1.3.2.2"),
        ("第一部三（二）", "1.3.2"),
        ("第二部三(一)", "2.3.1"),
        ("2部3(1)", "2.3.1"),
        ("第２部３（１）", "2.3.1"),
        ("part 2 section 3 (1)", "2.3.1"),
        ("Part 2, Section 3(1)", "2.3.1"),
        ("ｐａｒｔ ２", "2"),
        ("１．３．２．２", "1.3.2.2"),
        ("地位協定", "2.3.1"),
        ("ちいきょうてい", None),
        ("台湾有事", "1.3.2.1"),
        ("朝鮮半島", "1.3.2.2"),
        ("第２部 ３（１） 地位協定改定のチャンス", "2.3.1"),
        ("  2.5  ", "2.5"),
        ("2.3.1 地位協定改定のチャンス", "2.3.1"),
    ],
)
def test_resolves_what_people_type(paper: Document, typed: str, expected: str | None) -> None:
    found = resolve_ref(paper, typed)
    assert (found.section.id if found.section else None) == expected


def test_ambiguous_title_fragment_returns_ranked_candidates(paper: Document) -> None:
    found = resolve_ref(paper, "胆力")
    assert found.section is None and found.ambiguous
    assert [s.id for s in found.candidates] == ["2.3.2", "2.3"]
    chance = resolve_ref(paper, "チャンス")
    assert {s.id for s in chance.candidates} == {"2.3.1", "2.5"}


def test_exact_title_wins_over_a_longer_title_containing_it(paper: Document) -> None:
    assert resolve_ref(paper, "日米関係への変革に向けた胆力を").section == paper.section("2.3.2")


def test_no_match_gives_the_closest_sections(paper: Document) -> None:
    missing = resolve_ref(paper, "1.3.7")
    assert missing.section is None and not missing.candidates
    assert [s.id for s in missing.suggestions] == ["1.3", "1.3.1", "1.3.2"]
    word = resolve_ref(paper, "核の均衡")  # not a title; occurs in the text of 1.3.2.2
    assert word.section is None and word.suggestions[0].id == "1.3.2.2"
    assert resolve_ref(paper, "").section is None


def test_every_label_reads_as_its_id(paper: Document) -> None:
    for section in paper.sections:
        assert id_from_label(section.label) == section.id


def test_every_title_and_heading_resolves_to_its_section(paper: Document) -> None:
    for section in paper.sections:
        assert resolve_ref(paper, section.title).section == section
        assert resolve_ref(paper, section.heading).section == section


def written_forms(section: Section) -> st.SearchStrategy[str]:
    numbers = [int(n) for n in section.id.split(".")]

    def number(n: int, style: str) -> str:
        return {"ascii": str(n), "full": str(n).translate(FULL_WIDTH), "kanji": to_kanji(n)}[style]

    @st.composite
    def japanese(draw: st.DrawFn) -> str:
        style = draw(st.sampled_from(["ascii", "full", "kanji"]))
        space = draw(st.sampled_from(["", " ", "　"]))
        prefix = draw(st.sampled_from(["第", ""]))
        text = f"{prefix}{number(numbers[0], style)}部"
        if len(numbers) > 1:
            text += space + number(numbers[1], style)
        if len(numbers) > 2:
            open_, close = draw(st.sampled_from([("(", ")"), ("（", "）")]))
            text += f"{open_}{number(numbers[2], style)}{close}"
        if len(numbers) > 3:
            text += draw(st.sampled_from([CIRCLED[numbers[3] - 1], f"({numbers[3]})"]))
        return text

    @st.composite
    def joined(draw: st.DrawFn) -> str:
        sep = draw(st.sampled_from([".", "-", " ", "/", "．", "－", "・"]))
        style = draw(st.sampled_from(["ascii", "full"]))
        return sep.join(number(n, style) for n in numbers)

    @st.composite
    def english(draw: st.DrawFn) -> str:
        part = draw(st.sampled_from(["part", "Part", "PART", "p."]))
        text = f"{part} {numbers[0]}"
        if len(numbers) > 1:
            text += draw(st.sampled_from([" section ", " sec. ", ", section ", " "])) + str(
                numbers[1]
            )
        for n in numbers[2:]:
            text += draw(st.sampled_from([f" ({n})", f"({n})"]))
        return text

    return st.one_of(japanese(), joined(), english(), st.just(section.label), st.just(section.id))


@st.composite
def section_and_form(draw: st.DrawFn, document: Document) -> tuple[Section, str]:
    section = draw(st.sampled_from(document.sections))
    form = draw(written_forms(section))
    pad = draw(st.sampled_from(["", " ", "　"]))
    return section, pad + form + pad


def test_every_written_form_of_every_section_resolves_to_itself(paper: Document) -> None:
    @given(section_and_form(paper))
    def check(case: tuple[Section, str]) -> None:
        section, typed = case
        assert resolve_ref(paper, typed).section == section, typed

    check()


@given(st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=5))
def test_number_paths_round_trip_in_every_separator(numbers: list[int]) -> None:
    for sep in (".", "-", " ", "．"):
        assert ref_numbers(sep.join(str(n) for n in numbers)) == tuple(numbers)
    full = ".".join(str(n) for n in numbers).translate(FULL_WIDTH)
    assert ref_numbers(full) == tuple(numbers)


@given(st.integers(min_value=1, max_value=99))
def test_kanji_numbers(n: int) -> None:
    assert kanji_number(to_kanji(n)) == n


@given(st.text(alphabet="地位協定抑止同盟あいうアイウabcXYZ", min_size=1, max_size=6))
def test_text_that_is_not_a_number_path_is_not_read_as_one(text: str) -> None:
    assert ref_numbers(text) is None


def test_complete_refs(paper: Document) -> None:
    assert complete_refs(paper, "") == list(paper.sections)
    assert len(complete_refs(paper, "", limit=5)) == 5
    assert [s.id for s in complete_refs(paper, "2.3")] == ["2.3", "2.3.1", "2.3.2"]
    assert [s.id for s in complete_refs(paper, "第２部３")] == ["2.3", "2.3.1", "2.3.2"]
    assert complete_refs(paper, "地位")[0].id == "2.3.1"
    assert [s.id for s in complete_refs(paper, "チャンス")] == ["2.3.1", "2.5"]
    # Titles first, then sections that only mention the word in their text.
    sanctions = [s.id for s in complete_refs(paper, "抑止")]
    assert sanctions[0] == "2.1" and len(sanctions) > 1
    assert complete_refs(paper, "存在しない語") == []
    assert len(complete_refs(paper, "の", limit=25)) <= 25
