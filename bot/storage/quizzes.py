"""Quiz sessions, rounds, answers and scores.

An answer and the score it earns are written in one transaction, and the answers table's
primary key (session, question, user) refuses a second answer: concurrent clicks can
neither lose nor double a point.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from bot.core.incoming import ChannelKey
from bot.storage.database import Database
from bot.storage.records import Answer, QuizSession, Round, Score


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _session(r: sqlite3.Row) -> QuizSession:
    return QuizSession(
        id=int(r["id"]),
        channel=ChannelKey(r["platform"], r["workspace"], r["channel"]),
        starter=r["starter"],
        mode=r["mode"],
        document=r["document"],
        question_ids=tuple(json.loads(r["question_ids"])),
        current=int(r["current"]),
        state=r["state"],
        language=r["language"],
        created_at=datetime.fromisoformat(r["created_at"]),
    )


def _round(r: sqlite3.Row) -> Round:
    return Round(
        session_id=int(r["session_id"]),
        question_no=int(r["question_no"]),
        question_id=r["question_id"],
        opened_at=datetime.fromisoformat(r["opened_at"]),
        deadline=_dt(r["deadline"]),
        message_id=r["message_id"],
        revealed_at=_dt(r["revealed_at"]),
    )


class SqliteQuizStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Sessions -----------------------------------------------------------------------------

    def create_session(
        self,
        channel: ChannelKey,
        starter: str,
        mode: str,
        document: str,
        question_ids: list[str],
        language: str,
        now: datetime,
        first_deadline: datetime | None,
    ) -> QuizSession:
        with self._db.write() as conn:
            if mode == "solo":
                # One solo quiz per person and channel: a new one replaces the old.
                conn.execute(
                    "UPDATE quiz_sessions SET state = 'cancelled' WHERE platform = ?"
                    " AND workspace = ? AND channel = ? AND starter = ? AND mode = 'solo'"
                    " AND state = 'open'",
                    (channel.platform, channel.workspace, channel.channel, starter),
                )
            cur = conn.execute(
                "INSERT INTO quiz_sessions (platform, workspace, channel, starter, mode, document,"
                " question_ids, current, state, language, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'open', ?, ?)",
                (
                    channel.platform,
                    channel.workspace,
                    channel.channel,
                    starter,
                    mode,
                    document,
                    json.dumps(question_ids),
                    language,
                    now.isoformat(),
                ),
            )
            session_id = int(cur.lastrowid or 0)
            conn.execute(
                "INSERT INTO quiz_rounds"
                " (session_id, question_no, question_id, opened_at, deadline)"
                " VALUES (?, 0, ?, ?, ?)",
                (
                    session_id,
                    question_ids[0],
                    now.isoformat(),
                    first_deadline.isoformat() if first_deadline else None,
                ),
            )
            row = conn.execute("SELECT * FROM quiz_sessions WHERE id = ?", (session_id,)).fetchone()
        return _session(row)

    def session(self, session_id: int) -> QuizSession | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM quiz_sessions WHERE id = ?", (session_id,)).fetchone()
        return _session(row) if row else None

    def open_group_session(self, channel: ChannelKey) -> QuizSession | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM quiz_sessions WHERE platform = ? AND workspace = ? AND channel = ?"
                " AND mode = 'group' AND state = 'open' ORDER BY id DESC LIMIT 1",
                (channel.platform, channel.workspace, channel.channel),
            ).fetchone()
        return _session(row) if row else None

    def open_solo_session(self, channel: ChannelKey, user: str) -> QuizSession | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM quiz_sessions WHERE platform = ? AND workspace = ? AND channel = ?"
                " AND mode = 'solo' AND starter = ? AND state = 'open' ORDER BY id DESC LIMIT 1",
                (channel.platform, channel.workspace, channel.channel, user),
            ).fetchone()
        return _session(row) if row else None

    def times_asked(self, channel: ChannelKey) -> dict[str, int]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT r.question_id AS qid, COUNT(*) AS n FROM quiz_rounds r"
                " JOIN quiz_sessions s ON s.id = r.session_id"
                " WHERE s.platform = ? AND s.workspace = ? AND s.channel = ?"
                " GROUP BY r.question_id",
                (channel.platform, channel.workspace, channel.channel),
            ).fetchall()
        return {r["qid"]: int(r["n"]) for r in rows}

    # Rounds -------------------------------------------------------------------------------

    def round(self, session_id: int, question_no: int) -> Round | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM quiz_rounds WHERE session_id = ? AND question_no = ?",
                (session_id, question_no),
            ).fetchone()
        return _round(row) if row else None

    def set_message_id(self, session_id: int, question_no: int, message_id: str) -> None:
        with self._db.write() as conn:
            conn.execute(
                "UPDATE quiz_rounds SET message_id = ? WHERE session_id = ? AND question_no = ?",
                (message_id, session_id, question_no),
            )

    def claim_reveal(self, session_id: int, question_no: int, now: datetime) -> bool:
        """Mark a round revealed. Exactly one caller wins, however many race."""
        with self._db.write() as conn:
            cur = conn.execute(
                "UPDATE quiz_rounds SET revealed_at = ? WHERE session_id = ? AND question_no = ?"
                " AND revealed_at IS NULL",
                (now.isoformat(), session_id, question_no),
            )
            return cur.rowcount == 1

    def open_next_round(
        self,
        session_id: int,
        question_no: int,
        question_id: str,
        now: datetime,
        deadline: datetime | None,
    ) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO quiz_rounds"
                " (session_id, question_no, question_id, opened_at, deadline)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    session_id,
                    question_no,
                    question_id,
                    now.isoformat(),
                    deadline.isoformat() if deadline else None,
                ),
            )
            conn.execute(
                "UPDATE quiz_sessions SET current = MAX(current, ?) WHERE id = ?",
                (question_no, session_id),
            )

    def finish_session(self, session_id: int) -> None:
        with self._db.write() as conn:
            conn.execute(
                "UPDATE quiz_sessions SET state = 'done' WHERE id = ? AND state = 'open'",
                (session_id,),
            )

    def due_rounds(self, now: datetime) -> list[Round]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT r.* FROM quiz_rounds r JOIN quiz_sessions s ON s.id = r.session_id"
                " WHERE s.state = 'open' AND s.mode = 'group' AND r.revealed_at IS NULL"
                " AND r.deadline IS NOT NULL AND r.deadline <= ?"
                " ORDER BY r.deadline",
                (now.isoformat(),),
            ).fetchall()
        return [_round(r) for r in rows]

    def next_deadline(self) -> datetime | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT MIN(r.deadline) AS d FROM quiz_rounds r"
                " JOIN quiz_sessions s ON s.id = r.session_id"
                " WHERE s.state = 'open' AND r.revealed_at IS NULL AND r.deadline IS NOT NULL"
            ).fetchone()
        return _dt(row["d"]) if row else None

    # Answers and scores -------------------------------------------------------------------

    def record_answer(
        self,
        session: QuizSession,
        question_no: int,
        user: str,
        user_name: str,
        response: str,
        correct: bool,
        points: int,
        now: datetime,
    ) -> bool:
        """Store an answer and add its points. False if this user already answered."""
        channel = session.channel
        with self._db.write() as conn:
            revealed = conn.execute(
                "SELECT revealed_at FROM quiz_rounds WHERE session_id = ? AND question_no = ?",
                (session.id, question_no),
            ).fetchone()
            if revealed is None or revealed["revealed_at"] is not None:
                return False
            cur = conn.execute(
                "INSERT OR IGNORE INTO quiz_answers (session_id, question_no, user, user_name,"
                " response, correct, points, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session.id,
                    question_no,
                    user,
                    user_name,
                    response,
                    int(correct),
                    points,
                    now.isoformat(),
                ),
            )
            if cur.rowcount != 1:
                return False
            conn.execute(
                "INSERT INTO scores (platform, workspace, channel, user, user_name, points,"
                " correct, answered) VALUES (?, ?, ?, ?, ?, ?, ?, 1)"
                " ON CONFLICT (platform, workspace, channel, user) DO UPDATE SET"
                " user_name = excluded.user_name, points = points + excluded.points,"
                " correct = correct + excluded.correct, answered = answered + 1",
                (
                    channel.platform,
                    channel.workspace,
                    channel.channel,
                    user,
                    user_name,
                    points,
                    int(correct),
                ),
            )
        return True

    def answer_of(self, session_id: int, question_no: int, user: str) -> Answer | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM quiz_answers WHERE session_id = ? AND question_no = ? AND user = ?",
                (session_id, question_no, user),
            ).fetchone()
        return _answer(row) if row else None

    def players(self, session_id: int, before: int) -> set[str]:
        """Everyone who answered any of the rounds before `before`."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT DISTINCT user FROM quiz_answers WHERE session_id = ? AND question_no < ?",
                (session_id, before),
            ).fetchall()
        return {str(r["user"]) for r in rows}

    def answers(self, session_id: int, question_no: int) -> list[Answer]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM quiz_answers WHERE session_id = ? AND question_no = ?"
                " ORDER BY answered_at, user",
                (session_id, question_no),
            ).fetchall()
        return [_answer(r) for r in rows]

    def session_results(self, session_id: int) -> list[Score]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT user, MAX(user_name) AS user_name, SUM(points) AS points,"
                " SUM(correct) AS correct, COUNT(*) AS answered FROM quiz_answers"
                " WHERE session_id = ? GROUP BY user ORDER BY points DESC, user",
                (session_id,),
            ).fetchall()
        return [_score(r) for r in rows]

    def score(self, channel: ChannelKey, user: str) -> tuple[Score | None, int]:
        """The user's score in a channel and their rank (1-based; 0 if unranked)."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM scores WHERE platform = ? AND workspace = ? AND channel = ?"
                " AND user = ?",
                (channel.platform, channel.workspace, channel.channel, user),
            ).fetchone()
            if row is None:
                return None, 0
            rank = conn.execute(
                "SELECT COUNT(*) + 1 AS r FROM scores WHERE platform = ? AND workspace = ?"
                " AND channel = ? AND points > ?",
                (channel.platform, channel.workspace, channel.channel, row["points"]),
            ).fetchone()
        return _score(row), int(rank["r"])

    def leaderboard(self, channel: ChannelKey, limit: int = 10) -> list[Score]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM scores WHERE platform = ? AND workspace = ? AND channel = ?"
                " ORDER BY points DESC, correct DESC, user LIMIT ?",
                (channel.platform, channel.workspace, channel.channel, limit),
            ).fetchall()
        return [_score(r) for r in rows]

    def workspace_scores(self, platform: str, workspace: str, limit: int = 5) -> list[Score]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT user, MAX(user_name) AS user_name, SUM(points) AS points,"
                " SUM(correct) AS correct, SUM(answered) AS answered FROM scores"
                " WHERE platform = ? AND workspace = ? GROUP BY user"
                " ORDER BY points DESC, user LIMIT ?",
                (platform, workspace, limit),
            ).fetchall()
        return [_score(r) for r in rows]

    def user_workspace_score(self, platform: str, workspace: str, user: str) -> Score | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT user, MAX(user_name) AS user_name, SUM(points) AS points,"
                " SUM(correct) AS correct, SUM(answered) AS answered FROM scores"
                " WHERE platform = ? AND workspace = ? AND user = ? GROUP BY user",
                (platform, workspace, user),
            ).fetchone()
        return _score(row) if row else None


def _answer(r: sqlite3.Row) -> Answer:
    return Answer(
        user=r["user"],
        user_name=r["user_name"],
        response=r["response"],
        correct=bool(r["correct"]),
        points=int(r["points"]),
        answered_at=datetime.fromisoformat(r["answered_at"]),
    )


def _score(r: sqlite3.Row) -> Score:
    return Score(
        user=r["user"],
        user_name=r["user_name"],
        points=int(r["points"]),
        correct=int(r["correct"]),
        answered=int(r["answered"]),
    )
