"""What a platform event becomes before the core sees it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChannelKey:
    """A channel on a platform: (platform, workspace or guild id, channel id)."""

    platform: str
    workspace: str
    channel: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.workspace}:{self.channel}"


@dataclass(frozen=True)
class Incoming:
    """A command or a button press from one user in one channel.

    `command` is a command name (`section`, `quiz`, …) or `action` for a button press,
    in which case `args` is the action id. `locale` is the user's locale where the
    platform gives one (`ja`, `en-US`). `is_admin` is decided by the adapter from the
    platform's permissions (Manage Server on Discord, workspace admin or config on Slack).
    """

    channel: ChannelKey
    user: str
    user_name: str
    command: str
    args: str = ""
    locale: str | None = None
    is_admin: bool = False
    # The platform's id for this event (Discord interaction id, Slack retry key…): the core
    # handles each id once, so a retried delivery never runs a command twice.
    event_id: str | None = None
