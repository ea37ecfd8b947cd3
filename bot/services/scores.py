"""Scores, the leaderboard and the personal overview (Slack's App Home)."""

from __future__ import annotations

from bot.content.models import Document
from bot.core.actions import make_action
from bot.core.catalog import Catalog
from bot.core.incoming import Incoming
from bot.core.reply import Button, ButtonStyle, Field, Reply, Tone
from bot.storage.interface import PositionStore, QuizStore

MEDALS = ("🥇", "🥈", "🥉")


class Scores:
    def __init__(self, *, catalog: Catalog, quizzes: QuizStore, positions: PositionStore) -> None:
        self._catalog = catalog
        self._quizzes = quizzes
        self._positions = positions

    def t(self, key: str, lang: str, **values: object) -> str:
        return self._catalog.text(key, lang, **values)

    def score(self, incoming: Incoming, lang: str) -> Reply:
        score, rank = self._quizzes.score(incoming.channel, incoming.user)
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

    def leaderboard(self, incoming: Incoming, lang: str) -> Reply:
        scores = self._quizzes.leaderboard(incoming.channel, 10)
        if not scores:
            return Reply(blocks=(self.t("leaderboard.empty", lang),), tone=Tone.INFO)
        lines = [
            self.t(
                "leaderboard.line",
                lang,
                rank=MEDALS[i] if i < 3 else f"{i + 1}.",
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

    def home(self, incoming: Incoming, lang: str, document: Document, plan_length: int) -> Reply:
        """A personal overview (Slack's App Home): progress, score, the top 5."""
        platform, workspace = incoming.channel.platform, incoming.channel.workspace
        progress_lines = []
        for channel in self._positions.channels(platform, workspace, document.id):
            position, completed = self._positions.get(channel, document.id)
            day = plan_length if completed else position
            progress_lines.append(
                self.t(
                    "home.progress_line", lang, channel=channel.channel, day=day, total=plan_length
                )
            )
        mine = self._quizzes.user_workspace_score(platform, workspace, incoming.user)
        top = self._quizzes.workspace_scores(platform, workspace, 5)
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
