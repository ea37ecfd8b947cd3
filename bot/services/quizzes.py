"""The quiz engine: solo and group quizzes, tolerant answer matching, points and reveals.

Solo: one person, ephemeral, their own pace; each answer is graded at once.
Group: the question is posted to the channel; each member answers once; the result is
revealed when the timer ends or when everyone present has answered, by editing the
question message in place, and the next question follows.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.content.models import Document, Question
from bot.content.normalize import answer_key, nfkc
from bot.core.actions import make_action
from bot.core.catalog import Catalog
from bot.core.clock import Clock
from bot.core.commands import MAX_QUIZ_COUNT
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Button, ButtonStyle, Citation, Field, Reply, Tone, error_reply
from bot.core.transport import Delivery
from bot.storage.interface import QuizStore
from bot.storage.records import QuizSession, Round

log = logging.getLogger(__name__)

SOLO_WORDS = frozenset({"solo", "ソロ", "そろ", "ひとり", "一人", "個人"})
# An explicit count: `count=5`, `n=5` or `5問` (a bare number may be a section).
_NAMED_COUNT = re.compile(r"(?:count|n)=(\d+)|(\d+)問")
GROUP_WORDS = frozenset({"group", "グループ", "ぐるーぷ", "みんな", "全員"})


class Outbox(Protocol):
    """Messages the quiz engine sends by itself (reveals, the next group question)."""

    async def send(self, channel: ChannelKey, reply: Reply) -> Delivery | None: ...

    async def edit(self, channel: ChannelKey, message_id: str, reply: Reply) -> None: ...


@dataclass(frozen=True)
class QuizRequest:
    ref: str
    count: int | None
    mode: str | None


class QuizArgumentError(ValueError):
    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def parse_quiz_args(args: str) -> QuizRequest:
    """`[REF] [COUNT] [solo|group]` in any order of count and mode; REF is the rest."""
    mode: str | None = None
    count: int | None = None
    rest: list[str] = []
    tokens = nfkc(args).split()
    for i, token in enumerate(tokens):
        low = token.casefold()
        named = _NAMED_COUNT.fullmatch(low)
        if named:
            count = int(named.group(1) or named.group(2))
        elif low in SOLO_WORDS:
            mode = "solo"
        elif low in GROUP_WORDS:
            mode = "group"
        elif token.isdigit() and count is None and (rest or (i == len(tokens) - 1 and i > 0)):
            count = int(token)
        else:
            rest.append(token)
    if count is None and len(rest) >= 2 and rest[-1].isdigit():
        count = int(rest.pop())
    if count is not None and not 1 <= count <= MAX_QUIZ_COUNT:
        raise QuizArgumentError("quiz.error.count", max=MAX_QUIZ_COUNT)
    return QuizRequest(" ".join(rest), count, mode)


def is_correct(question: Question, response: str) -> bool:
    """Whole-answer comparison after normalization; never a substring of a longer word."""
    given = answer_key(response)
    if not given:
        return False
    accepted = (question.answer, *question.alternatives)
    return any(given == answer_key(a) for a in accepted)


class QuizService:
    def __init__(
        self,
        *,
        repo: QuizStore,
        catalog: Catalog,
        clock: Clock,
        outbox: Outbox,
        points: int,
        speed_bonus_max: int,
        timer_seconds: int,
        default_count: int,
    ) -> None:
        self._repo = repo
        self._catalog = catalog
        self._clock = clock
        self._outbox = outbox
        self._points = points
        self._bonus = speed_bonus_max
        self._timer = timedelta(seconds=timer_seconds)
        self._default_count = default_count

    def t(self, key: str, lang: str, **values: object) -> str:
        return self._catalog.text(key, lang, **values)

    # Starting -----------------------------------------------------------------------------

    def pick_questions(
        self,
        channel: ChannelKey,
        bank: Sequence[Question],
        section_ids: set[str] | None,
        count: int,
        salt: str,
    ) -> list[Question]:
        """The least-asked questions first in this channel; ties broken by a per-quiz shuffle."""
        pool = [q for q in bank if section_ids is None or section_ids & set(q.sections)]
        asked = self._repo.times_asked(channel)

        def key(q: Question) -> tuple[int, str]:
            digest = hashlib.sha256(f"{salt}:{q.id}".encode()).hexdigest()
            return asked.get(q.id, 0), digest

        return sorted(pool, key=key)[:count]

    def start(
        self,
        incoming: Incoming,
        lang: str,
        document: Document,
        questions: list[Question],
        mode: str,
    ) -> Reply:
        now = self._clock.now()
        channel = incoming.channel
        if mode == "group" and self._repo.open_group_session(channel) is not None:
            return error_reply(self.t("quiz.error.group_running", lang))
        deadline = now + self._timer if mode == "group" else None
        session = self._repo.create_session(
            channel,
            incoming.user,
            mode,
            document.id,
            [q.id for q in questions],
            lang,
            now,
            deadline,
        )
        log.info(
            "quiz %s started in %s by %s (%s, %d)",
            session.id,
            channel,
            incoming.user,
            mode,
            len(questions),
        )
        question_reply = self.question_reply(session, 0, questions[0], document, lang)
        if mode == "solo":
            return question_reply
        intro = Reply(
            blocks=(
                self.t(
                    "quiz.group_started",
                    lang,
                    count=len(questions),
                    seconds=int(self._timer.total_seconds()),
                ),
            ),
            ephemeral=True,
            tone=Tone.INFO,
        )
        return Reply(
            blocks=intro.blocks, ephemeral=True, followups=(question_reply,), tone=Tone.INFO
        )

    def question_reply(
        self, session: QuizSession, no: int, question: Question, document: Document, lang: str
    ) -> Reply:
        section = document.section(question.sections[0])
        head = f"{section.label} {section.title}" if section else ""
        title = self.t("quiz.question_title", lang, no=no + 1, total=session.total, section=head)
        buttons: list[Button] = []
        blocks = [question.prompt]
        if question.type == "choice":
            lines = [f"{i + 1}. {c}" for i, c in enumerate(question.choices)]
            blocks.append("\n".join(lines))
            buttons = [
                # The choices are listed in the text; a button carries only its number, so
                # long choices are never truncated on platforms with short button labels.
                Button(make_action("quiz", session.id, no, i), str(i + 1), ButtonStyle.PRIMARY)
                for i in range(len(question.choices))
            ]
        elif question.type == "truefalse":
            buttons = [
                Button(
                    make_action("quiz", session.id, no, 0),
                    self.t("quiz.true", lang),
                    ButtonStyle.SUCCESS,
                ),
                Button(
                    make_action("quiz", session.id, no, 1),
                    self.t("quiz.false", lang),
                    ButtonStyle.DANGER,
                ),
            ]
        else:
            blocks.append(self.t("quiz.cloze_hint", lang))
        if session.mode == "group":
            blocks.append(self.t("quiz.group_hint", lang, seconds=int(self._timer.total_seconds())))
        return Reply(
            title=title,
            blocks=tuple(blocks),
            buttons=tuple(buttons),
            footer=self.t(
                "quiz.footer", lang, difficulty="★" * question.difficulty, id=question.id
            ),
            tone=Tone.QUIZ,
            ephemeral=session.mode == "solo",
            track=f"quiz:{session.id}:{no}" if session.mode == "group" else None,
            awaits_answer=question.type == "cloze",
        )

    async def delivered(self, track: str, delivery: Delivery) -> None:
        _, session_id, no = track.split(":")
        self._repo.set_message_id(int(session_id), int(no), delivery.message_id)

    # Answering ----------------------------------------------------------------------------

    def response_text(self, question: Question, choice: int, lang: str) -> str | None:
        if question.type == "choice":
            return question.choices[choice] if 0 <= choice < len(question.choices) else None
        if question.type == "truefalse":
            return {0: "true", 1: "false"}.get(choice)
        return None

    async def answer(
        self,
        incoming: Incoming,
        lang: str,
        session: QuizSession,
        no: int,
        response: str,
        question: Question,
        document: Document,
        questions: dict[str, Question],
    ) -> Reply:
        now = self._clock.now()
        current = self._repo.round(session.id, no)
        if session.state != "open" or current is None or current.revealed_at is not None:
            return error_reply(self.t("quiz.error.closed", lang))
        if session.mode == "solo" and incoming.user != session.starter:
            return error_reply(self.t("quiz.error.not_yours", lang))
        if question.type == "truefalse":
            correct = response == question.answer
        else:
            correct = is_correct(question, response)
        points = self._points_for(session, current, now) if correct else 0
        recorded = self._repo.record_answer(
            session, no, incoming.user, incoming.user_name, response, correct, points, now
        )
        if not recorded:
            previous = self._repo.answer_of(session.id, no, incoming.user)
            if previous is not None:
                return error_reply(self.t("quiz.error.already_answered", lang))
            return error_reply(self.t("quiz.error.closed", lang))
        if session.mode == "solo":
            return await self._solo_feedback(
                session, no, question, document, questions, correct, points, response, lang
            )
        ack = Reply(
            blocks=(self.t("quiz.answer_received", lang),),
            ephemeral=True,
            tone=Tone.INFO,
        )
        # "Everyone present" is everyone who has played this quiz: a chat bot cannot see who
        # is watching, so the first question runs its full timer for people to join, and
        # later ones close as soon as every player so far has answered.
        players = self._repo.players(session.id, before=no)
        answered = {a.user for a in self._repo.answers(session.id, no)}
        if (
            players
            and players <= answered
            and await self.reveal(session.id, no, document, questions)
        ):
            return Reply(blocks=(self.t("quiz.answer_received_all", lang),), ephemeral=True)
        return ack

    def _points_for(self, session: QuizSession, current: Round, now: datetime) -> int:
        if session.mode != "group" or current.deadline is None or self._bonus == 0:
            return self._points
        left = (current.deadline - now).total_seconds()
        share = max(0.0, min(1.0, left / self._timer.total_seconds()))
        return self._points + round(self._bonus * share)

    def _answer_text(self, question: Question, lang: str) -> str:
        if question.type == "truefalse":
            return self.t("quiz.true" if question.answer == "true" else "quiz.false", lang)
        if question.type == "choice":
            return f"{question.choices.index(question.answer) + 1}. {question.answer}"
        return question.answer

    def _explain(
        self, question: Question, document: Document, lang: str
    ) -> tuple[list[str], Citation | None]:
        section = next(
            (
                s
                for sid in question.sections
                if (s := document.section(sid)) is not None
                and nfkc(question.evidence) in nfkc(s.text)
            ),
            document.section(question.sections[0]),
        )
        blocks = [
            self.t("quiz.correct_answer", lang, answer=self._answer_text(question, lang)),
            question.explanation,
            self.t(
                "quiz.evidence",
                lang,
                quote=question.evidence,
                label=section.label if section else "",
            ),
        ]
        citation = Citation(section.label, section.title, document.title) if section else None
        return blocks, citation

    async def _solo_feedback(
        self,
        session: QuizSession,
        no: int,
        question: Question,
        document: Document,
        questions: dict[str, Question],
        correct: bool,
        points: int,
        response: str,
        lang: str,
    ) -> Reply:
        now = self._clock.now()
        self._repo.claim_reveal(session.id, no, now)
        blocks, citation = self._explain(question, document, lang)
        if not correct and question.type == "cloze":
            blocks.insert(0, self.t("quiz.your_answer", lang, answer=response))
        title = (
            self.t("quiz.solo_correct", lang, no=no + 1, points=points)
            if correct
            else self.t("quiz.solo_wrong", lang, no=no + 1)
        )
        followups: tuple[Reply, ...] = ()
        if no + 1 < session.total:
            next_q = questions[session.question_ids[no + 1]]
            self._repo.open_next_round(session.id, no + 1, next_q.id, now, None)
            followups = (self.question_reply(session, no + 1, next_q, document, lang),)
        else:
            self._repo.finish_session(session.id)
            followups = (self._summary(session, lang, ephemeral=True),)
        return Reply(
            title=title,
            blocks=tuple(blocks),
            citation=citation,
            tone=Tone.SUCCESS if correct else Tone.WARNING,
            ephemeral=True,
            replace=question.type != "cloze",
            followups=followups,
        )

    def _summary(self, session: QuizSession, lang: str, *, ephemeral: bool) -> Reply:
        results = self._repo.session_results(session.id)
        if session.mode == "solo":
            mine = next((r for r in results if r.user == session.starter), None)
            correct = mine.correct if mine else 0
            points = mine.points if mine else 0
            return Reply(
                title=self.t("quiz.summary_title", lang),
                blocks=(
                    self.t(
                        "quiz.summary_solo",
                        lang,
                        correct=correct,
                        total=session.total,
                        points=points,
                    ),
                    self.t("quiz.summary_next", lang),
                ),
                tone=Tone.SUCCESS,
                ephemeral=ephemeral,
            )
        lines = [
            self.t(
                "quiz.summary_line",
                lang,
                rank=i + 1,
                name=r.user_name,
                points=r.points,
                correct=r.correct,
                total=session.total,
            )
            for i, r in enumerate(results[:10])
        ]
        return Reply(
            title=self.t("quiz.summary_title", lang),
            blocks=(
                "\n".join(lines) if lines else self.t("quiz.summary_nobody", lang),
                self.t("quiz.summary_next", lang),
            ),
            tone=Tone.SUCCESS,
            ephemeral=ephemeral,
        )

    # Revealing ----------------------------------------------------------------------------

    def reveal_reply(
        self, session: QuizSession, no: int, question: Question, document: Document
    ) -> Reply:
        lang = session.language
        blocks, citation = self._explain(question, document, lang)
        answers = self._repo.answers(session.id, no)
        winners = [a for a in answers if a.correct]
        if winners:
            names = "\n".join(
                self.t("quiz.winner_line", lang, name=a.user_name, points=a.points) for a in winners
            )
        else:
            names = self.t("quiz.nobody_correct", lang)
        fields = (
            Field(self.t("quiz.field_correct", lang, n=len(winners), total=len(answers)), names),
        )
        return Reply(
            title=self.t("quiz.reveal_title", lang, no=no + 1, total=session.total),
            blocks=(question.prompt, *blocks),
            fields=fields,
            citation=citation,
            tone=Tone.QUIZ,
            replace=True,
        )

    async def reveal(
        self,
        session_id: int,
        no: int,
        document: Document,
        questions: dict[str, Question],
        *,
        last: bool = False,
    ) -> bool:
        """Reveal a group round once (whoever calls first wins), then open the next one
        (unless `last`: the quiz is being stopped)."""
        now = self._clock.now()
        if not self._repo.claim_reveal(session_id, no, now):
            return False
        session = self._repo.session(session_id)
        current = self._repo.round(session_id, no)
        if session is None or current is None:
            return False
        question = questions.get(current.question_id)
        if question is None:
            log.warning(
                "quiz %s: question %s vanished from the bank", session_id, current.question_id
            )
            self._repo.finish_session(session_id)
            return False
        reveal = self.reveal_reply(session, no, question, document)
        if current.message_id:
            await self._outbox.edit(session.channel, current.message_id, reveal)
        else:
            await self._outbox.send(session.channel, reveal)
        if no + 1 < session.total and not last:
            next_q = questions.get(session.question_ids[no + 1])
            if next_q is not None:
                self._repo.open_next_round(session_id, no + 1, next_q.id, now, now + self._timer)
                message = self.question_reply(session, no + 1, next_q, document, session.language)
                delivery = await self._outbox.send(session.channel, message)
                if delivery is not None:
                    self._repo.set_message_id(session_id, no + 1, delivery.message_id)
                return True
        self._repo.finish_session(session_id)
        await self._outbox.send(
            session.channel, self._summary(session, session.language, ephemeral=False)
        )
        return True

    async def stop(
        self, session: QuizSession, document: Document, questions: dict[str, Question]
    ) -> Reply:
        """End a quiz early: a group quiz reveals the open question and posts the results."""
        lang = session.language
        if session.mode == "group":
            if not await self.reveal(session.id, session.current, document, questions, last=True):
                # The round was revealed already (its timer won the race): just close the quiz.
                self._repo.finish_session(session.id)
                await self._outbox.send(
                    session.channel, self._summary(session, lang, ephemeral=False)
                )
            return Reply(blocks=(self.t("quiz.stopped", lang),), ephemeral=True, tone=Tone.INFO)
        self._repo.finish_session(session.id)
        return self._summary(session, lang, ephemeral=True)

    def due(self) -> list[Round]:
        return self._repo.due_rounds(self._clock.now())

    def next_deadline(self) -> datetime | None:
        return self._repo.next_deadline()
