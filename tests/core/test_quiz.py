"""The quiz engine through the core: solo, group, timers, fairness and concurrency."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.content.models import Library, Question
from bot.core.actions import parse_action
from bot.core.clock import ManualClock
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Reply
from bot.core.router import Router
from bot.core.transport import Delivery
from bot.services.quizzes import is_correct, parse_quiz_args
from bot.storage.database import Database
from bot.storage.quizzes import SqliteQuizStore

CHANNEL = ChannelKey("test", "w1", "c1")


class RecordingTransport:
    """A fake of our own adapter contract: records what the core posts and edits."""

    platform = "test"

    def __init__(self) -> None:
        self.sent: list[Reply] = []
        self.edits: list[tuple[str, Reply]] = []

    async def send(self, channel: ChannelKey, reply: Reply) -> Delivery:
        self.sent.append(reply)
        return Delivery(f"m{len(self.sent)}")

    async def edit(self, channel: ChannelKey, message_id: str, reply: Reply) -> None:
        self.edits.append((message_id, reply))


def cmd(command: str, args: str = "", user: str = "u1", name: str = "Hanako") -> Incoming:
    return Incoming(CHANNEL, user, name, command, args)


def question_of(library: Library, reply: Reply) -> Question:
    qid = reply.footer.rsplit(" ", 1)[-1] if reply.footer else ""
    return next(q for q in library.questions["nd-2025-05"] if q.id == qid)


def right_choice(question: Question) -> int:
    if question.type == "truefalse":
        return 0 if question.answer == "true" else 1
    return question.choices.index(question.answer)


def click(reply: Reply, choice: int, user: str = "u1", name: str = "Hanako") -> Incoming:
    action = parse_action(reply.buttons[0].action_id)
    session, no = action.args[0], action.args[1]
    return cmd("action", f"quiz:{session}:{no}:{choice}", user, name)


def test_parse_quiz_args() -> None:
    assert parse_quiz_args("1.3 3 solo") == parse_quiz_args("solo 1.3 3")
    request = parse_quiz_args("1.3 3 solo")
    assert (request.ref, request.count, request.mode) == ("1.3", 3, "solo")
    assert parse_quiz_args("第２部３（１） ５ グループ").count == 5
    assert parse_quiz_args("第２部３（１） ５ グループ").mode == "group"
    assert parse_quiz_args("").ref == ""
    # A count on its own must be explicit, since a bare number names a part of the paper.
    assert parse_quiz_args("count=5") == parse_quiz_args("5問")
    assert parse_quiz_args("count=5").count == 5 and parse_quiz_args("count=5").ref == ""
    assert parse_quiz_args("1").ref == "1" and parse_quiz_args("1").count is None


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("地位協定", True),
        ("日米地位協定", True),  # a listed alternative
        (" 地位協定。", True),  # surrounding spaces and punctuation
        ("「地位協定」", True),
        ("協定", False),  # a substring is not the answer
        ("地位協定改定", False),  # nor is a longer word containing it
        ("", False),
    ],
)
def test_cloze_matching_is_tolerant_but_whole(typed: str, ok: bool) -> None:
    q = Question(
        "x",
        "d",
        ("2.3.1",),
        "cloze",
        "＿＿＿",
        (),
        "地位協定",
        ("日米地位協定",),
        "",
        "地位協定",
        1,
    )
    assert is_correct(q, typed) is ok


def test_width_and_kana_variants_match() -> None:
    q = Question("x", "d", ("2.2",), "cloze", "＿＿＿", (), "18兆円", (), "", "", 1)
    assert is_correct(q, "１８兆円")
    k = Question("x", "d", ("2.1",), "cloze", "＿＿＿", (), "キーン・エッジ", (), "", "", 1)
    assert is_correct(k, "きーん・えっじ")
    assert not is_correct(k, "キーン")
    air = Question("x", "d", ("1",), "cloze", "＿＿＿", (), "air", (), "", "", 1)
    assert not is_correct(air, "chair")
    assert is_correct(air, "ＡＩＲ")


async def test_solo_quiz_grades_explains_and_scores(core: Router, library: Library) -> None:
    first = await core.handle(cmd("quiz", "2.3 2 solo"))
    assert first is not None and first.ephemeral and first.buttons
    q1 = question_of(library, first)
    assert set(q1.sections) & {"2.3", "2.3.1", "2.3.2"}
    feedback = await core.handle(click(first, right_choice(q1)))
    assert feedback is not None and feedback.ephemeral
    assert "正解！" in (feedback.title or "") and "+10点" in (feedback.title or "")
    assert q1.explanation in feedback.blocks
    assert any(q1.evidence in b for b in feedback.blocks)
    second = feedback.followups[0]
    q2 = question_of(library, second)
    wrong = (right_choice(q2) + 1) % (len(q2.choices) or 2)
    feedback2 = await core.handle(click(second, wrong))
    assert feedback2 is not None and "不正解" in (feedback2.title or "")
    assert "クイズ終了" in (feedback2.followups[0].title or "")
    score = await core.handle(cmd("score"))
    assert score is not None
    values = {f.name: f.value for f in score.fields}
    assert values["得点"] == "10" and values["正解数"] == "1 / 2" and values["正答率"] == "50%"


async def test_double_click_is_refused_politely_and_counts_once(
    core: Router, library: Library, clock: ManualClock
) -> None:
    transport = RecordingTransport()
    core.attach(transport)
    start = await core.handle(cmd("quiz", "2.1 1 group"))
    assert start is not None
    question = start.followups[0]
    assert not question.ephemeral and question.track
    await core.delivered(question.track, CHANNEL, Delivery("q-msg"))
    q = question_of(library, question)
    ack = await core.handle(click(question, right_choice(q)))
    assert ack is not None and ack.ephemeral and "受け付けました" in ack.text
    again = await core.handle(click(question, right_choice(q)))
    assert again is not None and again.ephemeral
    assert "もう回答済み" in again.text
    await core.handle(click(question, (right_choice(q) + 1) % 2, user="u2", name="Taro"))
    # The first question runs its whole timer, so everyone watching can join in.
    assert transport.edits == []
    clock.advance(timedelta(seconds=30))
    assert await core.tick() == 1
    assert [m for m, _ in transport.edits] == ["q-msg"]
    reveal = transport.edits[0][1]
    assert "正解者 1人／回答 2人" in reveal.fields[0].name
    assert "Hanako" in reveal.fields[0].value and "Taro" not in reveal.fields[0].value
    board = await core.handle(cmd("leaderboard"))
    assert board is not None and board.text.count("Hanako") == 1
    late = await core.handle(click(question, 0, user="u3", name="Jiro"))
    assert late is not None and "締め切られました" in late.text


async def test_later_questions_close_when_every_player_has_answered(
    core: Router, library: Library, clock: ManualClock
) -> None:
    transport = RecordingTransport()
    core.attach(transport)
    start = await core.handle(cmd("quiz", "2.2 2 group"))
    assert start is not None
    first = start.followups[0]
    await core.delivered(first.track or "", CHANNEL, Delivery("q1"))
    await core.handle(click(first, 0) if first.buttons else cmd("answer", "x"))
    await core.handle(
        click(first, 0, "u2", "Taro") if first.buttons else cmd("answer", "x", "u2", "Taro")
    )
    clock.advance(timedelta(seconds=30))
    assert await core.tick() == 1
    second = transport.sent[-1]
    assert "第2問／2問" in (second.title or "")
    one = await core.handle(click(second, 0) if second.buttons else cmd("answer", "x"))
    assert one is not None and "締め切り後" in one.text  # Taro has not answered yet
    assert len(transport.edits) == 1
    last = await core.handle(
        click(second, 0, "u2", "Taro") if second.buttons else cmd("answer", "x", "u2", "Taro")
    )
    assert last is not None and "全員が回答した" in last.text
    assert len(transport.edits) == 2 and transport.edits[-1][0] == "m1"
    assert "クイズ終了" in (transport.sent[-1].title or "")


async def test_group_timer_reveals_and_speed_bonus(
    core: Router, library: Library, clock: ManualClock
) -> None:
    transport = RecordingTransport()
    core.attach(transport)
    start = await core.handle(cmd("quiz", "1.1 2 group"))
    assert start is not None
    question = start.followups[0]
    await core.delivered(question.track or "", CHANNEL, Delivery("q1"))
    q = question_of(library, question)
    clock.advance(timedelta(seconds=6))  # a fast answer: 24 of 30 seconds left
    await core.handle(click(question, right_choice(q)))
    assert await core.tick() == 0  # time is not up
    clock.advance(timedelta(seconds=25))
    assert await core.tick() == 1
    reveal = transport.edits[0][1]
    assert "Hanako +14点" in reveal.fields[0].value  # 10 points + round(5 * 24/30)
    # The next question was posted by the core itself, and its id recorded for its reveal.
    assert transport.sent and "第2問／2問" in (transport.sent[0].title or "")
    clock.advance(timedelta(seconds=31))
    assert await core.tick() == 1
    assert transport.edits[-1][0] == "m1"
    assert "クイズ終了" in (transport.sent[-1].title or "")
    assert await core.tick() == 0  # nothing is revealed twice


async def test_cloze_answer_by_command(core: Router, library: Library) -> None:
    bank = [q for q in library.questions["nd-2025-05"] if q.type == "cloze"]
    section = bank[0].sections[0]
    # Ask until a cloze question comes up in that section's quiz.
    for _ in range(10):
        reply = await core.handle(cmd("quiz", f"{section} 1 solo"))
        assert reply is not None
        q = question_of(library, reply)
        if q.type == "cloze":
            break
    else:
        pytest.skip("no cloze question drawn")
    assert not reply.buttons and "/answer" in reply.text
    typed = q.alternatives[0] if q.alternatives else q.answer
    feedback = await core.handle(cmd("answer", f" {typed}。"))
    assert feedback is not None and "正解！" in (feedback.title or "")


def test_concurrent_answers_never_lose_or_double_a_point(tmp_path: Path) -> None:
    """40 members answer the same question at once, each twice, through separate connections."""
    path = tmp_path / "db.sqlite3"
    setup = SqliteQuizStore(Database(path))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    session = setup.create_session(CHANNEL, "u0", "group", "d", ["q1"], "ja", now, None)
    errors: list[BaseException] = []
    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(40)

    def member(i: int) -> None:
        try:
            repo = SqliteQuizStore(Database(path))
            barrier.wait()
            for _ in range(2):
                right = i % 2 == 0
                ok = repo.record_answer(
                    session, 0, f"u{i}", f"U{i}", "x", right, 10 if right else 0, now
                )
                with lock:
                    results.append(ok)
        except BaseException as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=member, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results.count(True) == 40 and results.count(False) == 40
    board = setup.leaderboard(CHANNEL, 100)
    assert len(board) == 40
    assert sum(s.points for s in board) == 20 * 10
    assert sum(s.correct for s in board) == 20
    assert all(s.answered == 1 for s in board)


async def test_button_from_another_process_still_works(
    settings: object, library: Library, clock: ManualClock
) -> None:
    """State lives in the store: a new core on the same data dir serves an old button."""
    from bot.app import build_core
    from bot.config import Settings

    assert isinstance(settings, Settings)
    first = build_core(settings, clock=clock, library=library)
    reply = await first.handle(cmd("quiz", "2.2 1 solo"))
    first.close()
    assert reply is not None
    second = build_core(settings, clock=clock, library=library)
    try:
        q = question_of(library, reply)
        feedback = await second.handle(click(reply, right_choice(q)))
        assert feedback is not None and "正解！" in (feedback.title or "")
    finally:
        second.close()


async def test_retried_event_runs_once(core: Router) -> None:
    incoming = dataclasses.replace(cmd("quiz", "1.1 1 solo"), event_id="evt-1")
    assert await core.handle(incoming) is not None
    assert await core.handle(incoming) is None


async def test_quiz_stop_reveals_and_ends_a_group_quiz(core: Router, clock: ManualClock) -> None:
    transport = RecordingTransport()
    core.attach(transport)
    start = await core.handle(cmd("quiz", "1 5 group"))
    assert start is not None
    await core.delivered(start.followups[0].track or "", CHANNEL, Delivery("q1"))
    refused = await core.handle(cmd("quiz", "stop", user="u2", name="Taro"))
    assert refused is not None and "始めた人と管理者だけ" in refused.text
    stopped = await core.handle(cmd("quiz", "stop"))
    assert stopped is not None and "終了しました" in stopped.text
    assert [m for m, _ in transport.edits] == ["q1"]  # the open question shows its answer
    assert "クイズ終了" in (transport.sent[-1].title or "")  # results, and no next question
    clock.advance(timedelta(minutes=5))
    assert await core.tick() == 0
    again = await core.handle(cmd("quiz", "stop"))
    assert again is not None and "終了できるクイズはありません" in again.text
    # A new group quiz may start at once.
    restart = await core.handle(cmd("quiz", "1 1 group"))
    assert restart is not None and restart.followups
