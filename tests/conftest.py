"""Shared fixtures: the real paper's content (loaded once), settings in a temp dir, a core."""

from __future__ import annotations

import dataclasses
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.app import build_core
from bot.config import Settings, load_settings
from bot.content.loader import load_library
from bot.content.models import Library
from bot.core.clock import ManualClock
from bot.core.router import Router

# CI runs the same examples every time, so a landing never depends on a lucky draw; locally
# Hypothesis keeps exploring new ones.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection outside 127.0.0.1 fails loudly instead of hanging (no accidental network)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def allowed(address: object) -> bool:
        if isinstance(address, tuple) and address:
            host = str(address[0])
            return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")
        return True  # unix sockets (socketpair, event loop self-pipes)

    def connect(self: socket.socket, address: object) -> None:
        if not allowed(address):
            raise OSError(f"test tried to reach the network: {address!r}")
        real_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        if not allowed(address):
            raise OSError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library(CONTENT)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    base = load_settings(None, {})
    return dataclasses.replace(
        base, bot=dataclasses.replace(base.bot, data_dir=tmp_path / "data", content_dir=CONTENT)
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def core(settings: Settings, clock: ManualClock, library: Library) -> Iterator[Router]:
    router = build_core(settings, clock=clock, library=library)
    yield router
    router.close()
