"""The discord.py client: slash commands, persistent buttons, the Transport, start and stop.

Only the default intents (no message content, no members, no presences): everything the
bot does starts from an interaction or from the core's scheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.discord.inbound import DEFER_AFTER, InteractionHandler
from bot.adapters.discord.slash import build_commands
from bot.adapters.discord.sync import sync_if_changed
from bot.adapters.discord.translator import CatalogTranslator
from bot.adapters.discord.transport import DiscordTransport
from bot.adapters.discord.views import ActionButton
from bot.config import DiscordSettings, Settings
from bot.core.api import CoreApi
from bot.core.catalog import DEFAULT_LANGUAGE, Catalog

log = logging.getLogger(__name__)


def point_at(settings: DiscordSettings) -> None:
    """Send REST and the gateway where the settings say (Discord, a proxy, or a test server).

    discord.py reads both from class attributes, so this is process-wide: one Discord
    client per process.
    """
    Route.BASE = settings.api_base.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def _error_key(error: app_commands.AppCommandError) -> str:
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "discord.error.outdated"
    if isinstance(error, app_commands.TransformerError):
        return "discord.error.bad_option"
    if isinstance(error, app_commands.NoPrivateMessage):
        return "discord.error.guild_only"
    if isinstance(error, app_commands.CheckFailure):
        return "discord.error.forbidden"
    return "discord.error.internal"


class StudyTree(app_commands.CommandTree["StudyClient"]):
    async def on_error(
        self, interaction: discord.Interaction[StudyClient], error: app_commands.AppCommandError
    ) -> None:
        key = _error_key(error)
        if key == "discord.error.internal":
            log.error(
                "discord: command error (interaction=%s guild=%s channel=%s user=%s)",
                interaction.id,
                interaction.guild_id,
                interaction.channel_id,
                interaction.user.id,
                exc_info=error,
            )
        else:
            log.info("discord: refused interaction %s: %s", interaction.id, error)
        await self.client.handler.fail(interaction, key)


class StudyClient(discord.Client):
    def __init__(
        self,
        core: CoreApi,
        catalog: Catalog,
        settings: DiscordSettings,
        data_dir: Path,
        *,
        language: str = DEFAULT_LANGUAGE,
        defer_after: float = DEFER_AFTER,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        options: dict[str, Any] = {"guild_ready_timeout": guild_ready_timeout}
        if settings.application_id:
            options["application_id"] = settings.application_id
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self._catalog = catalog
        self._settings = settings
        self._data_dir = data_dir
        self._language = language
        self.tree = StudyTree(self)
        self.transport = DiscordTransport(self)
        self.handler = InteractionHandler(core, catalog, self.transport, defer_after=defer_after)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ActionButton)
        await self.tree.set_translator(CatalogTranslator(self._catalog))
        for command in build_commands(
            self._catalog, self._language, self.handler.command, self.handler.suggest
        ):
            self.tree.add_command(command)
        if self.application_id is None:
            log.error("discord: no application id; commands not synced")
            return
        try:
            await sync_if_changed(
                self.tree, self.application_id, self._settings.guild_ids, self._data_dir
            )
        except discord.HTTPException as exc:
            # The commands synced last time keep working; say why this sync failed.
            hint = " (was the bot invited with the applications.commands scope?)"
            log.error("discord: command sync failed: %s%s", exc, hint if exc.status == 403 else "")

    async def handle_action(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        await self.handler.action(interaction, custom_id)

    async def on_ready(self) -> None:
        log.info(
            "discord: connected as %s (application %s) to %d servers",
            self.user,
            self.application_id,
            len(self.guilds),
        )


class DiscordBot:
    """The adapter's life cycle: `start` logs in and connects, `close` disconnects cleanly."""

    def __init__(
        self,
        core: CoreApi,
        settings: DiscordSettings,
        catalog: Catalog,
        data_dir: Path,
        *,
        language: str = DEFAULT_LANGUAGE,
        defer_after: float = DEFER_AFTER,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        if not settings.token:
            raise ValueError(f"no Discord token: set the environment variable {settings.token_env}")
        self._core = core
        self._token = settings.token
        point_at(settings)
        self.client = StudyClient(
            core,
            catalog,
            settings,
            data_dir,
            language=language,
            defer_after=defer_after,
            guild_ready_timeout=guild_ready_timeout,
        )
        self._gateway: asyncio.Task[None] | None = None

    @property
    def transport(self) -> DiscordTransport:
        return self.client.transport

    async def start(self) -> None:
        await self.client.login(self._token)
        self._core.attach(self.client.transport)
        self._gateway = asyncio.create_task(self.client.connect(), name="discord-gateway")

    async def wait_until_ready(self) -> None:
        """Until the gateway delivered the servers (or the connection failed for good)."""
        if self._gateway is None:
            raise RuntimeError("DiscordBot.start() first")
        ready = asyncio.ensure_future(self.client.wait_until_ready())
        await asyncio.wait({ready, self._gateway}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            await self._gateway  # raises why the connection ended

    async def wait(self) -> None:
        """Until the connection ends for good (a fatal error) or the bot is closed."""
        if self._gateway is not None:
            # Shielded: a cancelled caller goes on to close(), which disconnects cleanly.
            await asyncio.shield(self._gateway)

    async def close(self) -> None:
        await self.client.close()
        if self._gateway is not None:
            gateway, self._gateway = self._gateway, None
            if not gateway.done():
                gateway.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                try:
                    await gateway
                except Exception:
                    log.exception("discord: the gateway connection ended with an error")


async def run_discord(
    core: CoreApi,
    settings: Settings | DiscordSettings,
    catalog: Catalog | None = None,
    data_dir: Path | None = None,
    *,
    language: str | None = None,
) -> None:
    """Serve Discord until cancelled (then close cleanly). What `studybot run` awaits.

    With the whole `Settings`, the data directory and default language come from `[bot]`
    and the catalog from the core; with `DiscordSettings` alone, pass `data_dir`.
    """
    if isinstance(settings, Settings):
        discord_settings = settings.discord
        data_dir = data_dir or settings.bot.data_dir
        language = language or settings.bot.language
    else:
        discord_settings = settings
    if data_dir is None:
        raise TypeError("run_discord needs data_dir with DiscordSettings")
    bot = DiscordBot(
        core,
        discord_settings,
        catalog or core.catalog,
        data_dir,
        language=language or DEFAULT_LANGUAGE,
    )
    try:
        await bot.start()
        await bot.wait()
    finally:
        await bot.close()
