"""The core: one call per platform event. It picks the language, runs one service, and
returns a `Reply`. It imports no platform library; adapters reach it through `CoreApi`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.config import Settings
from bot.content.models import Document, Library, Question
from bot.content.normalize import nfkc
from bot.content.refs import complete_refs, resolve_ref
from bot.core.actions import ActionIdError, make_action, parse_action
from bot.core.api import MAX_SUGGESTIONS, AutocompleteKind, Suggestion
from bot.core.catalog import Catalog, language_of
from bot.core.clock import Clock
from bot.core.commands import COMMAND_NAMES
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Button, ButtonStyle, Field, Reply, Tone, error_reply
from bot.core.transport import Delivery, DeliveryError, Transport
from bot.services.excerpts import build_plan, excerpt_reply
from bot.services.lookups import Lookups, find_terms
from bot.services.quizzes import QuizArgumentError, QuizService, parse_quiz_args
from bot.storage.interface import ChannelSettingsStore, PositionStore, QuizStore, SubscriptionStore

log = logging.getLogger(__name__)

PRESENCE_WINDOW = timedelta(minutes=10)
SUGGESTION_TEXT_MAX = 100


class ScheduleHandler(Protocol):
    async def handle(self, incoming: Incoming, args: str, lang: str) -> Reply: ...


class Timers(Protocol):
    """The daily-post scheduler, as `studybot run` starts and stops it."""

    async def start(self) -> object: ...

    def shutdown(self) -> None: ...


class Router:
    """Implements `bot.core.api.CoreApi`."""

    def __init__(
        self,
        *,
        settings: Settings,
        library: Library,
        catalog: Catalog,
        clock: Clock,
        quiz_repo: QuizStore,
        positions: PositionStore,
        channel_settings: ChannelSettingsStore,
        transports: dict[str, Transport],
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self._on_close = on_close
        self.settings = settings
        self.library = library
        self.catalog = catalog
        self.clock = clock
        self.transports = transports
        self._positions = positions
        self._channel_settings = channel_settings
        self._quiz_repo = quiz_repo
        self._presence: dict[ChannelKey, dict[str, datetime]] = {}
        self.lookups = Lookups(catalog)
        self.schedule: ScheduleHandler | None = None
        self.scheduler: Timers | None = None
        self.subscriptions: SubscriptionStore | None = None
        self.quizzes = QuizService(
            repo=quiz_repo,
            catalog=catalog,
            clock=clock,
            outbox=self,
            presence=self,
            points=settings.quiz.points,
            speed_bonus_max=settings.quiz.speed_bonus_max,
            timer_seconds=settings.quiz.group_timer_seconds,
            default_count=settings.quiz.default_count,
        )
        self.command_prefix: dict[str, str] = {"slack": settings.slack.command + " "}
        self._tick_lock = asyncio.Lock()

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    # CoreApi ------------------------------------------------------------------------------

    def attach(self, transport: Transport) -> None:
        self.transports[transport.platform] = transport

    def language(self, channel: ChannelKey, locale: str | None) -> str:
        return (
            self._channel_settings.language(channel)
            or language_of(locale)
            or self.settings.bot.language
        )

    async def handle(self, incoming: Incoming) -> Reply | None:
        now = self.clock.now()
        if incoming.event_id and not self._channel_settings.first_time(incoming.event_id, now):
            log.info("event %s already handled; ignored", incoming.event_id)
            return None
        self._seen(incoming.channel, incoming.user, now)
        try:
            lang = self.language(incoming.channel, incoming.locale)
        except Exception:
            log.exception("cannot read channel settings for %s", incoming.channel)
            lang = self.settings.bot.language
        try:
            return await self._dispatch(incoming, lang)
        except Exception:
            # Whatever went wrong, the user gets a short message and the log gets the details.
            log.exception(
                "command %r failed in %s for %s",
                incoming.command,
                incoming.channel,
                incoming.user,
            )
            return error_reply(self.catalog.text("error.internal", lang))

    async def delivered(self, track: str, channel: ChannelKey, delivery: Delivery) -> None:
        if track.startswith("quiz:"):
            await self.quizzes.delivered(track, delivery)

    def autocomplete(
        self, kind: AutocompleteKind, prefix: str, locale: str | None = None
    ) -> list[Suggestion]:
        document = self.document
        if kind == "section":
            return [
                Suggestion(_clip(f"{s.label} {s.title}", SUGGESTION_TEXT_MAX), s.id)
                for s in complete_refs(document, prefix, MAX_SUGGESTIONS)
            ]
        terms = self.library.glossary.get(document.id, ())
        found = find_terms(terms, prefix) if prefix.strip() else list(terms)
        return [
            Suggestion(
                _clip(f"{t.term}（{t.reading}）", SUGGESTION_TEXT_MAX),
                _clip(t.term, SUGGESTION_TEXT_MAX),
            )
            for t in found[:MAX_SUGGESTIONS]
        ]

    # Outbox (for the quiz engine) and Presence -------------------------------------------

    async def send(self, channel: ChannelKey, reply: Reply) -> Delivery | None:
        transport = self.transports.get(channel.platform)
        if transport is None:
            log.warning("no adapter for %s; message dropped", channel)
            return None
        try:
            return await transport.send(channel, reply)
        except DeliveryError as e:
            log.warning("cannot post to %s: %s", channel, e)
            return None

    async def edit(self, channel: ChannelKey, message_id: str, reply: Reply) -> None:
        transport = self.transports.get(channel.platform)
        if transport is None:
            log.warning("no adapter for %s; edit dropped", channel)
            return
        try:
            await transport.edit(channel, message_id, reply)
        except DeliveryError as e:
            log.warning("cannot edit %s in %s: %s", message_id, channel, e)

    def present(self, channel: ChannelKey, now: datetime) -> set[str]:
        seen = self._presence.get(channel, {})
        return {user for user, at in seen.items() if now - at <= PRESENCE_WINDOW}

    def _seen(self, channel: ChannelKey, user: str, now: datetime) -> None:
        self._presence.setdefault(channel, {})[user] = now

    # Timers -------------------------------------------------------------------------------

    async def tick(self) -> int:
        """Reveal every group-quiz round whose timer has run out. Returns how many."""
        async with self._tick_lock:
            revealed = 0
            for due in self.quizzes.due():
                session = self._quiz_repo.session(due.session_id)
                if session is None:
                    continue
                document = self.library.document(session.document)
                if document is None:
                    continue
                try:
                    if await self.quizzes.reveal(
                        due.session_id, due.question_no, document, self._questions(document)
                    ):
                        revealed += 1
                except Exception:
                    log.exception("reveal of quiz %s failed", due.session_id)
            return revealed

    async def run_timers(self, poll_seconds: float = 1.0) -> None:
        """Serve quiz timers until cancelled (the service loop of `studybot run`)."""
        while True:
            with contextlib.suppress(Exception):
                await self.tick()
            await asyncio.sleep(poll_seconds)

    # Dispatch -----------------------------------------------------------------------------

    @property
    def document(self) -> Document:
        return self.library.document(self.settings.bot.document) or self.library.default_document

    def _questions(self, document: Document) -> dict[str, Question]:
        return {q.id: q for q in self.library.questions.get(document.id, ())}

    def t(self, key: str, lang: str, **values: object) -> str:
        return self.catalog.text(key, lang, **values)

    async def _dispatch(self, incoming: Incoming, lang: str) -> Reply:
        command = nfkc(incoming.command).strip().lstrip("/").casefold()
        args = incoming.args.strip()
        document = self.document
        if command == "action":
            return await self._action(incoming, args, lang)
        if command == "home":
            return self._home(incoming, lang)
        if command not in COMMAND_NAMES:
            return error_reply(
                self.t("error.unknown_command", lang, command=incoming.command[:50]),
                hint=self.t("error.see_help", lang, prefix=self._prefix(incoming)),
            )
        if command == "help":
            return self.lookups.help(lang, self._prefix(incoming))
        if command == "toc":
            return self.lookups.toc(document, lang)
        if command == "section":
            return self.lookups.section(document, args, lang)
        if command == "search":
            token = self._channel_settings.save_query(args, self.clock.now()) if args else None
            return self.lookups.search(document, args, 1, lang, token)
        if command == "glossary":
            return self.lookups.glossary(
                document, self.library.glossary.get(document.id, ()), args, lang
            )
        if command == "excerpt":
            return self._excerpt(incoming, document, args, lang)
        if command == "quiz":
            return self._start_quiz(incoming, document, args, lang)
        if command == "answer":
            return await self._answer_text(incoming, document, args, lang)
        if command == "score":
            return self._score(incoming, lang)
        if command == "leaderboard":
            return self._leaderboard(incoming, lang)
        if command == "language":
            return self._language(incoming, args, lang)
        # command == "schedule"
        if self.schedule is None:
            return error_reply(self.t("error.schedule_unavailable", lang))
        return await self.schedule.handle(incoming, args, lang)

    def _prefix(self, incoming: Incoming) -> str:
        return self.command_prefix.get(incoming.channel.platform, "/")

    # Excerpts -----------------------------------------------------------------------------

    def _excerpt(self, incoming: Incoming, document: Document, args: str, lang: str) -> Reply:
        which = nfkc(args).strip().casefold()
        if which not in ("", "today", "next", "今日", "きょう", "次", "つぎ"):
            return error_reply(
                self.t("excerpt.error.args", lang, args=args[:50]),
                hint=self.t("excerpt.hint", lang),
            )
        # A subscribed channel reads the plan its daily posts use (size, end, document),
        # so `excerpt` and the morning post always agree on "day 5 of 18".
        reading = self.settings.reading
        low, high, loop = reading.excerpt_min, reading.excerpt_max, reading.at_end == "loop"
        subscription = (
            self.subscriptions.for_channel(incoming.channel) if self.subscriptions else None
        )
        if subscription is not None:
            low, high = subscription.excerpt_min, subscription.excerpt_max
            loop = subscription.at_end == "loop"
            document = self.library.document(subscription.document) or document
        plan = build_plan(document, low, high)
        if not plan.excerpts:
            return error_reply(self.t("excerpt.error.empty", lang))
        position, completed = self._positions.get(incoming.channel, document.id)
        prompts = self.library.prompts.get(document.id, ())
        if which in ("next", "次", "つぎ"):
            if completed and not loop:
                return Reply(
                    blocks=(self.t("excerpt.finished", lang, total=len(plan)),), tone=Tone.SUCCESS
                )
            index = min(position, len(plan) - 1)
            self._positions.advance(
                incoming.channel,
                document.id,
                len(plan),
                loop,
                self.clock.now(),
            )
        else:
            index = max(0, min(position - 1, len(plan) - 1))
        return excerpt_reply(plan.excerpts[index], catalog=self.catalog, lang=lang, prompts=prompts)

    # Quizzes ------------------------------------------------------------------------------

    def _start_quiz(self, incoming: Incoming, document: Document, args: str, lang: str) -> Reply:
        try:
            request = parse_quiz_args(args)
        except QuizArgumentError as e:
            return error_reply(self.t(e.key, lang, **e.values), hint=self.t("quiz.hint", lang))
        bank = self.library.questions.get(document.id, ())
        if not bank:
            return error_reply(self.t("quiz.error.no_questions", lang))
        section_ids: set[str] | None = None
        scope = ""
        if request.ref:
            resolution = resolve_ref(document, request.ref)
            if resolution.section is None:
                options = resolution.candidates or resolution.suggestions
                names = "、".join(f"{s.label}（{s.id}）" for s in options[:5])
                key = "quiz.error.ambiguous" if resolution.candidates else "quiz.error.no_section"
                return error_reply(
                    self.t(key, lang, ref=request.ref, options=names or "—"),
                    hint=self.t("quiz.hint", lang),
                )
            section_ids = {s.id for s in document.subtree(resolution.section.id)}
            scope = resolution.section.label
        count = request.count or self.settings.quiz.default_count
        mode = request.mode or "solo"
        salt = f"{incoming.channel}:{incoming.user}:{self.clock.now().isoformat()}"
        questions = self.quizzes.pick_questions(incoming.channel, bank, section_ids, count, salt)
        if not questions:
            return error_reply(self.t("quiz.error.none_in_section", lang, section=scope))
        return self.quizzes.start(incoming, lang, document, questions, mode)

    async def _answer_text(
        self, incoming: Incoming, document: Document, args: str, lang: str
    ) -> Reply:
        if not args:
            return error_reply(
                self.t("quiz.error.answer_empty", lang), hint=self.t("quiz.cloze_hint", lang)
            )
        questions = self._questions(document)
        for session in (
            self._quiz_repo.open_group_session(incoming.channel),
            self._quiz_repo.open_solo_session(incoming.channel, incoming.user),
        ):
            if session is None:
                continue
            question = questions.get(session.question_ids[session.current])
            if question is not None and question.type == "cloze":
                return await self.quizzes.answer(
                    incoming,
                    session.language,
                    session,
                    session.current,
                    args,
                    question,
                    document,
                    questions,
                )
        return error_reply(self.t("quiz.error.no_cloze", lang), hint=self.t("quiz.hint", lang))

    async def _quiz_click(self, incoming: Incoming, parts: tuple[str, ...], lang: str) -> Reply:
        try:
            session_id, no, choice = (int(p) for p in parts)
        except ValueError:
            return error_reply(self.t("error.stale_button", lang))
        session = self._quiz_repo.session(session_id)
        if session is None or session.channel.platform != incoming.channel.platform:
            return error_reply(self.t("error.stale_button", lang))
        document = self.library.document(session.document)
        if document is None or not 0 <= no < session.total:
            return error_reply(self.t("error.stale_button", lang))
        questions = self._questions(document)
        question = questions.get(session.question_ids[no])
        if question is None:
            return error_reply(self.t("error.stale_button", lang))
        response = self.quizzes.response_text(question, choice, lang)
        if response is None:
            return error_reply(self.t("error.stale_button", lang))
        return await self.quizzes.answer(
            incoming, session.language, session, no, response, question, document, questions
        )

    # Scores -------------------------------------------------------------------------------

    def _score(self, incoming: Incoming, lang: str) -> Reply:
        score, rank = self._quiz_repo.score(incoming.channel, incoming.user)
        if score is None:
            return Reply(blocks=(self.t("score.none", lang),), tone=Tone.INFO, ephemeral=True)
        return Reply(
            title=self.t("score.title", lang, name=incoming.user_name),
            fields=(
                Field(self.t("score.points", lang), str(score.points), inline=True),
                Field(
                    self.t("score.correct", lang),
                    f"{score.correct} / {score.answered}",
                    inline=True,
                ),
                Field(self.t("score.accuracy", lang), f"{score.accuracy:.0%}", inline=True),
                Field(self.t("score.rank", lang), str(rank), inline=True),
            ),
            tone=Tone.INFO,
            ephemeral=True,
        )

    def _leaderboard(self, incoming: Incoming, lang: str) -> Reply:
        scores = self._quiz_repo.leaderboard(incoming.channel, 10)
        if not scores:
            return Reply(blocks=(self.t("leaderboard.empty", lang),), tone=Tone.INFO)
        medals = ("🥇", "🥈", "🥉")
        lines = [
            self.t(
                "leaderboard.line",
                lang,
                rank=medals[i] if i < 3 else f"{i + 1}.",
                name=s.user_name,
                points=s.points,
                correct=s.correct,
                answered=s.answered,
                accuracy=f"{s.accuracy:.0%}",
            )
            for i, s in enumerate(scores)
        ]
        return Reply(
            title=self.t("leaderboard.title", lang),
            blocks=("\n".join(lines),),
            tone=Tone.INFO,
        )

    # Settings -----------------------------------------------------------------------------

    def _language(self, incoming: Incoming, args: str, lang: str) -> Reply:
        wanted = nfkc(args).strip().casefold()
        if not wanted:
            return Reply(blocks=(self.t("language.current", lang, language=lang),), ephemeral=True)
        aliases = {
            "ja": "ja",
            "日本語": "ja",
            "japanese": "ja",
            "en": "en",
            "english": "en",
            "英語": "en",
        }
        if wanted not in aliases:
            return error_reply(self.t("language.error", lang, language=args[:20]))
        if not incoming.is_admin:
            return error_reply(self.t("error.admin_only", lang))
        new = aliases[wanted]
        self._channel_settings.set_language(incoming.channel, new, incoming.user, self.clock.now())
        return Reply(blocks=(self.t("language.set", new, language=new),), tone=Tone.SUCCESS)

    # Buttons ------------------------------------------------------------------------------

    async def _action(self, incoming: Incoming, action_id: str, lang: str) -> Reply:
        try:
            action = parse_action(action_id)
        except ActionIdError:
            return error_reply(self.t("error.stale_button", lang))
        document = self.document
        if action.kind == "quiz" and len(action.args) == 3:
            return await self._quiz_click(incoming, action.args, lang)
        if action.kind == "nav" and len(action.args) == 2:
            doc = self.library.document(action.args[0])
            section = doc.section(action.args[1]) if doc else None
            if doc is None or section is None:
                return error_reply(self.t("error.stale_button", lang))
            return self.lookups.show_section(doc, section, 1, lang)
        if action.kind == "page" and len(action.args) == 3:
            view, arg, page_text = action.args
            if not page_text.isdigit():
                return error_reply(self.t("error.stale_button", lang))
            page = int(page_text)
            if view == "section":
                section = document.section(arg)
                if section is None:
                    return error_reply(self.t("error.stale_button", lang))
                return _replacing(self.lookups.show_section(document, section, page, lang))
            if view == "search":
                query = self._channel_settings.query(arg)
                if query is None:
                    return error_reply(self.t("error.stale_button", lang))
                return _replacing(self.lookups.search(document, query, page, lang, arg))
        if action.kind == "home" and action.args:
            if action.args[0] == "quiz":
                return self._start_quiz(incoming, document, "solo", lang)
            if action.args[0] == "excerpt":
                # App Home has no channel of its own: show where the workspace's group reads.
                reading = self._positions.channels(
                    incoming.channel.platform, incoming.channel.workspace, document.id
                )
                source = reading[0] if reading else incoming.channel
                return self._excerpt(
                    dataclasses.replace(incoming, channel=source), document, "", lang
                )
        return error_reply(self.t("error.stale_button", lang))

    # App Home -----------------------------------------------------------------------------

    def _home(self, incoming: Incoming, lang: str) -> Reply:
        """A personal overview (Slack's App Home): progress, score, the top 5."""
        platform, workspace = incoming.channel.platform, incoming.channel.workspace
        document = self.document
        reading = self.settings.reading
        plan = build_plan(document, reading.excerpt_min, reading.excerpt_max)
        progress_lines = []
        for channel in self._positions.channels(platform, workspace, document.id):
            position, completed = self._positions.get(channel, document.id)
            day = len(plan) if completed else position
            progress_lines.append(
                self.t(
                    "home.progress_line", lang, channel=channel.channel, day=day, total=len(plan)
                )
            )
        mine = self._quiz_repo.user_workspace_score(platform, workspace, incoming.user)
        top = self._quiz_repo.workspace_scores(platform, workspace, 5)
        top_lines = [
            self.t("home.top_line", lang, rank=i + 1, name=s.user_name, points=s.points)
            for i, s in enumerate(top)
        ]
        fields = (
            Field(
                self.t("home.progress", lang),
                "\n".join(progress_lines) or self.t("home.no_progress", lang),
            ),
            Field(
                self.t("home.score", lang),
                self.t(
                    "home.score_line",
                    lang,
                    points=mine.points,
                    correct=mine.correct,
                    answered=mine.answered,
                    accuracy=f"{mine.accuracy:.0%}",
                )
                if mine
                else self.t("score.none", lang),
            ),
            Field(
                self.t("home.top", lang), "\n".join(top_lines) or self.t("leaderboard.empty", lang)
            ),
        )
        return Reply(
            title=self.t("home.title", lang, document=document.title),
            blocks=(self.t("home.intro", lang),),
            fields=fields,
            buttons=(
                Button(
                    make_action("home", "quiz"),
                    self.t("home.quiz_button", lang),
                    ButtonStyle.PRIMARY,
                ),
                Button(make_action("home", "excerpt"), self.t("home.excerpt_button", lang)),
            ),
            tone=Tone.INFO,
        )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _replacing(reply: Reply) -> Reply:
    return dataclasses.replace(reply, replace=True)
