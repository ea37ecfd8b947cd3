"""Where each channel is in a document's reading plan."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.core.incoming import ChannelKey
from bot.storage.database import Database


class SqlitePositionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, channel: ChannelKey, document: str) -> tuple[int, bool]:
        """(position of the next excerpt to post, whether the plan has been completed)."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT position, completed FROM reading_positions"
                " WHERE platform = ? AND workspace = ? AND channel = ? AND document = ?",
                (channel.platform, channel.workspace, channel.channel, document),
            ).fetchone()
        return (int(row["position"]), bool(row["completed"])) if row else (0, False)

    def set(
        self, channel: ChannelKey, document: str, position: int, completed: bool, now: datetime
    ) -> None:
        with self._db.write() as conn:
            _upsert(conn, channel, document, position, completed, now)

    def advance(
        self, channel: ChannelKey, document: str, total: int, loop: bool, now: datetime
    ) -> tuple[int, bool]:
        """Move past the excerpt just posted; returns the new (position, completed).

        At the end the plan either starts over (`loop`) or stays completed.
        """
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT position FROM reading_positions"
                " WHERE platform = ? AND workspace = ? AND channel = ? AND document = ?",
                (channel.platform, channel.workspace, channel.channel, document),
            ).fetchone()
            position = (int(row["position"]) if row else 0) + 1
            completed = position >= total
            if completed and loop:
                position, completed = 0, False
            elif completed:
                position = total
            _upsert(conn, channel, document, position, completed, now)
        return position, completed

    def channels(self, platform: str, workspace: str, document: str) -> list[ChannelKey]:
        """Channels of a workspace that read `document`: subscribed, or with a position."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT platform, workspace, channel FROM subscriptions WHERE platform = ?"
                " AND workspace = ? AND document = ? UNION SELECT platform, workspace, channel"
                " FROM reading_positions WHERE platform = ? AND workspace = ? AND document = ?",
                (platform, workspace, document, platform, workspace, document),
            ).fetchall()
        return [ChannelKey(r["platform"], r["workspace"], r["channel"]) for r in rows]


def _upsert(
    conn: sqlite3.Connection,
    channel: ChannelKey,
    document: str,
    position: int,
    completed: bool,
    now: datetime,
) -> None:
    conn.execute(
        "INSERT INTO reading_positions"
        " (platform, workspace, channel, document, position, completed, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (platform, workspace, channel, document) DO UPDATE SET"
        " position = excluded.position, completed = excluded.completed,"
        " updated_at = excluded.updated_at",
        (
            channel.platform,
            channel.workspace,
            channel.channel,
            document,
            position,
            int(completed),
            now.isoformat(),
        ),
    )
