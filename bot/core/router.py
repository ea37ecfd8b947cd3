"""The core: one call per platform event. It picks the language, runs one service, and
returns a `Reply`. It imports no platform library; adapters reach it through `CoreApi`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable
from typing import Protocol

from bot.config import Settings
from bot.content.models import Document, Library
from bot.content.normalize import nfkc
from bot.content.refs import complete_refs
from bot.core.actions import ActionIdError, parse_action
from bot.core.api import MAX_SUGGESTIONS, AutocompleteKind, Suggestion
from bot.core.catalog import Catalog, language_of
from bot.core.clock import Clock
from bot.core.commands import COMMAND_NAMES
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Reply, Tone, error_reply
from bot.core.transport import Delivery, DeliveryError, Transport
from bot.services.excerpts import build_plan
from bot.services.lookups import Lookups, find_terms
from bot.services.quiz_commands import QuizCommands
from bot.services.quizzes import QuizService
from bot.services.reading import Reading
from bot.services.scores import Scores
from bot.storage.interface import ChannelSettingsStore, PositionStore, QuizStore

log = logging.getLogger(__name__)

SUGGESTION_TEXT_MAX = 100
STOP_WORDS = frozenset({"stop", "end", "やめる", "終了", "中止"})


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
        self.lookups = Lookups(catalog)
        self.schedule: ScheduleHandler | None = None
        self.scheduler: Timers | None = None
        self.reading = Reading(
            library=library, settings=settings, catalog=catalog, clock=clock, positions=positions
        )
        self.scores = Scores(catalog=catalog, quizzes=quiz_repo, positions=positions)
        self.quizzes = QuizService(
            repo=quiz_repo,
            catalog=catalog,
            clock=clock,
            outbox=self,
            points=settings.quiz.points,
            speed_bonus_max=settings.quiz.speed_bonus_max,
            timer_seconds=settings.quiz.group_timer_seconds,
            default_count=settings.quiz.default_count,
        )
        self.quiz_commands = QuizCommands(
            engine=self.quizzes,
            store=quiz_repo,
            library=library,
            settings=settings,
            catalog=catalog,
            clock=clock,
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
                _clip(
                    self.t(
                        "glossary.suggestion",
                        language_of(locale) or self.settings.bot.language,
                        term=t.term,
                        reading=t.reading,
                    ),
                    SUGGESTION_TEXT_MAX,
                ),
                _clip(t.term, SUGGESTION_TEXT_MAX),
            )
            for t in found[:MAX_SUGGESTIONS]
        ]

    # Outbox (for the quiz engine) ------------------------------------------------------

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
                        due.session_id,
                        due.question_no,
                        document,
                        self.quiz_commands.questions(document),
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

    def t(self, key: str, lang: str, **values: object) -> str:
        return self.catalog.text(key, lang, **values)

    async def _dispatch(self, incoming: Incoming, lang: str) -> Reply:
        command = nfkc(incoming.command).strip().lstrip("/").casefold()
        args = incoming.args.strip()
        document = self.document
        if command == "action":
            return await self._action(incoming, args, lang)
        if command == "home":
            reading = self.settings.reading
            plan = build_plan(self.document, reading.excerpt_min, reading.excerpt_max)
            return self.scores.home(incoming, lang, self.document, len(plan))
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
            return self.reading.excerpt(incoming, document, args, lang)
        if command == "quiz":
            if nfkc(args).strip().casefold() in STOP_WORDS:
                return await self.quiz_commands.stop(incoming, document, lang)
            return self.quiz_commands.start(incoming, document, args, lang)
        if command == "answer":
            return await self.quiz_commands.answer(incoming, document, args, lang)
        if command == "score":
            return self.scores.score(incoming, lang)
        if command == "leaderboard":
            return self.scores.leaderboard(incoming, lang)
        if command == "language":
            return self._language(incoming, args, lang)
        # command == "schedule"
        if self.schedule is None:
            return error_reply(self.t("error.schedule_unavailable", lang))
        return await self.schedule.handle(incoming, args, lang)

    def _prefix(self, incoming: Incoming) -> str:
        return self.command_prefix.get(incoming.channel.platform, "/")

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
            return await self.quiz_commands.click(incoming, action.args, lang)
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
                return self.quiz_commands.start(incoming, document, "solo", lang)
            if action.args[0] == "excerpt":
                source = self.reading.reading_channel(incoming, document)
                return self.reading.excerpt(
                    dataclasses.replace(incoming, channel=source), document, "", lang
                )
        return error_reply(self.t("error.stale_button", lang))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _replacing(reply: Reply) -> Reply:
    return dataclasses.replace(reply, replace=True)
