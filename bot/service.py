"""`studybot run`: every configured adapter plus the scheduler, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from bot.adapters.console import ConsoleAdapter
from bot.app import build_core
from bot.config import Settings

log = logging.getLogger("studybot")


async def run_service(settings: Settings) -> int:
    logging.basicConfig(
        level=settings.bot.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    core = build_core(settings)
    lang = settings.bot.language
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)

    console = ConsoleAdapter(core, channel=settings.console.channel, user=settings.console.user)
    tasks: list[asyncio.Task[object]] = [asyncio.create_task(core.run_timers(), name="timers")]
    adapters: list[str] = []
    if settings.discord.enabled:
        from bot.adapters.discord import run_discord

        tasks.append(asyncio.create_task(run_discord(core, settings), name="discord"))
        adapters.append("Discord")
    if settings.slack.enabled:
        from bot.adapters.slack import run_slack

        tasks.append(asyncio.create_task(run_slack(core, settings), name="slack"))
        adapters.append("Slack")

    scheduler = core.scheduler
    if scheduler is not None:
        # After the adapters attached (console at once; Discord and Slack retry a post whose
        # adapter is not connected yet), so recovery can post what downtime left undone.
        await scheduler.start()
    database = settings.bot.database_path
    if adapters:
        print(
            core.catalog.text(
                "console.started", lang, adapters=", ".join(adapters), database=database
            ),
            flush=True,
        )
    else:
        print(core.catalog.text("console.running", lang, database=database), flush=True)
        if sys.stdin.isatty():
            tasks.append(asyncio.create_task(console.run_interactive(sys.stdin), name="repl"))

    failed = False
    waiter: asyncio.Task[object] = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            watched: set[asyncio.Task[object]] = {waiter, *tasks}
            done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task is waiter:
                    continue
                tasks.remove(task)
                error = task.exception()
                if error is not None:
                    # An adapter that cannot run (a rejected token) stops the service loudly.
                    log.error("%s stopped: %s", task.get_name(), error)
                    failed = True
                    stop.set()
    finally:
        if scheduler is not None:
            scheduler.shutdown()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        waiter.cancel()
        core.close()
        print(core.catalog.text("console.stopped", lang), flush=True)
    return 1 if failed else 0
