"""Slack payloads → `Incoming`. Pure functions over the request bodies Bolt parsed.

A slash command `/study section 2.3.1` becomes command `section`, args `2.3.1` (bare
`/study` is `help`); a button press becomes command `action` with the action id as args.
Slack gives no locale on these payloads, so `locale` stays None and the channel's
setting decides the language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.incoming import ChannelKey, Incoming

PLATFORM = "slack"


@dataclass(frozen=True)
class Origin:
    """Where the answer to a request goes: the channel, and the response_url if Slack gave one."""

    channel: ChannelKey
    user: str
    response_url: str | None = None


def unescape(text: str) -> str:
    """Slack sends `&`, `<`, `>` as entities in user text; give the core what was typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def split_command(text: str) -> tuple[str, str]:
    """`section 第２部３（１）` → (`section`, `第２部３（１）`); empty → (`help`, ``)."""
    parts = unescape(text).strip().split(maxsplit=1)
    if not parts:
        return "help", ""
    # Typed with a Japanese IME the command word may come full-width (ｓｅｃｔｉｏｎ).
    command = unicodedata.normalize("NFKC", parts[0]).lower()
    return command, parts[1].strip() if len(parts) > 1 else ""


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def command_incoming(body: Mapping[str, Any]) -> tuple[Incoming, Origin]:
    """A slash command request (form fields) → Incoming and where to answer it."""
    command, args = split_command(_str(body.get("text")))
    channel = ChannelKey(PLATFORM, _str(body.get("team_id")), _str(body.get("channel_id")))
    user = _str(body.get("user_id"))
    incoming = Incoming(
        channel=channel,
        user=user,
        user_name=_str(body.get("user_name")) or user,
        command=command,
        args=args,
        # Slack retries nothing but the same trigger_id names one invocation everywhere.
        event_id=_str(body.get("trigger_id")) or None,
    )
    return incoming, Origin(channel, user, _str(body.get("response_url")) or None)


def is_home_action(body: Mapping[str, Any]) -> bool:
    return _str(_mapping(body.get("view")).get("type")) == "home"


def action_incoming(body: Mapping[str, Any]) -> tuple[Incoming, Origin] | None:
    """A `block_actions` payload → Incoming for its first action, or None if it has none.

    A press on the Home tab has no channel: the Home view carries the user's App DM
    channel id in `private_metadata` (set when it was published), and the answer goes there.
    """
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        return None
    action_id = _str(_mapping(actions[0]).get("action_id"))
    if not action_id:
        return None
    user_info = _mapping(body.get("user"))
    user = _str(user_info.get("id"))
    team = _str(_mapping(body.get("team")).get("id")) or _str(user_info.get("team_id"))
    response_url: str | None = None
    if is_home_action(body):
        channel_id = _str(_mapping(body.get("view")).get("private_metadata")) or user
    else:
        channel_id = _str(_mapping(body.get("channel")).get("id"))
        response_url = _str(body.get("response_url")) or None
    channel = ChannelKey(PLATFORM, team, channel_id)
    incoming = Incoming(
        channel=channel,
        user=user,
        user_name=_str(user_info.get("username")) or _str(user_info.get("name")) or user,
        command="action",
        args=action_id,
        event_id=_str(body.get("trigger_id")) or None,
    )
    return incoming, Origin(channel, user, response_url)


def home_incoming(body: Mapping[str, Any]) -> Incoming | None:
    """An `app_home_opened` event on the Home tab → the `home` command; other tabs → None."""
    event = _mapping(body.get("event"))
    if _str(event.get("tab")) != "home":
        return None
    user = _str(event.get("user"))
    if not user:
        return None
    return Incoming(
        channel=ChannelKey(PLATFORM, _str(body.get("team_id")), _str(event.get("channel")) or user),
        user=user,
        user_name=user,
        command="home",
        event_id=_str(body.get("event_id")) or None,
    )


def delivery_key(body: Mapping[str, Any]) -> str | None:
    """The id Slack keeps across retries of one delivery (event_id, else trigger_id)."""
    return _str(body.get("event_id")) or _str(body.get("trigger_id")) or None
