"""Fixtures: a fake Slack, a scripted stand-in core, and the real adapter in HTTP mode."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_fake_api import FakeSlack
from slack_harness import Harness
from slack_requests import SIGNING_SECRET
from stub_core import StubCore

from bot.adapters.slack import SlackAdapter
from bot.config import SlackSettings
from bot.core.catalog import Catalog


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack(admins={"U0WSADMIN"})
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
def slack_settings(fake: FakeSlack) -> SlackSettings:
    return SlackSettings(
        mode="http",
        host="127.0.0.1",
        port=0,
        api_base=fake.api_base,
        admin_user_ids=("U0CFGADMIN",),
        bot_token="xoxb-test",
        app_token="xapp-test",
        signing_secret=SIGNING_SECRET,
    )


@pytest.fixture(scope="session")
def slack_catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture
def stub(slack_catalog: Catalog) -> StubCore:
    return StubCore(slack_catalog)


@pytest.fixture
async def slack(
    stub: StubCore, slack_settings: SlackSettings, fake: FakeSlack
) -> AsyncIterator[Harness]:
    adapter = SlackAdapter(stub, slack_settings)
    stub.attach(adapter.transport)
    port = await adapter.start_http()
    async with aiohttp.ClientSession() as session:
        yield Harness(adapter, fake, f"http://127.0.0.1:{port}{slack_settings.path}", session)
    await adapter.close()
