"""The command set, the same on every platform. Adapters register slash commands from this table.

Names and descriptions of commands and options live in the message catalog under
`command.<name>.description` and `command.<name>.option.<option>` (ja and en), so Discord's
localized names and Slack's help text come from one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OptionKind = Literal["text", "integer", "choice"]


@dataclass(frozen=True)
class OptionSpec:
    name: str
    kind: OptionKind = "text"
    required: bool = False
    autocomplete: Literal["section", "glossary"] | None = None
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True)
class CommandSpec:
    name: str
    options: tuple[OptionSpec, ...] = ()
    admin: bool = False
    # Subcommands (only `schedule` has them): each is a CommandSpec of its own.
    subcommands: tuple[CommandSpec, ...] = ()


MAX_QUIZ_COUNT = 10

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("help"),
    CommandSpec("toc"),
    CommandSpec("section", (OptionSpec("ref", required=True, autocomplete="section"),)),
    CommandSpec("search", (OptionSpec("words", required=True),)),
    CommandSpec("glossary", (OptionSpec("term", autocomplete="glossary"),)),
    CommandSpec("excerpt", (OptionSpec("which", kind="choice", choices=("today", "next")),)),
    CommandSpec(
        "quiz",
        (
            OptionSpec("section", autocomplete="section"),
            OptionSpec("count", kind="integer", min_value=1, max_value=MAX_QUIZ_COUNT),
            OptionSpec("mode", kind="choice", choices=("solo", "group", "stop")),
        ),
    ),
    CommandSpec("answer", (OptionSpec("text", required=True),)),
    CommandSpec("score"),
    CommandSpec("leaderboard"),
    CommandSpec(
        "language", (OptionSpec("language", kind="choice", choices=("ja", "en")),), admin=True
    ),
    CommandSpec(
        "schedule",
        admin=True,
        subcommands=(
            CommandSpec(
                "set",
                (
                    OptionSpec("time", required=True),
                    OptionSpec("timezone"),
                    OptionSpec("days"),
                    OptionSpec("thread", kind="choice", choices=("thread", "nothread")),
                    OptionSpec("end", kind="choice", choices=("loop", "noloop")),
                ),
                admin=True,
            ),
            CommandSpec("show"),
            CommandSpec("pause", admin=True),
            CommandSpec("resume", admin=True),
            CommandSpec("skip", admin=True),
            CommandSpec("now", admin=True),
            CommandSpec("stop", admin=True),
        ),
    ),
)

COMMAND_NAMES: frozenset[str] = frozenset(c.name for c in COMMANDS)


def command_spec(name: str) -> CommandSpec | None:
    for c in COMMANDS:
        if c.name == name:
            return c
    return None
