"""`studybot slack manifest`: the Slack app manifest (YAML) for creating the app in a minute.

Scopes are the least the adapter uses: `commands` (the slash command), `chat:write`
(daily posts, group questions, DMs from the Home tab) and `users:read` (is this user a
workspace admin, for `schedule`). Without `chat:write.public` the bot posts only where it
was invited, which is what a workspace admin expects; the bot says so when it isn't.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.config import SlackSettings
from bot.core.catalog import DEFAULT_LANGUAGE, Catalog

BOT_SCOPES: tuple[str, ...] = ("commands", "chat:write", "users:read")
BOT_EVENTS: tuple[str, ...] = ("app_home_opened",)
PLACEHOLDER_URL = "https://YOUR-PUBLIC-HOST"
MAX_NAME = 35  # Slack's limit for an app name and a bot display name


def manifest(
    settings: SlackSettings,
    *,
    catalog: Catalog | None = None,
    language: str = DEFAULT_LANGUAGE,
    name: str = "studybot",
    public_url: str | None = None,
) -> str:
    """The manifest for `settings` (mode, command, path), as YAML with a leading note."""
    texts = catalog or Catalog.load()
    command = settings.command
    http = settings.mode == "http"
    base = (public_url or PLACEHOLDER_URL).rstrip("/")
    request_url = base + settings.path

    slash: dict[str, Any] = {
        "command": command,
        "description": texts.text("slack.manifest.command_description", language, command=command),
        "usage_hint": texts.text("slack.manifest.usage_hint", language),
        # Mentions in arguments arrive as typed: the core looks words up, it resolves no users.
        "should_escape": False,
    }
    if http:
        slash["url"] = request_url
    doc: dict[str, Any] = {
        "display_information": {
            "name": name[:MAX_NAME],
            "description": texts.text("slack.manifest.description", language)[:140],
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                # The Messages tab carries the answers to buttons pressed on the Home tab.
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": name[:MAX_NAME], "always_online": True},
            "slash_commands": [slash],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True},
            "org_deploy_enabled": False,
            "socket_mode_enabled": not http,
            "token_rotation_enabled": False,
        },
    }
    if http:
        doc["settings"]["event_subscriptions"]["request_url"] = request_url
        doc["settings"]["interactivity"]["request_url"] = request_url
    if http and public_url is None:
        note = texts.text("slack.manifest.http_note", language, url=PLACEHOLDER_URL)
    elif http:
        note = ""
    else:
        note = texts.text("slack.manifest.socket_note", language)
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)
    return (f"# {note}\n" if note else "") + body
