"""Answering a command or a button press: the core's reply goes back where it came from.

- `replace` → the pressed message is replaced through its response_url.
- `ephemeral` → response_url with response_type `ephemeral` (only the user sees it).
- `track` or `thread` → chat.postMessage, because only the Web API gives back the `ts`
  the core needs (to edit the group question at reveal) and a thread to reply in.
- anything else → response_url with response_type `in_channel` (works even where the bot
  was never invited).
- No response_url (a press on the Home tab) → chat.postMessage to the user's App DM.
A channel the bot can't post to is explained to the user privately, not swallowed.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack.inbound import Origin
from bot.adapters.slack.render import Labels, render_message
from bot.adapters.slack.transport import OnDelivered, flatten, post_reply
from bot.core.catalog import Catalog
from bot.core.reply import Reply, error_reply
from bot.core.transport import DeliveryError, DeliveryFailure

log = logging.getLogger(__name__)

_FAILURE_KEYS: dict[DeliveryFailure, str] = {
    DeliveryFailure.CHANNEL_NOT_FOUND: "slack.error.channel_not_found",
    DeliveryFailure.MISSING_PERMISSION: "slack.error.not_in_channel",
    DeliveryFailure.TRANSIENT: "slack.error.transient",
}


class Responder:
    def __init__(self, client: AsyncWebClient, catalog: Catalog, on_delivered: OnDelivered) -> None:
        self._client = client
        self._catalog = catalog
        self._on_delivered = on_delivered

    async def answer(self, reply: Reply, origin: Origin, labels: Labels, lang: str) -> None:
        # A part that could not be delivered is logged (and explained, where Slack lets us);
        # the rest still go out: the core has already acted on the whole reply.
        for i, part in enumerate(flatten(reply)):
            await self._answer_one(part, origin, labels, lang, first=i == 0)

    async def _answer_one(
        self, reply: Reply, origin: Origin, labels: Labels, lang: str, *, first: bool
    ) -> bool:
        needs_ts = bool(reply.track or reply.thread) and not reply.ephemeral
        if origin.response_url is None or needs_ts:
            return await self._post(reply, origin, labels, lang)
        message: dict[str, Any] = render_message(reply, labels)
        if reply.replace and first:
            message["replace_original"] = True
        else:
            message["replace_original"] = False
            message["response_type"] = "ephemeral" if reply.ephemeral else "in_channel"
        return await self._send(origin.response_url, message)

    async def _post(self, reply: Reply, origin: Origin, labels: Labels, lang: str) -> bool:
        channel_id = origin.channel.channel or origin.user
        try:
            delivery = await post_reply(self._client, channel_id, reply, labels)
        except DeliveryError as e:
            log.warning("slack: could not post to %s: %s", origin.channel, e)
            if origin.response_url is not None:
                notice = error_reply(self._catalog.text(_FAILURE_KEYS[e.failure], lang))
                message = render_message(notice, labels)
                await self._send(
                    origin.response_url,
                    {**message, "response_type": "ephemeral", "replace_original": False},
                )
            return False
        if reply.track:
            await self._on_delivered(reply.track, origin.channel, delivery)
        return True

    async def _send(self, url: str, message: dict[str, Any]) -> bool:
        try:
            response = await AsyncWebhookClient(url).send_dict(message)
        except Exception as e:  # a dead response_url must not crash the listener
            log.warning("slack: response_url failed: %s", type(e).__name__)
            return False
        if response.status_code != 200:
            log.warning("slack: response_url answered %s: %s", response.status_code, response.body)
            return False
        return True
