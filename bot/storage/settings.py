"""Per-channel settings, saved queries (for pagers that survive restarts) and event dedupe."""

from __future__ import annotations

import hashlib
from datetime import datetime

from bot.core.incoming import ChannelKey
from bot.storage.database import Database


class SqliteChannelSettingsStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def language(self, channel: ChannelKey) -> str | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT language FROM channel_settings WHERE platform = ? AND workspace = ?"
                " AND channel = ?",
                (channel.platform, channel.workspace, channel.channel),
            ).fetchone()
        return row["language"] if row and row["language"] else None

    def set_language(self, channel: ChannelKey, language: str, by: str, now: datetime) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO channel_settings (platform, workspace, channel, language,"
                " updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (platform, workspace, channel) DO UPDATE SET"
                " language = excluded.language, updated_by = excluded.updated_by,"
                " updated_at = excluded.updated_at",
                (
                    channel.platform,
                    channel.workspace,
                    channel.channel,
                    language,
                    by,
                    now.isoformat(),
                ),
            )

    def save_query(self, text: str, now: datetime) -> str:
        """A short token for `text`, so a pager's button id stays under 100 characters."""
        token = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO saved_queries (token, text, created_at) VALUES (?, ?, ?)",
                (token, text, now.isoformat()),
            )
        return token

    def query(self, token: str) -> str | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT text FROM saved_queries WHERE token = ?", (token,)
            ).fetchone()
        return str(row["text"]) if row else None

    def first_time(self, event_id: str, now: datetime) -> bool:
        """True the first time an event id is seen (across restarts and processes)."""
        with self._db.write() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO processed_events (event_id, handled_at) VALUES (?, ?)",
                (event_id, now.isoformat()),
            )
            return cur.rowcount == 1
