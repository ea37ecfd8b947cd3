"""End-to-end timings of the core on SQLite: one command in, one Reply out.

    python -m bench.core [--rounds 200] [--members 50]

Prints p50/p95 per command (the platform's 3-second answer window is the budget), and the
time for many members answering one group question at once through the real store.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build_core
from bot.config import load_settings
from bot.core.actions import parse_action
from bot.core.clock import ManualClock
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Reply
from bot.core.router import Router
from bot.core.transport import Delivery

CONTENT = Path(__file__).resolve().parents[1] / "content"
CHANNEL = ChannelKey("bench", "w", "c")


class NullTransport:
    platform = "bench"

    async def send(self, channel: ChannelKey, reply: Reply) -> Delivery:
        return Delivery("m")

    async def edit(self, channel: ChannelKey, message_id: str, reply: Reply) -> None:
        return None


def report(name: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"{name:<34} p50 {statistics.median(ms):8.3f} ms   p95 {p95:8.3f} ms   n={len(ms)}")


async def timed(rounds: int, call: Callable[[int], Awaitable[object]]) -> list[float]:
    samples = []
    for i in range(rounds):
        start = time.perf_counter()
        await call(i)
        samples.append(time.perf_counter() - start)
    return samples


def cmd(command: str, args: str = "", user: str = "u0") -> Incoming:
    return Incoming(CHANNEL, user, user, command, args)


def answer(question: Reply, user: str, choice: int) -> Incoming:
    """A button press for a choice question, a typed answer for a fill-in-the-blank one."""
    if not question.buttons:
        return cmd("answer", "x", user=user)
    session, no = parse_action(question.buttons[0].action_id).args[:2]
    return cmd("action", f"quiz:{session}:{no}:{choice}", user=user)


async def main(rounds: int, members: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = load_settings(None, {})
        settings = dataclasses.replace(
            base, bot=dataclasses.replace(base.bot, data_dir=Path(tmp), content_dir=CONTENT)
        )
        clock = ManualClock(datetime(2026, 5, 1, tzinfo=UTC))
        start = time.perf_counter()
        core: Router = build_core(settings, clock=clock)
        built = 1000 * (time.perf_counter() - start)
        print(f"{'build_core (load + validate content)':<34} {built:8.1f} ms")
        core.attach(NullTransport())
        commands = [
            ("section 第２部３（１）", "section", "第２部３（１）"),
            ("search 抑止", "search", "抑止"),
            ("search 地位協定 チャンス", "search", "地位協定 チャンス"),
            ("glossary あんしんきょうよ", "glossary", "あんしんきょうよ"),
            ("toc", "toc", ""),
            ("excerpt", "excerpt", ""),
            ("leaderboard", "leaderboard", ""),
        ]
        for name, command, args in commands:
            incoming = cmd(command, args)

            async def once(_: int, incoming: Incoming = incoming) -> None:
                await core.handle(incoming)

            report(name, await timed(rounds, once))

        async def solo_round(i: int) -> None:
            reply = await core.handle(cmd("quiz", "1 1 solo", user=f"s{i}"))
            assert reply is not None
            await core.handle(answer(reply, f"s{i}", 0))

        report("solo quiz: start + answer", await timed(rounds, solo_round))

        for i in range(members):
            await core.handle(cmd("score", user=f"g{i}"))
        start_reply = await core.handle(cmd("quiz", "2 1 group", user="g0"))
        assert start_reply is not None
        question = start_reply.followups[0]
        begin = time.perf_counter()
        await asyncio.gather(
            *(core.handle(answer(question, f"g{i}", i % 2)) for i in range(members))
        )
        total = time.perf_counter() - begin
        board = await core.handle(cmd("leaderboard"))
        assert board is not None
        print(
            f"{f'group: {members} members answer at once':<34} {1000 * total:8.1f} ms"
            f"   ({1000 * total / members:.2f} ms per answer)"
        )
        core.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--members", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.members))
