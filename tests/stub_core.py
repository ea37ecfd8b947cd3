"""A stand-in for the core, for adapter tests that check only what an adapter does.

It answers from a script and records what it was asked; the adapters' end-to-end tests
use the real core instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.api import AutocompleteKind, Suggestion
from bot.core.catalog import Catalog
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Reply
from bot.core.transport import Delivery, Transport

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
