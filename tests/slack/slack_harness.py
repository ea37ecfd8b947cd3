"""A scripted stand-in core and a Slack-speaking client for the adapter under test."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_fake_api import FakeSlack
from slack_requests import FORM, JSON, action_body, signed, slash_body

from bot.adapters.slack import SlackAdapter


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
