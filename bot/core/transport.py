"""The adapter contract for messages the core starts itself (daily posts, quiz reveals).

A platform adapter registers one `Transport`. The core hands it a `Reply` and gets back
a `Delivery` (the platform's message id, and the thread it opened, if any) or a
`DeliveryError` saying why not, so the scheduler can tell a deleted channel from a
network blip.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.core.incoming import ChannelKey
from bot.core.reply import Reply


@dataclass(frozen=True)
class Delivery:
    message_id: str
    thread_id: str | None = None


class DeliveryFailure(Enum):
    CHANNEL_NOT_FOUND = "channel_not_found"  # deleted, or the bot was removed
    MISSING_PERMISSION = "missing_permission"  # e.g. Discord 50013, Slack not_in_channel
    TRANSIENT = "transient"  # network, rate limit, 5xx: worth retrying


class DeliveryError(Exception):
    def __init__(self, failure: DeliveryFailure, detail: str = "") -> None:
        super().__init__(f"{failure.value}: {detail}" if detail else failure.value)
        self.failure = failure
        self.detail = detail


class Transport(Protocol):
    platform: str

    async def send(self, channel: ChannelKey, reply: Reply) -> Delivery:
        """Post `reply` to `channel` (opening `reply.thread` if set)."""
        ...

    async def edit(self, channel: ChannelKey, message_id: str, reply: Reply) -> None:
        """Replace the content of a message this bot posted earlier."""
        ...
