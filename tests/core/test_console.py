"""Scripted console sessions: what a new user sees, in Japanese, for every command."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.content.models import Library
from bot.core.reply import Reply
from bot.core.router import Router

REPO = Path(__file__).resolve().parents[2]


async def run_console(core: Router, script: str, user: str = "hanako") -> str:
    out = io.StringIO()
    adapter = ConsoleAdapter(core, channel="console", user=user, out=out)
    await adapter.run_script(io.StringIO(script))
    return out.getvalue()


def test_done_when_session_as_a_subprocess(tmp_path: Path) -> None:
    """The issue's acceptance script, through the installed `studybot` entry point."""
    script = "/toc\n/section 第二部三(一)\n/search 抑止\n/quiz 1.3 3 solo\n1\n2\n1\n/score\n"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[bot]\ndata_dir = "{tmp_path / "data"}"\ncontent_dir = "{REPO / "content"}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "SLACK"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--config", str(config)],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "目次" in out and "第２部 ５ 米中対立と外交のチャンス" in out
    assert "第２部 ３（１） 地位協定改定のチャンス" in out
    assert "地位協定は「維持経費は米側負担」と定めている。" in out
    assert "「抑止」の検索結果" in out and "【抑止】" in out
    assert out.count("第1問／3問") >= 1 and "第3問／3問" in out
    graded = out.count("正解！") + out.count("不正解")
    assert graded == 3
    assert out.count("本文より") == 3  # every answer is explained with a quote from the paper
    assert "クイズ終了" in out
    assert "さんの成績" in out and "得点" in out
    assert "Traceback" not in out + result.stderr


async def test_section_navigation_and_paging(core: Router) -> None:
    out = await run_console(core, "/section 1.3.2\n1\n")
    # 1.3.2 has no text of its own: it lists its subsections; button 1 is "previous".
    assert "① 台湾有事への戦略" in out
    assert "第１部 ３（１） 国家目標・政治・軍事" in out.split("─" * 40)[-1]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/nosuch", "「nosuch」というコマンドはありません。"),
        ("/section", "節を指定してください。"),
        ("/section 9.9", "「9.9」に当たる節は見つかりませんでした。"),
        ("/search", "検索する語を指定してください。"),
        ("/search 存在しない語ですよ", "本文に見つかりませんでした"),
        ("/quiz 1.3 99", "問題数は1〜10で指定してください。"),
        ("/quiz 9.9", "「9.9」に当たる節が見つかりません。"),
        ("/answer 地位協定", "いま答えられる穴埋め問題はありません。"),
        ("/answer", "答えを入力してください。"),
        ("/glossary 存在しない用語", "用語集にありません"),
        ("/excerpt yesterday", "「yesterday」は指定できません。"),
        ("/language fr", "「fr」には対応していません。"),
        ("7", "このボタンはもう使えません。"),
    ],
)
async def test_every_error_path_gets_a_precise_message(
    core: Router, line: str, expected: str
) -> None:
    out = await run_console(core, line + "\n")
    assert expected in out
    assert "Traceback" not in out


async def test_help_lists_every_command(core: Router) -> None:
    out = await run_console(core, "/help\n")
    for name in (
        "help",
        "toc",
        "section",
        "search",
        "glossary",
        "excerpt",
        "quiz",
        "answer",
        "score",
        "leaderboard",
        "schedule",
        "language",
    ):
        assert f"/{name}" in out


async def test_glossary_by_term_reading_and_width_variant(core: Router, library: Library) -> None:
    terms = library.glossary["nd-2025-05"]
    sample = next(t for t in terms if t.term == "地位協定")
    out = await run_console(core, f"/glossary {sample.reading}\n/glossary SACO\n/glossary\n")
    assert sample.definition in out
    assert "ＳＡＣＯ" in out
    assert f"用語集（{len(terms)}語）" in out


async def test_excerpt_today_then_next_advances(core: Router) -> None:
    out = await run_console(core, "/excerpt\n/excerpt next\n/excerpt next\n/excerpt\n")
    titles = [line for line in out.splitlines() if line.startswith("📖 今日の抜粋")]
    assert [t.split("日目")[0][-1] for t in titles] == ["1", "1", "2", "2"]
    assert "💬 話し合ってみよう" in out


async def test_english_channel(core: Router) -> None:
    out = await run_console(core, "/language en\n/section 2.3.1\n/score\n")
    assert "This channel now uses English." in out
    assert "Section 2.3.1" in out
    assert "You have not answered any quiz yet." in out


async def test_a_typed_line_answers_a_fill_in_the_blank_question(core: Router) -> None:
    out = io.StringIO()
    adapter = ConsoleAdapter(core, channel="console", user="hanako", out=out)
    question = Reply(title="Q", blocks=("＿＿＿",), awaits_answer=True, ephemeral=True)
    adapter.transport.show(adapter.channel, question, "ja")
    incoming = adapter.to_incoming("1978")
    assert incoming is not None and (incoming.command, incoming.args) == ("answer", "1978")
    # Only the next line: after it, a number presses buttons again and text is a command.
    follow = adapter.to_incoming("toc")
    assert follow is not None and follow.command == "toc"


async def test_a_subscribed_channel_reads_its_subscriptions_plan(core: Router) -> None:
    """`excerpt next` follows the subscription's end-of-paper choice (loop starts over)."""
    from bot.services.excerpts import build_plan

    total = len(build_plan(core.document))
    script = "/schedule set 07:00 Asia/Tokyo loop\n" + "/excerpt next\n" * (total + 1)
    out = await run_console(core, script)
    days = [
        line.split("日目")[0].split("（")[-1]
        for line in out.splitlines()
        if line.startswith("📖 今日の抜粋")
    ]
    assert days == [str(d) for d in range(1, total + 1)] + ["1"]
    stop = await run_console(core, "/schedule set noloop\n" + "/excerpt next\n" * (total + 1))
    assert "読み終えました" in stop
