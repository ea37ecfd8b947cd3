"""Validation: every problem is reported as FILE:LINE: message, all at once, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from content_samples import DEMO_DOCUMENT, DEMO_GLOSSARY, DEMO_PROMPTS, DEMO_QUIZ, WriteTree

from bot.content.cli import main
from bot.content.loader import ContentError, Problem, load_library, read_library

CONTENT = Path(__file__).resolve().parents[2] / "content"


def problems_of(root: Path) -> list[Problem]:
    return read_library(root)[1]


def keys(problems: list[Problem]) -> list[str]:
    return [p.key.removeprefix("content.problem.") for p in problems]


def only(problems: list[Problem], key: str) -> Problem:
    assert keys(problems) == [key], [str(p) for p in problems]
    return problems[0]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_committed_content_is_valid() -> None:
    problems = problems_of(CONTENT)
    assert problems == [], "\n".join(str(p) for p in problems)


def test_demo_tree_is_valid_and_maps_to_the_models(write_tree: WriteTree) -> None:
    library = load_library(write_tree())
    document = library.documents["demo"]
    assert [s.id for s in document.sections] == ["1", "1.1", "1.2"]
    assert document.sections[1].where is not None
    assert document.sections[1].where.line == line_of(DEMO_DOCUMENT, 'id: "1.1"')
    q1, q2, q3 = library.questions["demo"]
    assert q1.choices == ("目的", "手段", "負担", "理念") and q1.difficulty == 2
    assert (q2.answer, q2.alternatives) == ("地位協定", ("日米地位協定",))
    assert (q3.answer, q3.choices) == ("true", ())
    assert q3.where is not None and q3.where.line == line_of(DEMO_QUIZ, "id: q3")
    term = library.glossary["demo"][0]
    assert (term.term, term.english, term.aliases) == (
        "地位協定",
        "Status of Forces Agreement",
        ("日米地位協定",),
    )
    assert [p.section for p in library.prompts["demo"]] == ["1.1", "1.2"]


def test_quiz_glossary_and_prompts_are_optional(write_tree: WriteTree) -> None:
    library = load_library(write_tree(quiz=None, glossary=None, prompts=None))
    assert library.questions["demo"] == ()
    assert library.glossary["demo"] == () and library.prompts["demo"] == ()


def test_problem_prints_as_file_line_message(write_tree: WriteTree) -> None:
    root = write_tree(quiz=DEMO_QUIZ.replace("同盟は目的ではなく、国益", "同盟は目的であり、国益"))
    problem = only(problems_of(root), "evidence_not_found")
    assert problem.path.endswith("demo/quiz.yaml")
    assert problem.line == line_of(DEMO_QUIZ, "evidence: 同盟は")
    assert str(problem) == f"{problem.path}:{problem.line}: {problem.message}"
    assert "1.1" in problem.message
    with pytest.raises(ContentError) as info:
        load_library(root)
    assert info.value.problems == (problem,)


def test_malformed_yaml_is_a_problem_with_a_line(write_tree: WriteTree) -> None:
    broken = DEMO_QUIZ.replace("    type: cloze", "    type: [cloze")
    problem = only(problems_of(write_tree(quiz=broken)), "yaml_syntax")
    assert problem.path.endswith("quiz.yaml")
    assert problem.line >= line_of(broken, "type: [cloze")


def test_all_problems_are_collected_not_just_the_first(write_tree: WriteTree) -> None:
    quiz = DEMO_QUIZ.replace("answer: 手段", "answer: 方法").replace(
        "difficulty: 1", "difficulty: 4"
    )
    document = DEMO_DOCUMENT.replace("label: 第１部 ２", "label: 第１部 ３")
    found = keys(problems_of(write_tree(document=document, quiz=quiz)))
    assert sorted(found) == sorted(
        ["label_mismatch", "answer_not_in_choices", "difficulty", "difficulty"]
    )


# --- document.yaml ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('id: "1.2"', 'id: "1.1"', "duplicate_section"),
        ("label: 第１部 ２", "label: 第１部 ３", "label_mismatch"),
        ("label: 第１部 ２", "label: 付録", "label_unparsable"),
        (
            'title: 地位協定改定のチャンス\n    parent: "1"',
            'title: 地位協定改定のチャンス\n    parent: "2"',
            "parent_mismatch",
        ),
        ('id: "1.2"\n    label: 第１部 ２', 'id: "1.x"\n    label: 第１部 ２', "section_id_format"),
        ('date: "2025-05"', "date: 五月", "bad_date"),
        ("publisher: 出版社\n", "", "missing_field"),
        ("title: デモ文書", "title: ''", "empty_field"),
        ("id: demo", "id: other", "document_id_mismatch"),
        ("language: ja", "language: ja\nlanguages: [ja]", "unknown_key"),
        ("language: ja", "language: ja\nlanguage: en", "duplicate_key"),
        ('id: "1.2"\n    label', "id: 1.2\n    label", "float_id"),
        ("language: ja", "language: ja\nsource: missing.txt", "source_missing"),
    ],
)
def test_document_problems(write_tree: WriteTree, old: str, new: str, key: str) -> None:
    assert old in DEMO_DOCUMENT
    found = keys(problems_of(write_tree(document=DEMO_DOCUMENT.replace(old, new), quiz=None)))
    assert key in found, found


def test_leaf_without_text(write_tree: WriteTree) -> None:
    document = DEMO_DOCUMENT.split("    paragraphs:\n      - 石破")[0]
    problem = only(
        problems_of(write_tree(document=document, quiz=None, glossary=None, prompts=None)),
        "leaf_without_text",
    )
    assert problem.line == line_of(document, 'id: "1.2"')


def test_parent_must_come_first(write_tree: WriteTree) -> None:
    head, rest = DEMO_DOCUMENT.split("sections:\n")
    first, second, third = rest.split("  - id:")[1:]
    reordered = head + "sections:\n" + "".join("  - id:" + s for s in (second, first, third))
    assert "parent_order" in keys(problems_of(write_tree(document=reordered)))


def test_parent_that_does_not_exist(write_tree: WriteTree) -> None:
    document = DEMO_DOCUMENT.replace(
        '  - id: "1"\n    label: 第１部\n    title: 第一の部\n    parent: null\n', ""
    )
    found = keys(problems_of(write_tree(document=document)))
    assert found == ["parent_missing", "parent_missing"], found


def test_a_directory_of_yaml_without_document_yaml(write_tree: WriteTree) -> None:
    root = write_tree()
    (root / "other").mkdir()
    (root / "other" / "quiz.yaml").write_text("document: other\nquestions: []\n", encoding="utf-8")
    problem = only(problems_of(root), "missing_document")
    assert problem.path.endswith("other/document.yaml")


def test_missing_content_dir(tmp_path: Path) -> None:
    only(problems_of(tmp_path / "nowhere"), "content_dir_missing")
    only(problems_of(tmp_path), "no_documents")


# --- quiz.yaml ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            "evidence: 石破首相は日米地位協定",
            "evidence: 石破首相は日米安保条約",
            "evidence_not_found",
        ),
        ("answer: 手段", "answer: 方法", "answer_not_in_choices"),
        ("    answer: 手段\n", "", "missing_field"),
        ("choices: [目的, 手段, 負担, 理念]", "choices: [目的, 手段, 負担]", "choice_count"),
        (
            "choices: [目的, 手段, 負担, 理念]",
            "choices: [目的, 手段, 負担, 手段]",
            "choices_not_distinct",
        ),
        ("answer: true", "answer: はい", "truefalse_answer"),
        ("prompt: 石破首相は日米＿＿＿の改定", "prompt: 石破首相は日米の改定", "cloze_blank"),
        ("answer: 地位協定", "answer: 安保条約", "cloze_answer_not_in_evidence"),
        ("difficulty: 2", "difficulty: 0", "difficulty"),
        ("type: choice", "type: essay", "bad_question_type"),
        ('sections: ["1.2"]', 'sections: ["9.9"]', "unknown_section"),
        ("id: q2", "id: q1", "duplicate_question"),
        ("document: demo", "document: other", "wrong_document"),
        (
            "prompt: 抑止とは反撃の確からしさである。",
            "prompt: 抑止とは反撃の確からしさである。\n    choices: [はい, いいえ]",
            "unexpected_choices",
        ),
        ("difficulty: 2", "difficulty: 2\n    generated: maybe", "not_bool"),
        ("answer: 手段", "answer: [手段]", "not_text"),
        ("questions:", "questions: {}\nextra:", "not_list"),
    ],
)
def test_quiz_problems(write_tree: WriteTree, old: str, new: str, key: str) -> None:
    assert old in DEMO_QUIZ
    found = keys(problems_of(write_tree(quiz=DEMO_QUIZ.replace(old, new, 1))))
    assert key in found, found


def test_a_broken_evidence_quote(write_tree: WriteTree) -> None:
    quiz = DEMO_QUIZ.replace(
        "evidence: 抑止とは、反撃の確からしさである。",
        "evidence: 抑止とは、報復の確からしさである。",
    )
    problem = only(problems_of(write_tree(quiz=quiz)), "evidence_not_found")
    assert problem.line == line_of(quiz, "報復")


def test_evidence_is_compared_after_nfkc(write_tree: WriteTree) -> None:
    quiz = DEMO_QUIZ.replace(
        "evidence: 抑止とは、反撃の確からしさである。",
        "evidence: 日本が防衛費をGDPの3%にしても",
    ).replace(
        "prompt: 抑止とは反撃の確からしさである。", "prompt: 防衛費をGDPの3%にしても満足しない。"
    )
    assert problems_of(write_tree(quiz=quiz)) == []


def test_evidence_may_come_from_a_subsection_of_a_cited_section(write_tree: WriteTree) -> None:
    quiz = DEMO_QUIZ.replace('sections: ["1.2"]', 'sections: ["1"]')
    assert problems_of(write_tree(quiz=quiz)) == []


def test_a_missing_answer(write_tree: WriteTree) -> None:
    quiz = DEMO_QUIZ.replace("    answer: 地位協定\n", "")
    problem = only(problems_of(write_tree(quiz=quiz)), "missing_field")
    assert "answer" in problem.message
    assert problem.line == line_of(quiz, "id: q2")


def _truefalse_bank(true: int, false: int) -> str:
    lines = ["document: demo", "questions:"]
    statements = [
        "抑止とは、反撃の確からしさである。",
        "同盟は目的ではなく、国益達成の手段である。",
    ]
    for n in range(true + false):
        lines += [
            f"  - id: tf{n}",
            '    sections: ["1.1"]',
            "    type: truefalse",
            f"    prompt: 主張その{n}。",
            f"    answer: {'true' if n < true else 'false'}",
            "    explanation: 本文のとおり。",
            f"    evidence: {statements[n % 2]}",
            "    difficulty: 1",
        ]
    return "\n".join(lines) + "\n"


def test_an_unbalanced_truefalse_set(write_tree: WriteTree) -> None:
    bank = _truefalse_bank(true=8, false=3)
    problem = only(problems_of(write_tree(quiz=bank)), "truefalse_unbalanced")
    assert problem.line == line_of(bank, "questions:")
    assert "8" in problem.message and "3" in problem.message


@pytest.mark.parametrize(("true", "false"), [(6, 4), (4, 6), (5, 5), (7, 2)])
def test_balanced_or_small_truefalse_sets_pass(
    write_tree: WriteTree, true: int, false: int
) -> None:
    assert problems_of(write_tree(quiz=_truefalse_bank(true, false))) == []


def test_duplicate_question_same_answer_on_same_evidence(write_tree: WriteTree) -> None:
    extra = """\
  - id: q4
    sections: ["1.1"]
    type: choice
    prompt: 論文は同盟をどう位置づけるか。
    choices: [理念, 目標, 手段, 義務]
    answer: 手段
    explanation: 手段である。
    evidence: 同盟は目的ではなく、国益達成の手段である。
    difficulty: 1
