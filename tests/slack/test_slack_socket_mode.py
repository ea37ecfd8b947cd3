"""Socket Mode end to end: the SDK asks the fake's apps.connections.open for a websocket URL,
connects to the fake's websocket, receives envelopes and acks them."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

import pytest
from slack_fake_api import TEAM, FakeSlack
from slack_requests import action_payload, home_event, slash_fields
from stub_core import StubCore

from bot.adapters.slack import SlackAdapter, run_slack
from bot.config import ConfigError, Settings, SlackSettings
from bot.core.incoming import ChannelKey
from bot.core.reply import Reply


def _acked(fake: FakeSlack, envelope_id: str) -> bool:
    return any(m.get("envelope_id") == envelope_id for m in fake.socket_received)


async def test_envelopes_are_acked_and_answered(
    stub: StubCore, fake: FakeSlack, slack_settings: SlackSettings
) -> None:
    adapter = SlackAdapter(stub, replace(slack_settings, mode="socket", signing_secret=None))
    await adapter.start_socket()
    try:
        fields = slash_fields("section 2.3.1", response_url=fake.response_url())
        await fake.send_envelope(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": fields,
            }
        )
        await fake.wait_for(lambda: _acked(fake, "env-1"))
        await fake.wait_for(lambda: len(fake.responses) == 1)

        stub.script["action:page:toc:-:2"] = Reply(blocks=("目次 2",), replace=True)
        await fake.send_envelope(
            {
                "envelope_id": "env-2",
                "type": "interactive",
                "accepts_response_payload": False,
                "payload": action_payload("page:toc:-:2", response_url=fake.response_url("p")),
            }
        )
        await fake.wait_for(lambda: _acked(fake, "env-2") and len(fake.responses) == 2)

        event = home_event()
        for attempt, envelope_id in ((0, "env-3"), (1, "env-4")):
            await fake.send_envelope(
                {
                    "envelope_id": envelope_id,
                    "type": "events_api",
                    "accepts_response_payload": False,
                    "retry_attempt": attempt,
                    "retry_reason": "" if attempt == 0 else "timeout",
                    "payload": event,
                }
            )
            await fake.wait_for(lambda e=envelope_id: _acked(fake, e))  # type: ignore[misc]
        await adapter.drain()
    finally:
        await adapter.close()

    [connect] = fake.calls_to("apps.connections.open")
    assert connect.token == "xapp-test"
    assert [m["envelope_id"] for m in fake.socket_received] == ["env-1", "env-2", "env-3", "env-4"]
    assert [i.command for i in stub.incomings] == ["section", "action", "home"]
    assert stub.incomings[0].channel == ChannelKey("slack", TEAM, "C0STUDY")
    assert fake.responses[0]["response_type"] == "in_channel"
    assert fake.responses[1]["replace_original"] is True
    assert len(fake.calls_to("views.publish")) == 1  # the retry was acked, not run


async def test_run_slack_attaches_serves_and_stops_cleanly(
    stub: StubCore, fake: FakeSlack, slack_settings: SlackSettings
) -> None:
    settings = replace(slack_settings, mode="socket")
    task = asyncio.create_task(run_slack(stub, settings, stub.catalog))
    await fake.wait_for(lambda: bool(fake.calls_to("apps.connections.open")))
    await fake.send_envelope(
        {
            "envelope_id": "env-9",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": slash_fields("", response_url=fake.response_url()),
        }
    )
    await fake.wait_for(lambda: len(fake.responses) == 1)
    assert len(stub.transports) == 1 and stub.transports[0].platform == "slack"
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert stub.incomings[0].command == "help"


async def test_missing_tokens_are_named(stub: StubCore, slack_settings: SlackSettings) -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        await run_slack(stub, Settings(slack=replace(slack_settings, bot_token=None)))
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        await run_slack(stub, replace(slack_settings, mode="socket", app_token=None), stub.catalog)
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        await run_slack(stub, replace(slack_settings, signing_secret=None), stub.catalog)


@pytest.mark.parametrize(
    ("mode", "tokens", "named"),
    [
        ("socket", {"bot_token": "xoxb-revoked"}, "SLACK_BOT_TOKEN"),
        ("socket", {"app_token": "xapp-revoked"}, "SLACK_APP_TOKEN"),
        ("http", {"bot_token": "xoxb-revoked"}, "SLACK_BOT_TOKEN"),
    ],
)
async def test_rejected_tokens_stop_startup_with_their_name(
    stub: StubCore,
    fake: FakeSlack,
    slack_settings: SlackSettings,
    mode: str,
    tokens: dict[str, str],
    named: str,
) -> None:
    settings = replace(slack_settings, mode=mode, **tokens)
    with pytest.raises(ConfigError, match=f"{named} \\(invalid_auth\\)"):
        await run_slack(stub, settings)
    assert fake.socket_received == [] and fake.responses == []
