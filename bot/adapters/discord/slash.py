"""The core's command table (`bot.core.commands.COMMANDS`) as discord.py application commands.

discord.py reads a command's options from its callback's signature, so each callback is
one generic coroutine given the signature its `CommandSpec` describes. The callback does
one thing: join the option values into the argument string the core parses, and hand
the interaction to the runner.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, cast

import discord
from discord import app_commands

from bot.adapters.discord.translator import catalog_str
from bot.core.api import AutocompleteKind
from bot.core.catalog import Catalog
from bot.core.commands import COMMANDS, CommandSpec, OptionSpec

# (interaction, command name, argument string) → the core call and the reply.
Runner = Callable[[discord.Interaction[Any], str, str], Awaitable[None]]
# (interaction, kind, what was typed) → at most 25 choices.
Suggester = Callable[
    [discord.Interaction[Any], AutocompleteKind, str], Awaitable[list[app_commands.Choice[str]]]
]

AppCommand = app_commands.Command[Any, ..., Any] | app_commands.Group


def description_key(path: Sequence[str]) -> str:
    return f"command.{'.'.join(path)}.description"


def option_key(path: Sequence[str], option: str) -> str:
    return f"command.{'.'.join(path)}.option.{option}"


def choice_key(path: Sequence[str], option: str, value: str) -> str:
    return f"discord.choice.{'.'.join(path)}.{option}.{value}"


def catalog_keys() -> set[str]:
    """Every catalog key the Discord command set reads (a test checks they all exist)."""
    keys: set[str] = set()

    def visit(spec: CommandSpec, path: tuple[str, ...]) -> None:
        keys.add(description_key(path))
        for opt in spec.options:
            keys.add(option_key(path, opt.name))
            keys.update(choice_key(path, opt.name, v) for v in opt.choices)
        for sub in spec.subcommands:
            visit(sub, (*path, sub.name))

    for spec in COMMANDS:
        visit(spec, (spec.name,))
    return keys


def join_args(options: Sequence[OptionSpec], values: dict[str, Any], prefix: Sequence[str]) -> str:
    """The option values, space-separated, as the core's parser reads typed arguments.

    Text options come in the spec's order, numbers after them and named (`count=5`): in typed
    arguments a bare leading number is a section (`/quiz 1` is part 1), so `/quiz count:5`
    must not read as part 5. Only the last value may keep inner spaces: in an earlier one
    (a label typed as `第２部 ３（１）` before a mode) a space would shift what follows.
    """
    ordered = sorted(options, key=lambda o: o.kind == "integer")
    present = [
        f"{o.name}={values[o.name]}" if o.kind == "integer" else str(values[o.name]).strip()
        for o in ordered
        if values.get(o.name) is not None
    ]
    present = [v for v in present if v]
    words = [*prefix, *("".join(v.split()) for v in present[:-1]), *present[-1:]]
    return " ".join(words)


def _annotation(option: OptionSpec) -> Any:
    if option.kind == "integer":
        if option.min_value is None and option.max_value is None:
            return int
        # `Range` is `Annotated` to a type checker and a transformer factory at run time.
        return cast(Any, app_commands.Range)[int, option.min_value, option.max_value]
    return str


class _Builder:
    def __init__(self, catalog: Catalog, lang: str, run: Runner, suggest: Suggester) -> None:
        self.catalog, self.lang, self.run, self.suggest = catalog, lang, run, suggest

    def text(self, key: str) -> app_commands.locale_str:
        return catalog_str(self.catalog, key, self.lang)

    def callback(
        self, path: tuple[str, ...], options: tuple[OptionSpec, ...]
    ) -> Callable[..., Coroutine[Any, Any, None]]:
        run = self.run
        command, prefix = path[0], path[1:]

        async def callback(interaction: discord.Interaction[Any], **values: Any) -> None:
            await run(interaction, command, join_args(options, values, prefix))

        params = [
            inspect.Parameter(
                "interaction",
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=discord.Interaction,
            )
        ]
        params.extend(
            inspect.Parameter(
                o.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_annotation(o),
                default=inspect.Parameter.empty if o.required else None,
            )
            for o in options
        )
        callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        callback.__name__ = callback.__qualname__ = "_".join(path)
        if options:
            app_commands.describe(**{o.name: self.text(option_key(path, o.name)) for o in options})(
                callback
            )
        choices = {
            o.name: [
                app_commands.Choice(name=self.text(choice_key(path, o.name, v)), value=v)
                for v in o.choices
            ]
            for o in options
            if o.choices
        }
        if choices:
            app_commands.choices(**choices)(callback)
        completers = {
            o.name: self.completer(o.autocomplete) for o in options if o.autocomplete is not None
        }
        if completers:
            app_commands.autocomplete(**completers)(callback)
        return callback

    def completer(
        self, kind: AutocompleteKind
    ) -> Callable[
        [discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
    ]:
        suggest = self.suggest

        async def complete(
            interaction: discord.Interaction[Any], current: str
        ) -> list[app_commands.Choice[str]]:
            return await suggest(interaction, kind, current)

        return complete

    def command(
        self, spec: CommandSpec, path: tuple[str, ...], parent: app_commands.Group | None
    ) -> app_commands.Command[Any, ..., Any]:
        callback = self.callback(path, spec.options)
        if spec.admin and parent is None:
            # Hidden from members without Manage Server; the core checks again at run time.
            app_commands.default_permissions(manage_guild=True)(callback)
            app_commands.guild_only()(callback)
        return app_commands.Command(
            name=spec.name,
            description=self.text(description_key(path)),
            callback=callback,
            parent=parent,
        )

    def build(self, spec: CommandSpec) -> AppCommand:
        path = (spec.name,)
        if not spec.subcommands:
            return self.command(spec, path, None)
        group = app_commands.Group(
            name=spec.name,
            description=self.text(description_key(path)),
            default_permissions=discord.Permissions(manage_guild=True) if spec.admin else None,
            guild_only=spec.admin,
        )
        for sub in spec.subcommands:
            group.add_command(self.command(sub, (*path, sub.name), group))
        return group


def build_commands(
    catalog: Catalog, lang: str, run: Runner, suggest: Suggester
) -> list[AppCommand]:
    builder = _Builder(catalog, lang, run, suggest)
    return [builder.build(spec) for spec in COMMANDS]
