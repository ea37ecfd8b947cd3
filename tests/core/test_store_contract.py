"""The store contract: what any backend must do. Parametrized by backend (SQLite today);
a PostgreSQL store joins the `backend` fixture and must pass the same tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.incoming import ChannelKey
from bot.storage.database import Database, StoreError
from bot.storage.interface import (
    ChannelSettingsStore,
    PositionStore,
    QuizStore,
    SubscriptionStore,
)
from bot.storage.positions import SqlitePositionStore
from bot.storage.quizzes import SqliteQuizStore
from bot.storage.records import SubscriptionSpec
from bot.storage.schema import MIGRATIONS
from bot.storage.settings import SqliteChannelSettingsStore
from bot.storage.subscriptions import SqliteSubscriptionStore

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
CH = ChannelKey("test", "w", "c")


@dataclass
class Stores:
    quizzes: QuizStore
    positions: PositionStore
    settings: ChannelSettingsStore
    subscriptions: SubscriptionStore


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    db = Database(tmp_path / "store.sqlite3")
    yield Stores(
        SqliteQuizStore(db),
        SqlitePositionStore(db),
        SqliteChannelSettingsStore(db),
        SqliteSubscriptionStore(db),
    )
    db.close()


def test_a_second_answer_is_refused_and_scores_once(backend: Stores) -> None:
    s = backend.quizzes.create_session(CH, "u1", "group", "d", ["q1", "q2"], "ja", NOW, None)
    assert backend.quizzes.record_answer(s, 0, "u1", "A", "x", True, 12, NOW)
    assert not backend.quizzes.record_answer(s, 0, "u1", "A", "y", False, 0, NOW)
    score, rank = backend.quizzes.score(CH, "u1")
    assert score is not None and (score.points, score.correct, score.answered, rank) == (
        12,
        1,
        1,
        1,
    )
    assert backend.quizzes.claim_reveal(s.id, 0, NOW)
    assert not backend.quizzes.claim_reveal(s.id, 0, NOW)  # revealed once
    assert not backend.quizzes.record_answer(s, 0, "u2", "B", "x", True, 10, NOW)  # closed


def test_due_rounds_follow_the_deadline(backend: Stores) -> None:
    deadline = NOW + timedelta(seconds=30)
    s = backend.quizzes.create_session(CH, "u1", "group", "d", ["q1"], "ja", NOW, deadline)
    assert backend.quizzes.due_rounds(NOW) == []
    assert [r.session_id for r in backend.quizzes.due_rounds(deadline)] == [s.id]
    assert backend.quizzes.next_deadline() == deadline


def test_positions_advance_stop_and_loop(backend: Stores) -> None:
    assert backend.positions.get(CH, "d") == (0, False)
    assert backend.positions.advance(CH, "d", 2, False, NOW) == (1, False)
    assert backend.positions.advance(CH, "d", 2, False, NOW) == (2, True)
    assert backend.positions.advance(CH, "d", 2, True, NOW) == (0, False)


def test_events_are_handled_once_and_queries_are_saved(backend: Stores) -> None:
    assert backend.settings.first_time("evt", NOW)
    assert not backend.settings.first_time("evt", NOW)
    token = backend.settings.save_query("抑止 同盟", NOW)
    assert len(token) <= 20 and backend.settings.query(token) == "抑止 同盟"
    backend.settings.set_language(CH, "en", "u1", NOW)
    assert backend.settings.language(CH) == "en"


def test_one_claim_per_subscription_and_local_date(backend: Stores) -> None:
    spec = SubscriptionSpec("d", "07:30", "Asia/Tokyo", ("mon",), 400, 700)
    sub = backend.subscriptions.upsert(CH, spec, "u1", NOW)
    day = date(2026, 5, 4)
    assert backend.subscriptions.claim(sub.id, day, "a", NOW)
    assert not backend.subscriptions.claim(sub.id, day, "b", NOW)
    assert backend.subscriptions.claim(sub.id, day + timedelta(days=7), "b", NOW)


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    Database(path).close()
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {MIGRATIONS[-1][0] + 1}")
    with pytest.raises(StoreError, match="newer than this studybot"):
        Database(path)
