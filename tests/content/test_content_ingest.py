"""Ingest of the real paper: golden output, determinism, and no character lost or duplicated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content.cli import main
from bot.content.ingest import IngestError, Metadata, document_yaml, parse_source
from bot.content.models import Document
from bot.content.normalize import nfkc

PAPER = Path(__file__).resolve().parents[2] / "content" / "nd-2025-05"
TITLE = "トランプ政権が世界に及ぼすものと日本への影響"
TITLE_EN = "What the Trump Administration Means for the World and for Japan"
SOURCE = PAPER / "source.txt"

# Every heading line of the source, as printed, with the section it becomes.
HEADINGS = [
    ("第１部 トランプ政権が世界に及ぼすもの", "1", "第１部", None),
    ("１ トランプ政権が提示する課題", "1.1", "第１部 １", "1"),
    ("２ トランプ政権の秩序観", "1.2", "第１部 ２", "1"),
    ("（１）国際システムの制度疲労", "1.2.1", "第１部 ２（１）", "1.2"),
    ("（２）「力による平和」の信奉", "1.2.2", "第１部 ２（２）", "1.2"),
    ("３ トランプ政権の安全保障政策", "1.3", "第１部 ３", "1"),
    ("（１）国家目標・政治・軍事", "1.3.1", "第１部 ３（１）", "1.3"),
    ("（２）東アジア戦略", "1.3.2", "第１部 ３（２）", "1.3"),
    ("① 台湾有事への戦略", "1.3.2.1", "第１部 ３（２）①", "1.3.2"),
    ("② 朝鮮半島への影響", "1.3.2.2", "第１部 ３（２）②", "1.3.2"),
    ("第２部 日本への影響と求められる対応", "2", "第２部", None),
    ("１ 抑止偏重の危うさと安心供与の重要性", "2.1", "第２部 １", "2"),
    ("２ 同盟への姿勢と日本が守るべきもの", "2.2", "第２部 ２", "2"),
    ("３ あるべき日米関係への変革に向けた胆力を", "2.3", "第２部 ３", "2"),
    ("（１）地位協定改定のチャンス", "2.3.1", "第２部 ３（１）", "2.3"),
    ("（２）日米関係への変革に向けた胆力を", "2.3.2", "第２部 ３（２）", "2.3"),
    ("４ 新たな公共財の担い手を求めて", "2.4", "第２部 ４", "2"),
    ("５ 米中対立と外交のチャンス", "2.5", "第２部 ５", "2"),
]
LEAVES = {"1.1", "1.2.1", "1.2.2", "1.3.1", "1.3.2.1", "1.3.2.2"} | {
    "2.1",
    "2.2",
    "2.3.1",
    "2.3.2",
    "2.4",
    "2.5",
}


def _ingest(text: str, **meta: str) -> Document:
    return parse_source(text, Metadata(id="nd-2025-05", **meta))


@pytest.fixture(scope="module")
def ingested() -> Document:
    return _ingest(SOURCE.read_text(encoding="utf-8"), title=TITLE, title_en=TITLE_EN)


def test_committed_document_is_exactly_what_ingest_produces(ingested: Document) -> None:
    committed = (PAPER / "document.yaml").read_text(encoding="utf-8")
    assert document_yaml(ingested) == committed


def test_ingest_command_is_byte_identical_across_runs(tmp_path: Path) -> None:
    outputs = []
    for run in ("a", "b"):
        argv = [
            "content",
            "ingest",
            str(SOURCE),
            "--id",
            "nd-2025-05",
            "--out",
            str(tmp_path / run),
        ]
        assert main([*argv, "--title", TITLE, "--title-en", TITLE_EN]) == 0
        outputs.append((tmp_path / run / "nd-2025-05" / "document.yaml").read_bytes())
        copied = tmp_path / run / "nd-2025-05" / "source.txt"
        assert copied.read_bytes() == SOURCE.read_bytes()
    assert outputs[0] == outputs[1] == (PAPER / "document.yaml").read_bytes()


def test_every_heading_becomes_a_section_with_its_id_label_and_parent(ingested: Document) -> None:
    got = [(s.id, s.label, s.parent) for s in ingested.sections]
    assert got == [(sid, label, parent) for _, sid, label, parent in HEADINGS]
    assert {s.id for s in ingested.leaves()} == LEAVES
    assert ingested.section("1.3.2.1") is not None
    assert ingested.section("1.3.2.1").title == "台湾有事への戦略"  # type: ignore[union-attr]
    assert ingested.section("2.3.1").title == "地位協定改定のチャンス"  # type: ignore[union-attr]
    assert [s.order for s in ingested.sections] == list(range(len(HEADINGS)))


def test_metadata_comes_from_options_and_back_matter(ingested: Document) -> None:
    assert ingested.title == TITLE
    assert ingested.title_en == TITLE_EN
    assert ingested.publisher == "新外交イニシアティブ"
    assert ingested.publisher_en == "New Diplomacy Initiative"
    assert ingested.date == "2025-05"
    assert ingested.source_url == "https://www.nd-initiative.org"
    assert ingested.back_matter[0] == "２０２５年５月"
    # Back matter is metadata, never text of a section.
    assert not any("TEL" in p or "特定非営利" in p for s in ingested.sections for p in s.paragraphs)


def _source_body() -> str:
    """The body of the source, derived independently of the ingest code."""
    lines = [line.strip() for line in SOURCE.read_text(encoding="utf-8").split("\n")]
    lines = [line for line in lines if line and not re.fullmatch(r"\d{1,3}", nfkc(line))]
    lines = lines[: lines.index("２０２５年５月")]
    headings = [h for h, *_ in HEADINGS]
    assert all(h in lines for h in headings)
    body = ""
    for line in (line for line in lines if line not in headings):
        # The one documented exception to joining without a space: a break between two
        # half-width Latin words.
        latin = (
            body[-1:].isascii() and body[-1:].isalnum() and line[0].isascii() and line[0].isalnum()
        )
        body += (" " if latin else "") + line
    return body


def test_no_character_of_the_body_is_lost_or_duplicated(ingested: Document) -> None:
    text = "".join(p for s in ingested.sections for p in s.paragraphs)
    body = _source_body()
    assert len(text) == len(body)
    assert text == body


def test_paragraphs_end_at_sentence_ends_and_keep_list_items_inside(ingested: Document) -> None:
    paragraphs = [p for s in ingested.sections for p in s.paragraphs]
    assert all(re.search(r"。[」』）)]*$", p) for p in paragraphs)
    first = ingested.section("1.3.1").paragraphs[0]  # type: ignore[union-attr]
    # `①` opening a long line is a list item inside the paragraph, not a heading.
    assert "そのため、① 政治面においては" in first
    # A line starting with a space at a page start is joined without it.
    taiwan = ingested.section("1.3.2.1").text  # type: ignore[union-attr]
    assert "「習近平氏とのディールによる戦争回避」" in taiwan
    # Full-width Latin broken over two lines joins with no space.
    assert "世界貿易機関（ＷＴＯ）" in ingested.section("1.2.1").text  # type: ignore[union-attr]


def test_ingest_rules_on_a_small_source() -> None:
    text = "\n".join(
        [
            " １",
            "",
            "第１部 はじめに",
            "",
            "１ 概要",
            "",
            "これは New",
            "",
            "Diplomacy の例であり、ＷＨ",
            "",
            "Ｏに触れる。",
            "",
            "① 句点のある行は見出しではなく本文である。",
            " ２",
            " 次の頁の文。",
            "（１）小見出し",
            "",
            "本文。",
            "",
            "2024年3月",
            "Example Publisher",
            "出版社（ＥＸ） TEL：03-0000-0000",
            "WEB：https://example.org/paper",
        ]
    )
    document = _ingest(text)
    assert [s.id for s in document.sections] == ["1", "1.1", "1.1.1"]
    assert document.section("1.1").paragraphs == (  # type: ignore[union-attr]
        "これは New Diplomacy の例であり、ＷＨＯに触れる。",
        "① 句点のある行は見出しではなく本文である。",
        "次の頁の文。",
    )
    assert document.title == "はじめに"
    assert (document.date, document.publisher, document.publisher_en) == (
        "2024-03",
        "出版社",
        "Example Publisher",
    )
    assert document.source_url == "https://example.org/paper"


def test_ingest_refuses_text_before_the_first_heading() -> None:
    with pytest.raises(IngestError) as info:
        _ingest("前書きの文。\n第１部 本体\n本文。")
    assert info.value.line == 1
    assert info.value.key == "content.ingest.text_before_heading"


def test_ingest_command_reports_a_bad_source_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "x.txt"
    source.write_text("見出しのない文。\n", encoding="utf-8")
    assert main(["content", "ingest", str(source), "--id", "x", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{source}:1:" in err
    assert main(["content", "ingest", str(tmp_path / "missing.txt"), "--id", "x"]) == 1
