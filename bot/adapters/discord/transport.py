"""The Transport for Discord: messages the core starts itself (daily posts, quiz reveals).

Failures are told apart for the scheduler: a deleted channel (404) is not a missing
permission (403, named where the cached permissions tell which), and neither is a
network blip or a 5xx (transient, worth retrying).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any, Literal

import aiohttp
import discord

from bot.adapters.discord.render import Payload, render_reply, render_single, render_text
from bot.adapters.discord.render import thread_name as clip_thread_name
from bot.adapters.discord.views import NO_MENTIONS, message_args
from bot.core.incoming import ChannelKey
from bot.core.reply import Reply, ThreadRequest
from bot.core.transport import Delivery, DeliveryError, DeliveryFailure

log = logging.getLogger(__name__)

PLATFORM = "discord"
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440  # a day: long enough for a daily discussion

# Discord error codes.
UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013

# What each step needs, as (discord.py attribute, the name Discord's settings show).
SEND_NEEDS = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
)
THREAD_NEEDS = (
    ("create_public_threads", "Create Public Threads"),
    ("send_messages_in_threads", "Send Messages in Threads"),
)
_GATES = frozenset({"view_channel", "send_messages"})
EDIT_NEEDS = (("view_channel", "View Channel"), ("read_message_history", "Read Message History"))

# An interaction's token can edit the messages it posted for 15 minutes, without needing any
# channel permission; keep a little margin.
EDITOR_LIFETIME = 14 * 60.0

Editor = Callable[[Payload], Awaitable[Any]]


def missing_permissions(channel: object, needs: Sequence[tuple[str, str]]) -> list[str]:
    """The permissions in `needs` the bot lacks in `channel`, from the gateway's cache."""
    if not isinstance(channel, discord.abc.GuildChannel):
        return []
    me = channel.guild.me
    if me is None:
        return []
    perms = channel.permissions_for(me)
    missing: list[str] = []
    for attr, label in needs:
        if not getattr(perms, attr):
            if attr in _GATES:
                # Without it Discord takes away what follows (no Embed Links without Send
                # Messages): name the cause, not the consequences.
                return [*missing, label]
            missing.append(label)
    return missing


def delivery_error(
    exc: BaseException, channel: object = None, needs: Sequence[tuple[str, str]] = ()
) -> DeliveryError:
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, discord.NotFound):
        return DeliveryError(DeliveryFailure.CHANNEL_NOT_FOUND, f"{exc.code}: {exc.text}")
    if isinstance(exc, discord.Forbidden):
        if exc.code == MISSING_ACCESS:
            return DeliveryError(DeliveryFailure.MISSING_PERMISSION, "View Channel")
        missing = missing_permissions(channel, needs)
        if not missing:
            missing = [f"one of: {', '.join(label for _, label in needs)}"] if needs else []
        detail = ", ".join(missing) or f"{exc.code}: {exc.text}"
        return DeliveryError(DeliveryFailure.MISSING_PERMISSION, detail)
    if isinstance(exc, discord.HTTPException):
        return DeliveryError(DeliveryFailure.TRANSIENT, f"HTTP {exc.status} {exc.code}: {exc.text}")
    return DeliveryError(DeliveryFailure.TRANSIENT, f"{type(exc).__name__}: {exc}")


_NETWORK_ERRORS = (discord.HTTPException, aiohttp.ClientError, OSError, asyncio.TimeoutError)


