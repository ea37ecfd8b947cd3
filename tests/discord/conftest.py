"""Fixtures for the Discord tests: one fake Discord and one log tap per module."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest_asyncio
from discord_fake import FakeDiscord
from discord_support import TOKEN, LogTap


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(TOKEN)
    await server.start()
    yield server
    await server.close()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def log_tap() -> AsyncIterator[LogTap]:
    tap = LogTap()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(tap)
    root.setLevel(logging.DEBUG)
    yield tap
    root.removeHandler(tap)
    root.setLevel(previous)
