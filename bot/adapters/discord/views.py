"""Rendered payloads → the objects discord.py sends, and the one persistent button class.

Every button we send is a plain `discord.ui.Button` in a view that is stopped before it is
sent, so discord.py keeps nothing in memory for it. Clicks are routed by `ActionButton`, a
`DynamicItem` whose template matches our action-id grammar: it is rebuilt from the
clicked message's `custom_id` every time, so buttons work after a restart and never
time out (the state they need is in the store, under the ids they carry).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord

from bot.adapters.discord.render import EPHEMERAL, Payload

# kind:arg:arg… (bot.core.actions); at most 100 characters, checked by Discord and by us.
ACTION_TEMPLATE = re.compile(r"[a-z][a-z0-9_-]{0,31}(?::[^:]*)*")

NO_MENTIONS = discord.AllowedMentions.none()

ActionHandler = Callable[[discord.Interaction[Any], str], Awaitable[None]]


@dataclass
class MessageArgs:
    """Keyword arguments for discord.py's send and edit calls."""

    embeds: list[discord.Embed]
    view: discord.ui.View | None
    ephemeral: bool

    def send_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"embeds": self.embeds, "allowed_mentions": NO_MENTIONS}
        if self.view is not None:
            kwargs["view"] = self.view
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        # An edit replaces the buttons too: no view means "remove them".
        return {"embeds": self.embeds, "view": self.view, "allowed_mentions": NO_MENTIONS}


def static_view(components: list[Payload]) -> discord.ui.View | None:
    if not components:
        return None
    view = discord.ui.View(timeout=None)
    for row, action_row in enumerate(components):
        for b in action_row["components"]:
            view.add_item(
                discord.ui.Button(
                    style=discord.ButtonStyle(b["style"]),
                    label=b["label"],
                    custom_id=b["custom_id"],
                    disabled=b["disabled"],
                    row=row,
                )
            )
    # Stopped: discord.py only serializes it (ActionButton handles the clicks).
    view.stop()
    return view


def message_args(payload: Payload) -> MessageArgs:
    return MessageArgs(
        embeds=[discord.Embed.from_dict(e) for e in payload.get("embeds", [])],
        view=static_view(payload.get("components", [])),
        ephemeral=bool(payload.get("flags", 0) & EPHEMERAL),
    )


def _handler_of(client: discord.Client) -> ActionHandler | None:
    handler = getattr(client, "handle_action", None)
    return handler if callable(handler) else None


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ACTION_TEMPLATE):
    """Any button whose custom_id is one of our action ids, on any message, at any time."""

    def __init__(self, item: discord.ui.Button[Any]) -> None:
        super().__init__(item)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ActionButton:
        if not isinstance(item, discord.ui.Button):
            raise TypeError(f"not a button: {item!r}")
        return cls(item)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler = _handler_of(interaction.client)
        if handler is not None:
            await handler(interaction, self.custom_id)