class DiscordTransport:
    platform = PLATFORM

    def __init__(self, client: discord.Client) -> None:
        self._client = client
        self._editors: dict[int, tuple[float, Editor]] = {}

    # Sending ----------------------------------------------------------------------------

    async def send(self, channel: ChannelKey, reply: Reply) -> Delivery:
        target = await self._messageable(channel)
        # A channel post is seen by everyone: ephemeral means nothing here.
        payloads = render_reply(replace(reply, ephemeral=False))
        message: discord.Message | None = None
        for payload in payloads:
            try:
                message = await target.send(**message_args(payload).send_kwargs())
            except _NETWORK_ERRORS as exc:
                raise delivery_error(exc, target, SEND_NEEDS) from exc
        assert message is not None  # render_reply returns at least one payload
        thread_id = None
        if reply.thread is not None:
            thread_id = await self.open_thread(message, reply.thread, channel)
        log.info("discord: posted message %s to %s", message.id, channel)
        return Delivery(str(message.id), thread_id)

    async def open_thread(
        self, message: discord.Message | discord.PartialMessage, request: ThreadRequest, key: object
    ) -> str | None:
        """Open a public thread on a posted message; the post stands even if this fails.

        A failure is logged with the missing permission rather than raised: the message is
        already out, and reporting it undelivered would make the scheduler post it again.
        """
        channel = message.channel
        if not isinstance(channel, discord.TextChannel):
            log.warning("discord: cannot open a thread in %s (not a text channel)", key)
            return None
        try:
            thread = await message.create_thread(
                name=clip_thread_name(request.name), auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
        except _NETWORK_ERRORS as exc:
            error = delivery_error(exc, channel, THREAD_NEEDS)
            log.warning("discord: posted %s in %s but no thread: %s", message.id, key, error)
            return None
        try:
            for payload in render_text(request.first_message):
                await thread.send(payload["content"], allowed_mentions=NO_MENTIONS)
        except _NETWORK_ERRORS as exc:
            error = delivery_error(exc, thread, THREAD_NEEDS)
            log.warning("discord: opened thread %s in %s but no prompt: %s", thread.id, key, error)
        return str(thread.id)

    # Editing ----------------------------------------------------------------------------

    def remember_editor(self, message_id: int, editor: Editor) -> None:
        """Edit `message_id` through its interaction (no channel permission needed) while valid."""
        now = time.monotonic()
        self._editors = {m: e for m, e in self._editors.items() if e[0] > now}
        self._editors[message_id] = (now + EDITOR_LIFETIME, editor)

    async def edit(self, channel: ChannelKey, message_id: str, reply: Reply) -> None:
        try:
            mid = int(message_id)
        except ValueError:
            raise DeliveryError(
                DeliveryFailure.CHANNEL_NOT_FOUND, f"bad message id {message_id!r}"
            ) from None
        payload = render_single(replace(reply, ephemeral=False))
        entry = self._editors.get(mid)
        if entry is not None and entry[0] > time.monotonic():
            try:
                await entry[1](payload)
                return
            except _NETWORK_ERRORS as exc:
                log.info("discord: interaction edit of %s failed (%s); using the channel", mid, exc)
        target = self._partial(channel)
        try:
            await target.get_partial_message(mid).edit(**message_args(payload).edit_kwargs())
        except _NETWORK_ERRORS as exc:
            raise delivery_error(exc, self._client.get_channel(target.id), EDIT_NEEDS) from exc

    # Channels ---------------------------------------------------------------------------

    def _partial(self, key: ChannelKey) -> discord.PartialMessageable:
        try:
            cid = int(key.channel)
        except ValueError:
            raise DeliveryError(
                DeliveryFailure.CHANNEL_NOT_FOUND, f"bad channel id {key.channel!r}"
            ) from None
        guild_id = int(key.workspace) if key.workspace.isdigit() else None
        return self._client.get_partial_messageable(cid, guild_id=guild_id)

    async def _messageable(
        self, key: ChannelKey
    ) -> discord.TextChannel | discord.Thread | discord.VoiceChannel | discord.PartialMessageable:
        partial = self._partial(key)
        if key.workspace == "dm":
            return partial
        channel: object = self._client.get_channel(partial.id)
        if channel is None:
            try:
                channel = await self._client.fetch_channel(partial.id)
            except _NETWORK_ERRORS as exc:
                raise delivery_error(exc) from exc
        if isinstance(channel, discord.TextChannel | discord.Thread | discord.VoiceChannel):
            return channel
        raise DeliveryError(DeliveryFailure.CHANNEL_NOT_FOUND, f"{key} is not a text channel")
