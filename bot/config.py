"""Settings: TOML (tomllib) → frozen, typed dataclasses. Secrets only from the environment.

Every key is checked: an unknown key, a wrong type or a bad value raises `ConfigError`
naming the file and the key (`config.toml: [schedule] grace_hours: must be a number`).
Secret values are never stored in the TOML and never appear in a repr.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

T = TypeVar("T")

DEFAULT_DISCORD_API_BASE = "https://discord.com/api/v10"
DEFAULT_DISCORD_GATEWAY = "wss://gateway.discord.gg"
DEFAULT_SLACK_API_BASE = "https://slack.com/api/"


class ConfigError(Exception):
    """A bad config file. The message names the file and the key."""


@dataclass(frozen=True)
class BotSettings:
    language: str = "ja"
    data_dir: Path = Path("data")
    content_dir: Path = Path("content")
    document: str = "nd-2025-05"
    log_level: str = "INFO"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "studybot.sqlite3"


@dataclass(frozen=True)
class ReadingSettings:
    excerpt_min: int = 400
    excerpt_max: int = 700
    at_end: str = "stop"  # "stop" or "loop"


@dataclass(frozen=True)
class QuizSettings:
    group_timer_seconds: int = 30
    points: int = 10
    speed_bonus_max: int = 5
    default_count: int = 3


@dataclass(frozen=True)
class ScheduleSettings:
    default_timezone: str = "Asia/Tokyo"
    grace_hours: float = 6.0
    max_failures: int = 3


@dataclass(frozen=True)
class ConsoleSettings:
    channel: str = "console"
    user: str = "you"


@dataclass(frozen=True)
class DiscordSettings:
    token_env: str = "DISCORD_TOKEN"
    application_id: int = 0
    guild_ids: tuple[int, ...] = ()
    api_base: str = DEFAULT_DISCORD_API_BASE
    gateway_url: str = DEFAULT_DISCORD_GATEWAY
    token: str | None = field(default=None, repr=False)

    @property
    def enabled(self) -> bool:
        return bool(self.token)


@dataclass(frozen=True)
class SlackSettings:
    mode: str = "socket"  # "socket" or "http"
    bot_token_env: str = "SLACK_BOT_TOKEN"
    app_token_env: str = "SLACK_APP_TOKEN"
    signing_secret_env: str = "SLACK_SIGNING_SECRET"
    command: str = "/study"
    host: str = "0.0.0.0"
    port: int = 3000
    path: str = "/slack/events"
    api_base: str = DEFAULT_SLACK_API_BASE
    admin_user_ids: tuple[str, ...] = ()
    bot_token: str | None = field(default=None, repr=False)
    app_token: str | None = field(default=None, repr=False)
    signing_secret: str | None = field(default=None, repr=False)

    @property
    def enabled(self) -> bool:
        if not self.bot_token:
            return False
        return bool(self.app_token) if self.mode == "socket" else bool(self.signing_secret)


@dataclass(frozen=True)
class Settings:
    bot: BotSettings = BotSettings()
    reading: ReadingSettings = ReadingSettings()
    quiz: QuizSettings = QuizSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    console: ConsoleSettings = ConsoleSettings()
    discord: DiscordSettings = DiscordSettings()
    slack: SlackSettings = SlackSettings()
    source: str = "(defaults)"


class _Table:
    """Reads one TOML table, remembering which keys were used so unknown ones can be named."""

    def __init__(self, source: str, name: str, data: Mapping[str, Any]) -> None:
        self.source, self.name, self.data = source, name, data
        self.used: set[str] = set()

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.source}: [{self.name}] {key}: {message}")

    def get(self, key: str, kind: type[T], default: T) -> T:
        self.used.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if kind is Path:
            if not isinstance(value, str) or not value:
                raise self.fail(key, "must be a path (a non-empty string)")
            return Path(value)  # type: ignore[return-value]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"must be {_KIND_NAMES.get(kind, kind.__name__)}")
        return value

    def get_list(self, key: str, kind: type[T]) -> tuple[T, ...]:
        self.used.add(key)
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(v, kind) and not isinstance(v, bool) for v in value
        ):
            raise self.fail(key, f"must be a list of {_KIND_NAMES.get(kind, kind.__name__)}s")
        return tuple(value)

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.fail(unknown[0], "unknown key (see config.example.toml)")


_KIND_NAMES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
}
_TABLES = ("bot", "reading", "quiz", "schedule", "console", "discord", "slack")


def load_settings(path: Path | None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read a config file (or the defaults when `path` is None) and the secrets from `environ`."""
    env = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    source = "(defaults)"
    if path is not None:
        source = str(path)
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
        except FileNotFoundError:
            raise ConfigError(f"{source}: file not found") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{source}: not valid TOML: {e}") from None
    for key, value in data.items():
        if key not in _TABLES:
            raise ConfigError(f"{source}: [{key}]: unknown table (known: {', '.join(_TABLES)})")
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {key}: must be a table [{key}]")

    def table(name: str) -> _Table:
        return _Table(source, name, data.get(name, {}))

    t = table("bot")
    bot = BotSettings(
        language=t.get("language", str, "ja"),
        data_dir=t.get("data_dir", Path, Path("data")),
        content_dir=t.get("content_dir", Path, Path("content")),
        document=t.get("document", str, "nd-2025-05"),
        log_level=t.get("log_level", str, "INFO").upper(),
    )
    if bot.language not in ("ja", "en"):
        raise t.fail("language", 'must be "ja" or "en"')
    if bot.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise t.fail("log_level", "must be DEBUG, INFO, WARNING or ERROR")
    t.finish()

    t = table("reading")
    reading = ReadingSettings(
        excerpt_min=t.get("excerpt_min", int, 400),
        excerpt_max=t.get("excerpt_max", int, 700),
        at_end=t.get("at_end", str, "stop"),
    )
    if not 100 <= reading.excerpt_min <= reading.excerpt_max <= 1800:
        raise t.fail("excerpt_max", "need 100 <= excerpt_min <= excerpt_max <= 1800")
    if reading.at_end not in ("stop", "loop"):
        raise t.fail("at_end", 'must be "stop" or "loop"')
    t.finish()

    t = table("quiz")
    quiz = QuizSettings(
        group_timer_seconds=t.get("group_timer_seconds", int, 30),
        points=t.get("points", int, 10),
        speed_bonus_max=t.get("speed_bonus_max", int, 5),
        default_count=t.get("default_count", int, 3),
    )
    if not 5 <= quiz.group_timer_seconds <= 600:
        raise t.fail("group_timer_seconds", "must be between 5 and 600")
    if quiz.points < 1 or quiz.speed_bonus_max < 0:
        raise t.fail("points", "points must be >= 1 and speed_bonus_max >= 0")
    if not 1 <= quiz.default_count <= 10:
        raise t.fail("default_count", "must be between 1 and 10")
    t.finish()

    t = table("schedule")
    schedule = ScheduleSettings(
        default_timezone=t.get("default_timezone", str, "Asia/Tokyo"),
        grace_hours=t.get("grace_hours", float, 6.0),
        max_failures=t.get("max_failures", int, 3),
    )
    try:
        ZoneInfo(schedule.default_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise t.fail("default_timezone", "not an IANA time zone (e.g. Asia/Tokyo)") from None
    if not 0 <= schedule.grace_hours <= 24:
        raise t.fail("grace_hours", "must be between 0 and 24")
    if schedule.max_failures < 1:
        raise t.fail("max_failures", "must be >= 1")
    t.finish()

    t = table("console")
    console = ConsoleSettings(
        channel=t.get("channel", str, "console"), user=t.get("user", str, "you")
    )
    t.finish()

    t = table("discord")
    token_env = t.get("token_env", str, "DISCORD_TOKEN")
    discord = DiscordSettings(
        token_env=token_env,
        application_id=t.get("application_id", int, 0),
        guild_ids=t.get_list("guild_ids", int),
        api_base=env.get("STUDYBOT_DISCORD_API_BASE")
        or t.get("api_base", str, DEFAULT_DISCORD_API_BASE),
        gateway_url=env.get("STUDYBOT_DISCORD_GATEWAY_URL")
        or t.get("gateway_url", str, DEFAULT_DISCORD_GATEWAY),
        token=env.get(token_env) or None,
    )
    t.used.update({"api_base", "gateway_url"})
    t.finish()

    t = table("slack")
    names = {
        "bot": t.get("bot_token_env", str, "SLACK_BOT_TOKEN"),
        "app": t.get("app_token_env", str, "SLACK_APP_TOKEN"),
        "secret": t.get("signing_secret_env", str, "SLACK_SIGNING_SECRET"),
    }
    slack = SlackSettings(
        mode=t.get("mode", str, "socket"),
        bot_token_env=names["bot"],
        app_token_env=names["app"],
        signing_secret_env=names["secret"],
        command=t.get("command", str, "/study"),
        host=t.get("host", str, "0.0.0.0"),
        port=t.get("port", int, 3000),
        path=t.get("path", str, "/slack/events"),
        api_base=env.get("STUDYBOT_SLACK_API_BASE")
        or t.get("api_base", str, DEFAULT_SLACK_API_BASE),
        admin_user_ids=t.get_list("admin_user_ids", str),
        bot_token=env.get(names["bot"]) or None,
        app_token=env.get(names["app"]) or None,
        signing_secret=env.get(names["secret"]) or None,
    )
    t.used.add("api_base")
    if slack.mode not in ("socket", "http"):
        raise t.fail("mode", 'must be "socket" or "http"')
    if not slack.command.startswith("/"):
        raise t.fail("command", 'must start with "/" (e.g. "/study")')
    if not slack.path.startswith("/"):
        raise t.fail("path", 'must start with "/"')
    t.finish()

    return Settings(bot, reading, quiz, schedule, console, discord, slack, source)
