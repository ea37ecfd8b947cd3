"""The content and quiz commands as an organizer runs them."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest
import yaml
from content_samples import DEMO_QUIZ, WriteTree

from bot.content.cli import add_parsers, main
from bot.content.generate import generate_cloze, sentences
from bot.content.loader import CLOZE_BLANK, load_library, read_library
from bot.content.models import Document

CONTENT = Path(__file__).resolve().parents[2] / "content"
PAPER_ARGS = ["--content-dir", str(CONTENT)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def test_add_parsers_wires_both_groups_with_handlers() -> None:
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers(dest="command"))
    for argv in (["content", "toc"], ["content", "show", "2.1"], ["quiz", "export"]):
        assert callable(parser.parse_args(argv).handler)


def test_toc_lists_every_section_in_reading_order(
    capsys: pytest.CaptureFixture[str], paper: Document
) -> None:
    code, out, _ = run(capsys, "content", "toc", *PAPER_ARGS)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == paper.title
    assert [line.strip() for line in lines[1:]] == [
        f"{s.heading}  [{s.id}]" for s in paper.sections
    ]
    assert lines[9].startswith("      第１部 ３（２）①")


def test_show_prints_label_title_and_text(
    capsys: pytest.CaptureFixture[str], paper: Document
) -> None:
    code, out, _ = run(capsys, "content", "show", "第２部３（１）", *PAPER_ARGS)
    section = paper.section("2.3.1")
    assert code == 0 and section is not None
    assert out.startswith("第２部 ３（１） 地位協定改定のチャンス")
    assert section.text in out


def test_show_a_parent_lists_its_subsections(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "content", "show", "第一部三（二）", *PAPER_ARGS)
    assert code == 0
    assert "第１部 ３（２）① 台湾有事への戦略" in out and "第１部 ３（２）② 朝鮮半島への影響" in out


def test_show_unknown_or_ambiguous_ref(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "content", "show", "1.3.9", *PAPER_ARGS)
    assert code == 1 and out == ""
    assert "「1.3.9」に当たる節が見つかりません" in err
    assert "第１部 ３ トランプ政権の安全保障政策" in err
    code, _, err = run(capsys, "content", "show", "胆力", *PAPER_ARGS)
    assert code == 1 and "複数" in err and "[2.3.2]" in err and "[2.3]" in err


def test_search_prints_ranked_hits_with_snippets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "content", "search", "ＮＡＴＯ", *PAPER_ARGS)
    assert code == 0
    assert out.splitlines()[0].startswith("「ＮＡＴＯ」: 2 件")
    assert "【ＮＡＴＯ】" in out
    code, out, _ = run(capsys, "content", "search", "存在しない語", *PAPER_ARGS)
    assert code == 0 and "見つかりませんでした" in out


def test_export_json_is_every_section_with_stable_fields(
    capsys: pytest.CaptureFixture[str], paper: Document
) -> None:
    code, out, _ = run(capsys, "content", "export", "--format", "json", *PAPER_ARGS)
    assert code == 0
    data = json.loads(out)
    assert [d["id"] for d in data] == [s.id for s in paper.sections]
    assert all(set(d) == {"id", "label", "title", "parent", "text"} for d in data)
    assert data[1]["text"] == "\n\n".join(paper.sections[1].paragraphs)
    assert "トランプ" in out  # ensure_ascii=False


def test_quiz_export_json(capsys: pytest.CaptureFixture[str], write_tree: WriteTree) -> None:
    code, out, _ = run(
        capsys, "quiz", "export", "--format", "json", "--content-dir", str(write_tree())
    )
    assert code == 0
    data = json.loads(out)
    fields = {"id", "sections", "type", "prompt", "choices", "answer", "alternatives"}
    fields |= {"explanation", "evidence", "difficulty"}
    assert [d["id"] for d in data] == ["q1", "q2", "q3"]
    assert all(fields <= set(d) for d in data)
    assert data[2]["answer"] is True and data[2]["choices"] == []


def test_quiz_export_refuses_invalid_content(
    capsys: pytest.CaptureFixture[str], write_tree: WriteTree
) -> None:
    root = write_tree(quiz=DEMO_QUIZ.replace("answer: 手段", "answer: 方法"))
    code, out, err = run(capsys, "quiz", "export", "--content-dir", str(root))
    assert code == 1 and out == ""
    assert "quiz.yaml:" in err


def test_content_dir_defaults_to_the_working_directory(
    capsys: pytest.CaptureFixture[str], write_tree: WriteTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree()
    monkeypatch.chdir(root.parent)
    code, out, _ = run(capsys, "content", "toc")
    assert code == 0 and out.startswith("デモ文書")


def test_unknown_document(capsys: pytest.CaptureFixture[str], write_tree: WriteTree) -> None:
    code, _, err = run(
        capsys, "content", "toc", "--doc", "nope", "--content-dir", str(write_tree())
    )
    assert code == 1 and "nope" in err and "demo" in err


# --- quiz generate ---------------------------------------------------------------------------


def test_generate_prints_cloze_questions_that_validate(
    capsys: pytest.CaptureFixture[str], write_tree: WriteTree
) -> None:
    root = write_tree(quiz=None)
    code, out, err = run(capsys, "quiz", "generate", "--doc", "demo", "--content-dir", str(root))
    assert code == 0 and "2 問" in err
    data = yaml.safe_load(out)
    assert data["document"] == "demo"
    assert {q["answer"] for q in data["questions"]} == {"地位協定", "抑止"}
    for q in data["questions"]:
        assert q["type"] == "cloze" and q["generated"] is True
        assert CLOZE_BLANK in q["prompt"] and q["answer"] in q["evidence"]
    (root / "demo" / "quiz.yaml").write_text(out, encoding="utf-8")
    library = load_library(root)
    assert all(q.generated for q in library.questions["demo"])


def test_generate_writes_a_file_and_skips_questions_the_bank_already_asks(
    capsys: pytest.CaptureFixture[str], write_tree: WriteTree
) -> None:
    root = write_tree()
    out_file = root / "demo" / "quiz-generated.yaml"
    argv = ["quiz", "generate", "--doc", "demo", "--content-dir", str(root), "--out", str(out_file)]
    code, _, _ = run(capsys, *argv)
    assert code == 0
    # The hand bank's q2 already blanks 地位協定 in that sentence.
    assert [q["answer"] for q in yaml.safe_load(out_file.read_text("utf-8"))["questions"]] == [
        "抑止"
    ]
    assert read_library(root)[1] == []
    code, _, err = run(capsys, *argv)
    assert code == 1 and "--force" in err
    code, _, _ = run(capsys, *argv, "--force")
    assert code == 0 and read_library(root)[1] == []


def test_generate_needs_a_glossary(
    capsys: pytest.CaptureFixture[str], write_tree: WriteTree
) -> None:
    root = write_tree(glossary=None)
    code, _, err = run(capsys, "quiz", "generate", "--doc", "demo", "--content-dir", str(root))
    assert code == 1 and "glossary" in err


def test_generated_bank_for_the_paper_validates(tmp_path: Path) -> None:
    library = read_library(CONTENT)[0]
    terms = library.glossary.get("nd-2025-05", ())
    if not terms:
        pytest.skip("the paper has no glossary yet")
    root = tmp_path / "content"
    shutil.copytree(CONTENT / "nd-2025-05", root / "nd-2025-05")
    assert (
        main(
            [
                "quiz",
                "generate",
                "--doc",
                "nd-2025-05",
                "--content-dir",
                str(root),
                "--out",
                str(root / "nd-2025-05" / "quiz-generated.yaml"),
            ]
        )
        == 0
    )
    problems = read_library(root)[1]
    assert problems == [], "\n".join(map(str, problems))
    generated = [q for q in read_library(root)[0].questions["nd-2025-05"] if q.generated]
    assert len(generated) >= len(terms) // 2


def test_sentences_split_at_the_full_stop_and_keep_closing_brackets() -> None:
    text = "「それを手放したいならどうぞ。」と、自信をもって切り返してよい。次の文。\n\n段落。"
    assert list(sentences(text)) == [
        "「それを手放したいならどうぞ。」",
        "と、自信をもって切り返してよい。",
        "次の文。",
        "段落。",
    ]


def test_generate_cloze_directly(paper: Document) -> None:
    from bot.content.models import GlossaryTerm

    term = GlossaryTerm("ＳＡＣＯ", "さこ", "日米沖縄特別委員会。", ("2.3",), aliases=("SACO",))
    (question,) = generate_cloze(paper, [term])
    assert question.sections == ("2.3.1",)
    # A width variant of the answer is no alternative: answers are compared after NFKC anyway.
    assert question.answer == "ＳＡＣＯ" and question.alternatives == ()
    assert question.prompt.replace(CLOZE_BLANK, "ＳＡＣＯ") == question.evidence
