"""Builders shared by the scheduling tests and by the child processes they start.

A small hand-made document (the real paper is not needed to test the timing), a fake of
our own Transport contract that records what it posts, and a `World` wiring the store,
the poster and the clock the way bot/app.py does.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.config import BotSettings, ReadingSettings, Settings
from bot.content.models import DiscussionPrompt, Document, Library, Section
from bot.core.catalog import Catalog
from bot.core.clock import ManualClock
from bot.core.incoming import ChannelKey
from bot.core.reply import Reply
from bot.core.transport import Delivery, DeliveryError, DeliveryFailure, Transport
from bot.scheduling.poster import DailyPoster
from bot.services.excerpts import build_plan
from bot.storage.database import Database
from bot.storage.positions import SqlitePositionStore
from bot.storage.subscriptions import SqliteSubscriptionStore, SubscriptionSpec

DOC_ID = "test-doc"
PLATFORM = "console"
CHANNEL = ChannelKey(PLATFORM, "ws", "general")
_CATALOG: Catalog | None = None


def catalog() -> Catalog:
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = Catalog.load()
    return _CATALOG


def _paragraph(topic: str, n: int) -> str:
    return "".join(f"{topic}について考える文の{i}番目です。" for i in range(n))


def make_document() -> Document:
    sections = (
        Section("1", "第１部", "はじめに", None, 0, (_paragraph("抑止", 8),)),
        Section("1.1", "第１部 １", "背景", "1", 1, (_paragraph("同盟", 6), _paragraph("地域", 6))),
        Section("2", "第２部", "提言", None, 2, (_paragraph("安心供与", 10),)),
    )
    return Document(
        id=DOC_ID,
        title="テスト論文",
        publisher="テスト研究所",
        publisher_en="Test Institute",
        date="2025-05",
        source_url="https://example.invalid/paper",
        language="ja",
        sections=sections,
    )


def make_library() -> Library:
    document = make_document()
    return Library(
        documents={document.id: document},
        questions={},
        glossary={},
        prompts={document.id: (DiscussionPrompt("2", "提言のどこに賛成しますか？"),)},
    )


def make_settings(grace_hours: float = 6.0, max_failures: int = 3) -> Settings:
    base = Settings()
    return dataclasses.replace(
        base,
        bot=BotSettings(document=DOC_ID),
        reading=ReadingSettings(excerpt_min=100, excerpt_max=200, at_end="stop"),
        schedule=dataclasses.replace(
            base.schedule, grace_hours=grace_hours, max_failures=max_failures
        ),
    )


def plan_total() -> int:
    settings = make_settings()
    return len(
        build_plan(make_document(), settings.reading.excerpt_min, settings.reading.excerpt_max)
    )


def spec(
    time: str = "07:30",
    timezone: str = "Asia/Tokyo",
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    *,
    thread: bool = False,
    at_end: str = "stop",
) -> SubscriptionSpec:
    return SubscriptionSpec(
        document=DOC_ID,
        time=time,
        timezone=timezone,
        days=days,
        excerpt_min=100,
        excerpt_max=200,
        thread=thread,
        at_end="loop" if at_end == "loop" else "stop",
    )


@dataclass
class Post:
    channel: ChannelKey
    reply: Reply
    message_id: str


@dataclass
class FakeTransport:
    """Records every post. `fail_with` makes sends fail; `before_send` runs first (a test
    uses it to kill the process between the claim and the send)."""

    platform: str = PLATFORM
    posts: list[Post] = field(default_factory=list)
    fail_with: DeliveryFailure | None = None
    before_send: Callable[[], None] | None = None
    prefix: str = "m"

    async def send(self, channel: ChannelKey, reply: Reply) -> Delivery:
        if self.before_send is not None:
            self.before_send()
        await asyncio.sleep(0)  # a real send awaits the network: let other tasks run
        if self.fail_with is not None:
            raise DeliveryError(self.fail_with, "fake says no")
        message_id = f"{self.prefix}{len(self.posts) + 1}"
        self.posts.append(Post(channel, reply, message_id))
        return Delivery(message_id)

    async def edit(self, channel: ChannelKey, message_id: str, reply: Reply) -> None:
        return None


@dataclass
class World:
    db: Database
    subs: SqliteSubscriptionStore
    positions: SqlitePositionStore
    library: Library
    settings: Settings
    clock: ManualClock
    transport: FakeTransport
    poster: DailyPoster

    def close(self) -> None:
        self.db.close()


def make_world(
    db_path: Path | str,
    now: datetime,
    *,
    transport: FakeTransport | None = None,
    settings: Settings | None = None,
    instance: str | None = None,
    transports: dict[str, Transport] | None = None,
) -> World:
    db = Database(db_path)
    subs = SqliteSubscriptionStore(db)
    positions = SqlitePositionStore(db)
    library = make_library()
    settings = settings or make_settings()
    clock = ManualClock(now)
    transport = transport or FakeTransport()
    poster = DailyPoster(
        subs,
        positions,
        library,
        settings,
        catalog(),
        clock,
        {transport.platform: transport} if transports is None else transports,
        instance=instance,
    )
    return World(db, subs, positions, library, settings, clock, transport, poster)
