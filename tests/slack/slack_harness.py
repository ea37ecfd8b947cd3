"""A scripted stand-in core and a Slack-speaking client for the adapter under test."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_fake_api import FakeSlack
from slack_requests import FORM, JSON, action_body, signed, slash_body

from bot.adapters.slack import SlackAdapter
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
    gate: asyncio.Event | None = None
    _event_ids: set[str] = field(default_factory=set)

    async def handle(self, incoming: Incoming) -> Reply | None:
        if incoming.event_id is not None:
            if incoming.event_id in self._event_ids:
                return None
            self._event_ids.add(incoming.event_id)
        self.incomings.append(incoming)
        if self.gate is not None:
            await self.gate.wait()
        key = f"{incoming.command}:{incoming.args}" if incoming.command == "action" else ""
        answer = self.script.get(key) or self.script.get(incoming.command)
        if answer is None:
            return Reply(blocks=(f"{incoming.command} {incoming.args}".strip(),))
        return answer(incoming) if callable(answer) else answer

    async def delivered(self, track: str, channel: ChannelKey, delivery: Delivery) -> None:
        self.delivered_calls.append((track, channel, delivery))

    def autocomplete(
        self, kind: AutocompleteKind, prefix: str, locale: str | None = None
    ) -> list[Suggestion]:
        return []

    def language(self, channel: ChannelKey, locale: str | None) -> str:
        return "ja"

    def attach(self, transport: Transport) -> None:
        self.transports.append(transport)


@dataclass
class Harness:
    """The adapter serving HTTP on 127.0.0.1, and a client that speaks Slack to it."""

    adapter: SlackAdapter
    fake: FakeSlack
    url: str
    session: aiohttp.ClientSession

    async def post(self, body: str, content_type: str, **sign: Any) -> int:
        headers = signed(body, content_type, **sign)
        async with self.session.post(self.url, data=body.encode(), headers=headers) as response:
            await response.read()
            status = response.status
        await self.adapter.drain()
        return status

    async def command(self, text: str, **fields: Any) -> int:
        fields.setdefault("response_url", self.fake.response_url())
        return await self.post(slash_body(text, **fields), FORM)

    async def press(self, action_id: str, **fields: Any) -> int:
        if "home_dm" not in fields:
            fields.setdefault("response_url", self.fake.response_url("press"))
        else:
            fields.setdefault("response_url", None)
        return await self.post(action_body(action_id, **fields), FORM)

    async def event(self, body: dict[str, Any], **sign: Any) -> int:
        return await self.post(json.dumps(body), JSON, **sign)
