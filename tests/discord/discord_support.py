"""Helpers for the Discord tests: the real discord.py client logged in to a fake Discord.

A harness injects an interaction through the fake gateway and waits until the adapter
has answered it, then hands back the REST calls that answered it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from discord_fake import Call, FakeDiscord

from bot.adapters.discord import DiscordBot
from bot.adapters.discord.inbound import HANDLED_EVENT
from bot.config import DiscordSettings
from bot.core.api import CoreApi
from bot.core.catalog import Catalog

TOKEN = "fake-bot-token.NEVER-LOGGED.0123456789"
GUARD = 10.0  # only so a broken test fails instead of hanging; never reached when it passes


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
