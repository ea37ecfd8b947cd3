"""`studybot` — run | console | content … | quiz … | discord … | slack …"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.content.loader import ContentError
from bot.storage.database import StoreError

DEFAULT_CONFIG = Path("config.toml")


def _settings(path: Path | None) -> Settings:
    if path is None and DEFAULT_CONFIG.is_file():
        path = DEFAULT_CONFIG
    return load_settings(path)


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="config file (default: ./config.toml if present, else built-in defaults)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studybot", description="読書会ボット / study-group bot")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start every configured adapter and the scheduler")
    _add_config(run)

    console = sub.add_parser("console", help="talk to the bot in this terminal")
    _add_config(console)
    console.add_argument("--user", default=None, help="who you are (to play several members)")
    console.add_argument("--channel", default=None, help="which pretend channel")

    from bot.content.cli import add_parsers

    add_parsers(sub)

    discord = sub.add_parser("discord", help="Discord helpers")
    discord_sub = discord.add_subparsers(dest="discord_command", required=True)
    invite = discord_sub.add_parser("invite-url", help="print the OAuth2 URL to add the bot")
    _add_config(invite)
    invite.add_argument("--application-id", type=int, default=None)

    slack = sub.add_parser("slack", help="Slack helpers")
    slack_sub = slack.add_subparsers(dest="slack_command", required=True)
    manifest = slack_sub.add_parser("manifest", help="print a Slack app manifest (YAML)")
    _add_config(manifest)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    try:
        if handler is not None:
            return int(handler(args))
        if args.command == "console":
            return _console(args)
        if args.command == "run":
            return _run(args)
        if args.command == "discord":
            return _discord(args)
        if args.command == "slack":
            return _slack(args)
    except ConfigError as e:
        print(f"studybot: {e}", file=sys.stderr)
        return 2
    except ContentError as e:
        # Each problem as FILE:LINE: message, so an editor can jump to it.
        print(str(e), file=sys.stderr)
        return 1
    except StoreError as e:
        print(f"studybot: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `studybot content export | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    parser.print_help()
    return 2


def _console(args: argparse.Namespace) -> int:
    from bot.adapters.console import ConsoleAdapter
    from bot.app import build_core

    settings = _settings(args.config)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    core = build_core(settings)
    adapter = ConsoleAdapter(
        core,
        channel=args.channel or settings.console.channel,
        user=args.user or settings.console.user,
    )

    async def session() -> None:
        if sys.stdin.isatty():
            timers = asyncio.create_task(core.run_timers())
            try:
                await adapter.run_interactive(sys.stdin)
            finally:
                timers.cancel()
        else:
            await adapter.run_script(sys.stdin)

    try:
        asyncio.run(session())
    finally:
        core.close()
    return 0


def _run(args: argparse.Namespace) -> int:
    from bot.service import run_service

    settings = _settings(args.config)
    return asyncio.run(run_service(settings))


def _discord(args: argparse.Namespace) -> int:
    from bot.adapters.discord import invite_url

    settings = _settings(args.config)
    app_id = args.application_id or settings.discord.application_id
    if not app_id:
        print(
            "studybot: set [discord] application_id in the config or pass --application-id",
            file=sys.stderr,
        )
        return 2
    print(invite_url(app_id))
    return 0


def _slack(args: argparse.Namespace) -> int:
    from bot.adapters.slack import manifest

    settings = _settings(args.config)
    print(manifest(settings.slack), end="")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
