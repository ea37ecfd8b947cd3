"""Lines in, core calls, text out. Scripted when stdin is not a terminal.

`/section 2.3.1` runs a command; a bare number presses the numbered button of the last
message that had buttons; other text is a command without the slash (`toc`).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
from collections.abc import Callable
from typing import TextIO

from bot.adapters.console.render import render_reply
from bot.content.normalize import nfkc
from bot.core.api import CoreApi
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Reply
from bot.core.transport import Delivery

CONSOLE_PLATFORM = "console"
CONSOLE_WORKSPACE = "local"


class ConsoleTransport:
    """Messages the core starts itself (daily posts, quiz reveals) printed to the terminal."""

    platform = CONSOLE_PLATFORM

    def __init__(self, core: CoreApi, write: Callable[[str], None]) -> None:
        self._core = core
        self._write = write
        self._ids = itertools.count(1)
        self.last_actions: dict[ChannelKey, tuple[str, ...]] = {}
        # Channels whose latest question wants a typed answer (a fill-in-the-blank).
        self.awaiting: set[ChannelKey] = set()

    def next_id(self) -> str:
        return f"console-{next(self._ids)}"

    def show(self, channel: ChannelKey, reply: Reply, lang: str) -> None:
        rendered = render_reply(reply, self._core.catalog, lang)
        if rendered.actions:
            self.last_actions[channel] = rendered.actions
            self.awaiting.discard(channel)
        if reply.awaits_answer:
            self.awaiting.add(channel)
            self.last_actions.pop(channel, None)
        self._write(rendered.text)
        if reply.followups:
            for followup in reply.followups:
                self.show(channel, followup, lang)

    async def send(self, channel: ChannelKey, reply: Reply) -> Delivery:
        lang = self._core.language(channel, None)
        message_id = self.next_id()
        self.show(channel, reply, lang)
        return Delivery(message_id)

    async def edit(self, channel: ChannelKey, message_id: str, reply: Reply) -> None:
        lang = self._core.language(channel, None)
        self._write(self._core.catalog.text("console.updated", lang))
        self.show(channel, reply, lang)


class ConsoleAdapter:
    def __init__(
        self,
        core: CoreApi,
        *,
        channel: str,
        user: str,
        out: TextIO | None = None,
    ) -> None:
        self.core = core
        self.out = out or sys.stdout
        self.channel = ChannelKey(CONSOLE_PLATFORM, CONSOLE_WORKSPACE, channel)
        self.user = user
        self.transport = ConsoleTransport(core, self._write)
        core.attach(self.transport)

    def _write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def to_incoming(self, line: str) -> Incoming | None:
        text = line.strip()
        if not text:
            return None
        folded = nfkc(text)
        if not folded.startswith("/") and self.channel in self.transport.awaiting:
            self.transport.awaiting.discard(self.channel)
            return Incoming(self.channel, self.user, self.user, "answer", text, is_admin=True)
        if folded.isdigit():
            actions = self.transport.last_actions.get(self.channel, ())
            n = int(folded)
            if 1 <= n <= len(actions):
                return Incoming(
                    self.channel, self.user, self.user, "action", actions[n - 1], is_admin=True
                )
            return Incoming(self.channel, self.user, self.user, "action", f"invalid:{n}")
        # Arguments keep their original form (full width, kanji numerals): the core normalizes.
        command, *rest = re.split(r"\s+", text.lstrip("/／"), maxsplit=1)
        return Incoming(
            self.channel, self.user, self.user, command, rest[0] if rest else "", is_admin=True
        )

    async def handle_line(self, line: str) -> None:
        incoming = self.to_incoming(line)
        if incoming is None:
            return
        reply = await self.core.handle(incoming)
        if reply is None:
            return
        message_id = self.transport.next_id()
        lang = self.core.language(self.channel, None)
        self.transport.show(self.channel, reply, lang)
        await self._report_tracks(reply, message_id)

    async def _report_tracks(self, reply: Reply, message_id: str) -> None:
        if reply.track:
            await self.core.delivered(reply.track, self.channel, Delivery(message_id))
        for followup in reply.followups:
            await self._report_tracks(followup, self.transport.next_id())

    async def run_script(self, stream: TextIO) -> None:
        """Read one command per line until end of input."""
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, stream.readline)
            if not line:
                return
            await self.handle_line(line)

    async def run_interactive(self, stream: TextIO) -> None:
        loop = asyncio.get_running_loop()
        lang = self.core.language(self.channel, None)
        self._write(
            self.core.catalog.text(
                "console.welcome", lang, user=self.user, channel=self.channel.channel
            )
        )
        while True:
            self.out.write("> ")
            self.out.flush()
            line = await loop.run_in_executor(None, stream.readline)
            if not line:
                return
            if nfkc(line).strip().lower() in ("/quit", "/exit", "quit", "exit"):
                return
            await self.handle_line(line)