"""
    problem = only(problems_of(write_tree(quiz=DEMO_QUIZ + extra)), "duplicate_answer_evidence")
    assert "q4" in problem.message and "q1" in problem.message


def test_extra_quiz_banks_are_checked_together(write_tree: WriteTree) -> None:
    root = write_tree()
    (root / "demo" / "quiz-extra.yaml").write_text(
        DEMO_QUIZ.split("  - id: q2")[0], encoding="utf-8"
    )
    problem = only(problems_of(root), "duplicate_question")
    assert problem.path.endswith("quiz-extra.yaml")


# --- glossary and prompts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("reading: よくし", "reading: yokushi", "reading_not_kana"),
        (
            'definition: 反撃の確からしさ。\n    sections: ["1.1"]',
            'definition: 反撃の確からしさ。\n    sections: ["1.2"]',
            "term_not_in_section",
        ),
        ('sections: ["1.2"]', 'sections: ["3"]', "unknown_section"),
        ("term: 抑止", "term: 地位協定", "duplicate_term"),
        ("    definition: 反撃の確からしさ。\n", "", "missing_field"),
    ],
)
def test_glossary_problems(write_tree: WriteTree, old: str, new: str, key: str) -> None:
    assert old in DEMO_GLOSSARY
    found = keys(problems_of(write_tree(glossary=DEMO_GLOSSARY.replace(old, new))))
    assert key in found, found


def test_glossary_term_may_occur_through_an_alias_or_width_variant(write_tree: WriteTree) -> None:
    glossary = DEMO_GLOSSARY.replace("term: 地位協定", "term: ＳＯＦＡ").replace(
        "reading: ちいきょうてい", "reading: ソーファ"
    )
    glossary += (
        "  - term: GDP\n    reading: じーでぃーぴー\n    definition: 国内総生産。\n"
        '    sections: ["1.1"]\n'
    )
    assert problems_of(write_tree(glossary=glossary)) == []


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('section: "1.2"', 'section: "4"', "unknown_section"),
        ('section: "1.2"', 'section: "1"', "prompt_not_leaf"),
        ("    text: 地位協定の改定は今がチャンスだろうか。\n", "", "missing_field"),
    ],
)
def test_prompt_problems(write_tree: WriteTree, old: str, new: str, key: str) -> None:
    found = keys(problems_of(write_tree(prompts=DEMO_PROMPTS.replace(old, new))))
    assert key in found, found


# --- the validate command -----------------------------------------------------------------


def test_validate_command_prints_a_summary(
    write_tree: WriteTree, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["content", "validate", "--content-dir", str(write_tree())]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert "文書 1" in out[0] and "節 3" in out[0] and "問題 3" in out[0]
    assert "用語 2" in out[0] and "問い 2" in out[0]


def test_validate_command_prints_problems_and_fails(
    write_tree: WriteTree, capsys: pytest.CaptureFixture[str]
) -> None:
    quiz = DEMO_QUIZ.replace("answer: 手段", "answer: 方法").replace(
        "    type: cloze", "    type: [cloze"
    )
    root = write_tree(
        quiz=quiz, glossary=DEMO_GLOSSARY.replace("reading: よくし", "reading: yokushi")
    )
    assert main(["content", "validate", "--content-dir", str(root)]) == 1
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert len(lines) == 2
    assert all(":" in line and line.split(":")[1].isdigit() for line in lines)
    assert "Traceback" not in captured.out + captured.err
