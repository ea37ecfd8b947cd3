"""Fixtures for the scheduling tests: a world on a real SQLite file, driven by a ManualClock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from scheduling_support import World, make_world

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "studybot.sqlite3"


@pytest.fixture
def world(db_path: Path) -> Iterator[World]:
    # Monday 2025-06-02, 06:00 in Tokyo.
    w = make_world(db_path, datetime(2025, 6, 2, 6, 0, tzinfo=TOKYO))
    yield w
    w.close()
