"""Config: every key documented, bad values named by file and key, secrets never echoed."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
SECRET_FIELDS = {"token", "bot_token", "app_token", "signing_secret"}


def test_example_config_loads_and_documents_every_key() -> None:
    settings = load_settings(EXAMPLE, {})
    assert settings.bot.language == "ja"
    documented = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    for table in dataclasses.fields(Settings):
        if table.name == "source":
            continue
        section = getattr(settings, table.name)
        keys = {f.name for f in dataclasses.fields(section)} - SECRET_FIELDS
        assert keys == set(documented[table.name]), table.name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[bot]\nlanguag = 'ja'\n", "[bot] languag: unknown key"),
        ("[schedule]\ngrace_hours = 'six'\n", "[schedule] grace_hours: must be a number"),
        ("[schedule]\ndefault_timezone = 'Asia/Tokio'\n", "[schedule] default_timezone"),
        ("[slack]\nmode = 'carrier-pigeon'\n", "[slack] mode"),
        ("[quiz]\ngroup_timer_seconds = 1\n", "[quiz] group_timer_seconds"),
        ("[nope]\n", "[nope]: unknown table"),
        ("[bot\n", "not valid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path, {})
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_secrets_come_from_the_environment_and_never_show() -> None:
    env = {
        "DISCORD_TOKEN": "discord-secret-value",
        "SLACK_BOT_TOKEN": "xoxb-secret",
        "SLACK_APP_TOKEN": "xapp-secret",
        "STUDYBOT_DISCORD_API_BASE": "http://127.0.0.1:1/api/v10",
    }
    settings = load_settings(None, env)
    assert settings.discord.token == "discord-secret-value" and settings.discord.enabled
    assert settings.slack.enabled
    assert settings.discord.api_base == "http://127.0.0.1:1/api/v10"
    shown = repr(settings)
    for secret in ("discord-secret-value", "xoxb-secret", "xapp-secret"):
        assert secret not in shown
    assert not load_settings(None, {}).discord.enabled
