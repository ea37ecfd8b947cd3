"""`studybot slack manifest`: a Slack app manifest that creates a working app."""

from __future__ import annotations

import yaml

from bot.adapters.slack import manifest
from bot.config import SlackSettings
from bot.core.catalog import Catalog


def test_socket_mode_manifest(slack_catalog: Catalog) -> None:
    text = manifest(SlackSettings(), catalog=slack_catalog)
    assert text.startswith("# ")  # a one-line note on what to do next
    doc = yaml.safe_load(text)
    [command] = doc["features"]["slash_commands"]
    assert command["command"] == "/study" and "url" not in command
    assert command["should_escape"] is False
    assert "/study help" in command["description"]
    assert doc["oauth_config"]["scopes"]["bot"] == ["commands", "chat:write", "users:read"]
    assert doc["settings"]["event_subscriptions"] == {"bot_events": ["app_home_opened"]}
    assert doc["settings"]["interactivity"] == {"is_enabled": True}
    assert doc["settings"]["socket_mode_enabled"] is True
    assert doc["features"]["app_home"]["home_tab_enabled"] is True
    assert len(doc["display_information"]["description"]) <= 140


def test_http_mode_manifest_points_every_url_at_the_events_path(slack_catalog: Catalog) -> None:
    settings = SlackSettings(mode="http", command="/dokusho", path="/hooks/slack")
    doc = yaml.safe_load(
        manifest(settings, catalog=slack_catalog, public_url="https://bot.example.org/")
    )
    url = "https://bot.example.org/hooks/slack"
    assert doc["features"]["slash_commands"][0]["command"] == "/dokusho"
    assert doc["features"]["slash_commands"][0]["url"] == url
    assert doc["settings"]["event_subscriptions"]["request_url"] == url
    assert doc["settings"]["interactivity"]["request_url"] == url
    assert doc["settings"]["socket_mode_enabled"] is False


def test_http_mode_without_a_url_says_what_to_replace(slack_catalog: Catalog) -> None:
    text = manifest(SlackSettings(mode="http"), catalog=slack_catalog, language="en")
    assert text.splitlines()[0].startswith("# HTTP mode") and "YOUR-PUBLIC-HOST" in text
