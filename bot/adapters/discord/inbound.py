"""Interactions → one core call → the reply rendered back: convert in, call, convert out.

Discord wants an answer within 3 seconds. The core normally answers in milliseconds; when
it has not answered after `defer_after` seconds the interaction is deferred (an ephemeral
"thinking…" for a command, a silent acknowledgement for a button) and the reply follows.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.render import Payload, render_reply, thread_name
from bot.adapters.discord.transport import DiscordTransport, Editor
from bot.adapters.discord.views import message_args
from bot.core.api import MAX_SUGGESTIONS, AutocompleteKind, CoreApi
from bot.core.catalog import DEFAULT_LANGUAGE, Catalog
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Reply, error_reply
from bot.core.transport import Delivery

log = logging.getLogger(__name__)

HANDLED_EVENT = "studybot_handled"  # dispatched with the interaction id once it is answered
MAX_CHOICE = 100
DEFER_AFTER = 2.0


def channel_key(interaction: discord.Interaction[Any]) -> ChannelKey:
    guild = str(interaction.guild_id) if interaction.guild_id else "dm"
    return ChannelKey("discord", guild, str(interaction.channel_id or 0))


def incoming_from(interaction: discord.Interaction[Any], command: str, args: str) -> Incoming:
    in_guild = interaction.guild_id is not None
    return Incoming(
        channel=channel_key(interaction),
        user=str(interaction.user.id),
        user_name=interaction.user.display_name,
        command=command,
        args=args,
        locale=interaction.locale.value,
        is_admin=in_guild and interaction.permissions.manage_guild,
        event_id=str(interaction.id),
    )


def _context(interaction: discord.Interaction[Any], incoming: Incoming | None = None) -> str:
    what = f"{incoming.command} {incoming.args!r}" if incoming else str(interaction.type.name)
    return (
        f"interaction={interaction.id} {what} guild={interaction.guild_id} "
        f"channel={interaction.channel_id} user={interaction.user.id}"
    )


class InteractionHandler:
    def __init__(
        self,
        core: CoreApi,
        catalog: Catalog,
        transport: DiscordTransport,
        *,
        defer_after: float = DEFER_AFTER,
    ) -> None:
        self._core = core
        self._catalog = catalog
        self._transport = transport
        self.defer_after = defer_after

    # Entry points -----------------------------------------------------------------------

    async def command(self, interaction: discord.Interaction[Any], command: str, args: str) -> None:
        try:
            await self._handle(interaction, incoming_from(interaction, command, args))
        finally:
            interaction.client.dispatch(HANDLED_EVENT, interaction.id)

    async def action(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        try:
            await self._handle(interaction, incoming_from(interaction, "action", custom_id))
        finally:
            interaction.client.dispatch(HANDLED_EVENT, interaction.id)

    async def suggest(
        self, interaction: discord.Interaction[Any], kind: AutocompleteKind, current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            found = self._core.autocomplete(kind, current, interaction.locale.value)
            return [
                app_commands.Choice(name=_fit(s.name), value=_fit(s.value))
                for s in found[:MAX_SUGGESTIONS]
                if s.name and s.value
            ]
        except Exception:
            log.exception("discord: autocomplete failed (%s, %r)", _context(interaction), current)
            return []
        finally:
            interaction.client.dispatch(HANDLED_EVENT, interaction.id)

    async def fail(self, interaction: discord.Interaction[Any], key: str) -> None:
        """Tell the user, briefly and privately, that their interaction could not be served."""
        try:
            await self._error(interaction, key)
        finally:
            interaction.client.dispatch(HANDLED_EVENT, interaction.id)

    # The one core call ------------------------------------------------------------------

    async def _handle(self, interaction: discord.Interaction[Any], incoming: Incoming) -> None:
        task = asyncio.ensure_future(self._core.handle(incoming))
        try:
            deferred = await self._defer_if_slow(interaction, task)
            reply = await task
        except Exception:
            log.exception("discord: the core failed on %s", _context(interaction, incoming))
            await self._error(interaction, "discord.error.internal")
            return
        if reply is None:
            log.info("discord: already handled %s", _context(interaction, incoming))
            await self._ack_silently(interaction)
            return
        try:
            await self._respond(interaction, incoming.channel, reply, deferred)
        except Exception:
            log.exception("discord: could not answer %s", _context(interaction, incoming))
            await self._error(interaction, "discord.error.internal")

    async def _defer_if_slow(
        self, interaction: discord.Interaction[Any], task: asyncio.Future[Reply | None]
    ) -> bool:
        """Defer if the core has not answered in time; whether it was deferred."""
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if done:
            return False
        try:
            if interaction.type is discord.InteractionType.component:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=True, thinking=True)
        except discord.HTTPException as exc:
            # Probably expired already; the core's work still completes and the reply is tried.
            log.warning("discord: could not defer %s: %s", _context(interaction), exc)
            return False
        return True

    async def _ack_silently(self, interaction: discord.Interaction[Any]) -> None:
        # A retried event another worker already answered: a button press can be acknowledged
        # without a trace; a command cannot, and its first answer already went out.
        if interaction.type is not discord.InteractionType.component:
            return
        if interaction.response.is_done():
            return
        try:
            await interaction.response.defer()
        except discord.HTTPException as exc:
            log.debug("discord: silent ack of %s refused: %s", interaction.id, exc)

    # Replies ----------------------------------------------------------------------------

    async def _respond(
        self,
        interaction: discord.Interaction[Any],
        channel: ChannelKey,
        reply: Reply,
        deferred: bool,
    ) -> None:
        payloads = render_reply(reply)
        message_id, original = await self._first(interaction, reply, payloads[0], deferred)
        for payload in payloads[1:]:
            message_id, original = await self._followup(interaction, payload), False
        await self._after_send(interaction, channel, reply, message_id, original)
        for followup in reply.followups:
            await self._send_followup(interaction, channel, followup)

    async def _first(
        self,
        interaction: discord.Interaction[Any],
        reply: Reply,
        payload: Payload,
        deferred: bool,
    ) -> tuple[int | None, bool]:
        """Send the first payload as the interaction's own response; (message id, is original)."""
        args = message_args(payload)
        response = interaction.response
        on_button = interaction.type is discord.InteractionType.component
        if on_button and reply.replace:
            if deferred:
                edited = await interaction.edit_original_response(**args.edit_kwargs())
                return edited.id, True
            await response.edit_message(**args.edit_kwargs())
            return (interaction.message.id if interaction.message else None), True
        if not deferred:
            sent = await response.send_message(**args.send_kwargs(), ephemeral=args.ephemeral)
            if sent.message_id is None and (reply.track or reply.thread):
                # Discord normally returns the id with the callback; ask if it did not.
                return (await interaction.original_response()).id, True
            return sent.message_id, True
        if on_button:
            # Deferred silently: nothing is on screen yet, so this is a plain new message.
            return await self._followup(interaction, payload), False
        # A command deferred with a private "thinking…": its flags cannot change afterwards.
        if args.ephemeral:
            edited = await interaction.edit_original_response(**args.edit_kwargs())
            return edited.id, True
        await interaction.edit_original_response(
            content=self._text(interaction, "discord.posted"), embeds=[], view=None
        )
        return await self._followup(interaction, payload), False

    async def _followup(self, interaction: discord.Interaction[Any], payload: Payload) -> int:
        args = message_args(payload)
        sent = await interaction.followup.send(
            **args.send_kwargs(), ephemeral=args.ephemeral, wait=True
        )
        return sent.id

    async def _send_followup(
        self, interaction: discord.Interaction[Any], channel: ChannelKey, reply: Reply
    ) -> None:
        message_id: int | None = None
        for payload in render_reply(reply):
            message_id = await self._followup(interaction, payload)
        await self._after_send(interaction, channel, reply, message_id, False)
        for followup in reply.followups:
            await self._send_followup(interaction, channel, followup)

    async def _after_send(
        self,
        interaction: discord.Interaction[Any],
        channel: ChannelKey,
        reply: Reply,
        message_id: int | None,
        original: bool,
    ) -> None:
        if message_id is None:
            return
        thread_id: str | None = None
        if reply.thread is not None and not reply.ephemeral:
            thread_id = await self._open_thread(interaction, message_id, reply)
        if reply.track is None:
            return
        if not reply.ephemeral:
            self._transport.remember_editor(message_id, _editor(interaction, message_id, original))
        await self._core.delivered(reply.track, channel, Delivery(str(message_id), thread_id))

    async def _open_thread(
        self, interaction: discord.Interaction[Any], message_id: int, reply: Reply
    ) -> str | None:
        assert reply.thread is not None
        channel = interaction.channel
        if not isinstance(channel, discord.TextChannel):
            return None
        message = channel.get_partial_message(message_id)
        thread_id = await self._transport.open_thread(
            message, reply.thread, channel_key(interaction)
        )
        if thread_id is None:
            await self._error(
                interaction, "discord.error.thread", name=thread_name(reply.thread.name)
            )
        return thread_id

    # Errors -----------------------------------------------------------------------------

    def _language(self, interaction: discord.Interaction[Any]) -> str:
        try:
            return self._core.language(channel_key(interaction), interaction.locale.value)
        except Exception:
            log.exception("discord: no language for %s", _context(interaction))
            return DEFAULT_LANGUAGE

    def _text(self, interaction: discord.Interaction[Any], key: str, **values: Any) -> str:
        return self._catalog.text(key, self._language(interaction), **values)

    async def _error(self, interaction: discord.Interaction[Any], key: str, **values: Any) -> None:
        args = message_args(render_reply(error_reply(self._text(interaction, key, **values)))[0])
        try:
            if interaction.response.is_done():
                await interaction.followup.send(**args.send_kwargs(), ephemeral=True)
            elif interaction.type is discord.InteractionType.autocomplete:
                await interaction.response.autocomplete([])
            else:
                await interaction.response.send_message(**args.send_kwargs(), ephemeral=True)
        except discord.HTTPException as exc:
            log.warning("discord: could not show an error to %s: %s", _context(interaction), exc)


def _fit(text: str) -> str:
    return text if len(text) <= MAX_CHOICE else text[: MAX_CHOICE - 1] + "…"


def _editor(interaction: discord.Interaction[Any], message_id: int, original: bool) -> Editor:
    async def edit(payload: Payload) -> None:
        args = message_args(payload)
        if original:
            await interaction.edit_original_response(**args.edit_kwargs())
        else:
            await interaction.followup.edit_message(message_id, **args.edit_kwargs())

    return edit
