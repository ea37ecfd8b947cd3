"""Posting and editing channel messages through the Web API (chat.postMessage, chat.update).

`SlackTransport` is the adapter contract for messages the core starts itself (daily posts,
quiz reveals); the interactive path uses `post_reply` too when it needs a message's `ts`.
Slack's error codes become `DeliveryFailure`s so the scheduler can tell a removed
channel or a missing invite from a network blip.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.render import Labels, render_message, render_thread_message
from bot.core.incoming import ChannelKey
from bot.core.reply import Reply
from bot.core.transport import Delivery, DeliveryError, DeliveryFailure

log = logging.getLogger(__name__)

_GONE = frozenset({"channel_not_found", "is_archived"})
_FORBIDDEN = frozenset(
    {
        "not_in_channel",
        "missing_scope",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "ekm_access_denied",
        "team_access_not_granted",
    }
)

LabelsFor = Callable[[ChannelKey], Labels]
OnDelivered = Callable[[str, ChannelKey, Delivery], Awaitable[None]]


def failure_of(error: str) -> DeliveryFailure:
    if error in _GONE:
        return DeliveryFailure.CHANNEL_NOT_FOUND
    if error in _FORBIDDEN:
        return DeliveryFailure.MISSING_PERMISSION
    return DeliveryFailure.TRANSIENT


async def _call(what: str, call: Awaitable[Any]) -> Any:
    """Await a Web API call, turning every failure into a DeliveryError."""
    try:
        return await call
    except SlackApiError as e:
        error = str(e.response.get("error") or "unknown_error")
        raise DeliveryError(failure_of(error), f"{what}: {error}") from None
    except (TimeoutError, SlackClientError, aiohttp.ClientError, OSError) as e:
        raise DeliveryError(DeliveryFailure.TRANSIENT, f"{what}: {type(e).__name__}") from None


def flatten(reply: Reply) -> Iterator[Reply]:
    """The reply and its followups, in posting order."""
    yield reply
    for followup in reply.followups:
        yield from flatten(followup)


async def post_reply(
    client: AsyncWebClient, channel_id: str, reply: Reply, labels: Labels
) -> Delivery:
    """chat.postMessage one reply (not its followups), then its discussion thread if asked.

    Once the message is out, a failing thread reply is logged, not raised: raising would
    make the caller post the whole message again.
    """
    message = render_message(reply, labels)
    response = await _call(
        "chat.postMessage",
        client.chat_postMessage(channel=channel_id, unfurl_links=False, **message),
    )
    ts = str(response.get("ts") or "")
    if reply.thread is None:
        return Delivery(ts)
    try:
        await _call(
            "chat.postMessage (thread)",
            client.chat_postMessage(
                channel=str(response.get("channel") or channel_id),
                thread_ts=ts,
                unfurl_links=False,
                **render_thread_message(reply.thread.first_message),
            ),
        )
    except DeliveryError as e:
        log.warning("slack: posted %s but not its thread reply: %s", ts, e)
        return Delivery(ts)
    return Delivery(ts, thread_id=ts)


class SlackTransport:
    """The core's way to post to and edit Slack channels on its own."""

    platform = "slack"

    def __init__(
        self, client: AsyncWebClient, labels_for: LabelsFor, on_delivered: OnDelivered
    ) -> None:
        self._client = client
        self._labels_for = labels_for
        self._on_delivered = on_delivered

    async def send(self, channel: ChannelKey, reply: Reply) -> Delivery:
        labels = self._labels_for(channel)
        first = await post_reply(self._client, channel.channel, reply, labels)
        for part in list(flatten(reply))[1:]:
            try:
                delivery = await post_reply(self._client, channel.channel, part, labels)
            except DeliveryError as e:
                # The first message is out: raising now would make the caller post it again.
                log.warning("slack: follow-up to %s not posted: %s", first.message_id, e)
                break
            if part.track:
                # The caller learns only the first message's id; later tracked ones go here.
                await self._on_delivered(part.track, channel, delivery)
        return first

    async def edit(self, channel: ChannelKey, message_id: str, reply: Reply) -> None:
        message = render_message(reply, self._labels_for(channel))
        await _call(
            "chat.update",
            self._client.chat_update(channel=channel.channel, ts=message_id, **message),
        )
