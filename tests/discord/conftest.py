"""Fixtures: a fake Discord on 127.0.0.1 and the real discord.py client logged in to it.

A harness injects an interaction through the fake gateway and waits until the adapter
has answered it, then hands back the REST calls that answered it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest_asyncio
from discord_fake import Call, FakeDiscord

from bot.adapters.discord import DiscordBot
from bot.adapters.discord.inbound import HANDLED_EVENT
from bot.config import DiscordSettings
from bot.core.api import AutocompleteKind, CoreApi, Suggestion
from bot.core.catalog import Catalog
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Reply
from bot.core.transport import Delivery, Transport

TOKEN = "fake-bot-token.NEVER-LOGGED.0123456789"
GUARD = 10.0  # only so a broken test fails instead of hanging; never reached when it passes

Script = Callable[[Incoming], Reply | None] | Reply


@dataclass
class StubCore:
    """A CoreApi that answers from a script and records what it was asked."""

    catalog: Catalog
    script: dict[str, Script] = field(default_factory=dict)
    incomings: list[Incoming] = field(default_factory=list)
    delivered_calls: list[tuple[str, ChannelKey, Delivery]] = field(default_factory=list)
    transports: list[Transport] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    gate: asyncio.Event | None = None
    handled_ids: set[str] = field(default_factory=set)

    async def handle(self, incoming: Incoming) -> Reply | None:
        if incoming.event_id is not None:
            if incoming.event_id in self.handled_ids:
                return None
            self.handled_ids.add(incoming.event_id)
        self.incomings.append(incoming)
        if self.gate is not None:
            await self.gate.wait()
        key = f"action:{incoming.args}" if incoming.command == "action" else incoming.command
        answer = self.script.get(key) or self.script.get(incoming.command)
        if answer is None:
            return Reply(blocks=(f"{incoming.command} {incoming.args}".strip(),))
        return answer(incoming) if callable(answer) else answer

    async def delivered(self, track: str, channel: ChannelKey, delivery: Delivery) -> None:
        self.delivered_calls.append((track, channel, delivery))

    def autocomplete(
        self, kind: AutocompleteKind, prefix: str, locale: str | None = None
    ) -> list[Suggestion]:
        return [s for s in self.suggestions if prefix in s.name] if kind == "section" else []

    def language(self, channel: ChannelKey, locale: str | None) -> str:
        return "en" if locale and locale.startswith("en") else "ja"

    def attach(self, transport: Transport) -> None:
        self.transports.append(transport)


class LogTap(logging.Handler):
    """Every log line, formatted, so a test can prove the token never appears."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


@dataclass
class Harness:
    fake: FakeDiscord
    bot: DiscordBot

    @property
    def client(self) -> Any:
        return self.bot.client

    async def run(self, payload: dict[str, Any]) -> list[Call]:
        """Inject one interaction; wait until the adapter answered it; its REST calls."""
        iid = int(payload["id"])
        handled = self.client.wait_for(HANDLED_EVENT, check=lambda i: i == iid, timeout=GUARD)
        interaction = await self.fake.inject(payload)
        await handled
        await asyncio.wait_for(interaction.responded.wait(), GUARD)
        return self.fake.calls_for(interaction)


def discord_settings(fake: FakeDiscord, **changes: Any) -> DiscordSettings:
    return dataclasses.replace(
        DiscordSettings(
            application_id=fake.application_id,
            api_base=fake.api_base,
            gateway_url=fake.gateway_url,
            token=TOKEN,
        ),
        **changes,
    )


async def start_bot(
    fake: FakeDiscord,
    core: CoreApi,
    catalog: Catalog,
    data_dir: Path,
    **options: Any,
) -> DiscordBot:
    bot = DiscordBot(
        core,
        discord_settings(fake, **options.pop("settings", {})),
        catalog,
        data_dir,
        guild_ready_timeout=0.05,
        **options,
    )
    await bot.start()
    await asyncio.wait_for(bot.wait_until_ready(), GUARD)
    return bot


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(TOKEN)
    await server.start()
    yield server
    await server.close()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def log_tap() -> AsyncIterator[LogTap]:
    tap = LogTap()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(tap)
    root.setLevel(logging.DEBUG)
    yield tap
    root.removeHandler(tap)
    root.setLevel(previous)
