"""The schema, as an ordered list of migrations. Never edit a released one: append a new one."""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE channel_settings (
            platform TEXT NOT NULL, workspace TEXT NOT NULL, channel TEXT NOT NULL,
            language TEXT,
            updated_by TEXT, updated_at TEXT,
            PRIMARY KEY (platform, workspace, channel)
        );
        CREATE TABLE reading_positions (
            platform TEXT NOT NULL, workspace TEXT NOT NULL, channel TEXT NOT NULL,
            document TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            completed INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT,
            PRIMARY KEY (platform, workspace, channel, document)
        );
        CREATE TABLE quiz_sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            platform TEXT NOT NULL, workspace TEXT NOT NULL, channel TEXT NOT NULL,
            starter TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('solo', 'group')),
            document TEXT NOT NULL,
            question_ids TEXT NOT NULL,
            current INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'cancelled')),
            language TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX quiz_sessions_channel ON quiz_sessions (platform, workspace, channel, state);
        CREATE TABLE quiz_rounds (
            session_id INTEGER NOT NULL REFERENCES quiz_sessions (id),
            question_no INTEGER NOT NULL,
            question_id TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            deadline TEXT,
            message_id TEXT,
            revealed_at TEXT,
            PRIMARY KEY (session_id, question_no)
        );
        CREATE INDEX quiz_rounds_due ON quiz_rounds (revealed_at, deadline);
        CREATE TABLE quiz_answers (
            session_id INTEGER NOT NULL,
            question_no INTEGER NOT NULL,
            user TEXT NOT NULL,
            user_name TEXT NOT NULL,
            response TEXT NOT NULL,
            correct INTEGER NOT NULL,
            points INTEGER NOT NULL,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (session_id, question_no, user),
            FOREIGN KEY (session_id, question_no) REFERENCES quiz_rounds (session_id, question_no)
        );
        CREATE TABLE scores (
            platform TEXT NOT NULL, workspace TEXT NOT NULL, channel TEXT NOT NULL,
            user TEXT NOT NULL,
            user_name TEXT NOT NULL,
            points INTEGER NOT NULL DEFAULT 0,
            correct INTEGER NOT NULL DEFAULT 0,
            answered INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (platform, workspace, channel, user)
        );
        CREATE TABLE saved_queries (
            token TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE processed_events (
            event_id TEXT PRIMARY KEY,
            handled_at TEXT NOT NULL
        );
        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            platform TEXT NOT NULL, workspace TEXT NOT NULL, channel TEXT NOT NULL,
            document TEXT NOT NULL,
            time TEXT NOT NULL,
            timezone TEXT NOT NULL,
            days TEXT NOT NULL,
            excerpt_min INTEGER NOT NULL,
            excerpt_max INTEGER NOT NULL,
            thread INTEGER NOT NULL DEFAULT 0,
            at_end TEXT NOT NULL DEFAULT 'stop' CHECK (at_end IN ('stop', 'loop')),
            paused INTEGER NOT NULL DEFAULT 0,
            paused_reason TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (platform, workspace, channel)
        );
        CREATE TABLE deliveries (
            subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            local_date TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'skipped', 'failed')),
            excerpt_index INTEGER,
            claimed_at TEXT NOT NULL,
            claimed_by TEXT NOT NULL,
            sent_at TEXT,
            message_id TEXT,
            late INTEGER NOT NULL DEFAULT 0,
            note TEXT,
            PRIMARY KEY (subscription_id, local_date)
        )
        """,
    ),
)
