"""The quiz commands: `quiz`, `answer` and quiz buttons, turned into calls on the engine."""

from __future__ import annotations

from bot.config import Settings
from bot.content.models import Document, Library, Question
from bot.content.refs import resolve_ref
from bot.core.catalog import Catalog
from bot.core.clock import Clock
from bot.core.incoming import Incoming
from bot.core.reply import Reply, error_reply
from bot.services.quizzes import QuizArgumentError, QuizService, parse_quiz_args
from bot.storage.interface import QuizStore


class QuizCommands:
    def __init__(
        self,
        *,
        engine: QuizService,
        store: QuizStore,
        library: Library,
        settings: Settings,
        catalog: Catalog,
        clock: Clock,
    ) -> None:
        self._engine = engine
        self._store = store
        self._library = library
        self._settings = settings
        self._catalog = catalog
        self._clock = clock

    def t(self, key: str, lang: str, **values: object) -> str:
        return self._catalog.text(key, lang, **values)

    def questions(self, document: Document) -> dict[str, Question]:
        return {q.id: q for q in self._library.questions.get(document.id, ())}

    async def stop(self, incoming: Incoming, document: Document, lang: str) -> Reply:
        """`quiz stop`: your own solo quiz, or the channel's group quiz (its starter or admins)."""
        solo = self._store.open_solo_session(incoming.channel, incoming.user)
        group = self._store.open_group_session(incoming.channel)
        if group is not None and (incoming.is_admin or incoming.user == group.starter):
            return await self._engine.stop(group, document, self.questions(document))
        if solo is not None:
            return await self._engine.stop(solo, document, self.questions(document))
        if group is not None:
            return error_reply(self.t("quiz.error.stop_not_allowed", lang))
        return error_reply(self.t("quiz.error.nothing_to_stop", lang))

    def start(self, incoming: Incoming, document: Document, args: str, lang: str) -> Reply:
        try:
            request = parse_quiz_args(args)
        except QuizArgumentError as e:
            return error_reply(self.t(e.key, lang, **e.values), hint=self.t("quiz.hint", lang))
        bank = self._library.questions.get(document.id, ())
        if not bank:
            return error_reply(self.t("quiz.error.no_questions", lang))
        section_ids: set[str] | None = None
        scope = ""
        if request.ref:
            resolution = resolve_ref(document, request.ref)
            if resolution.section is None:
                options = resolution.candidates or resolution.suggestions
                names = self.t("list.separator", lang).join(
                    self.t("section.label_id", lang, label=s.label, id=s.id) for s in options[:5]
                )
                key = "quiz.error.ambiguous" if resolution.candidates else "quiz.error.no_section"
                return error_reply(
                    self.t(key, lang, ref=request.ref, options=names or "—"),
                    hint=self.t("quiz.hint", lang),
                )
            section_ids = {s.id for s in document.subtree(resolution.section.id)}
            scope = resolution.section.label
        count = request.count or self._settings.quiz.default_count
        mode = request.mode or "solo"
        salt = f"{incoming.channel}:{incoming.user}:{self._clock.now().isoformat()}"
        questions = self._engine.pick_questions(incoming.channel, bank, section_ids, count, salt)
        if not questions:
            return error_reply(self.t("quiz.error.none_in_section", lang, section=scope))
        return self._engine.start(incoming, lang, document, questions, mode)

    async def answer(self, incoming: Incoming, document: Document, args: str, lang: str) -> Reply:
        if not args:
            return error_reply(
                self.t("quiz.error.answer_empty", lang), hint=self.t("quiz.cloze_hint", lang)
            )
        questions = self.questions(document)
        for session in (
            self._store.open_group_session(incoming.channel),
            self._store.open_solo_session(incoming.channel, incoming.user),
        ):
            if session is None:
                continue
            question = questions.get(session.question_ids[session.current])
            if question is not None and question.type == "cloze":
                return await self._engine.answer(
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

    async def click(self, incoming: Incoming, parts: tuple[str, ...], lang: str) -> Reply:
        try:
            session_id, no, choice = (int(p) for p in parts)
        except ValueError:
            return error_reply(self.t("error.stale_button", lang))
        session = self._store.session(session_id)
        if session is None or session.channel.platform != incoming.channel.platform:
            return error_reply(self.t("error.stale_button", lang))
        document = self._library.document(session.document)
        if document is None or not 0 <= no < session.total:
            return error_reply(self.t("error.stale_button", lang))
        questions = self.questions(document)
        question = questions.get(session.question_ids[no])
        if question is None:
            return error_reply(self.t("error.stale_button", lang))
        response = self._engine.response_text(question, choice, lang)
        if response is None:
            return error_reply(self.t("error.stale_button", lang))
        return await self._engine.answer(
            incoming, session.language, session, no, response, question, document, questions
        )
