"""The Slack adapter on the real core (store in a temp dir, the real paper, a manual clock):
what a study group in a Slack channel would see, end to end over HTTP against the fake Slack."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from slack_fake_api import TEAM, FakeSlack
from slack_harness import Harness
from slack_requests import FORM, home_event, slash_body

from bot.adapters.slack import SlackAdapter
from bot.app import build_core
from bot.config import Settings, SlackSettings
from bot.content.models import Library
from bot.core.catalog import Catalog
from bot.core.clock import ManualClock
from bot.core.incoming import ChannelKey
from bot.core.reply import Reply
from bot.core.router import Router

STUDY = ChannelKey("slack", TEAM, "C0STUDY")


@pytest.fixture
def choice_library(library: Library) -> Library:
    """The real paper, with only button questions (so every quiz round can be clicked)."""
    return dataclasses.replace(
        library,
        questions={
            doc: tuple(q for q in qs if q.type == "choice") for doc, qs in library.questions.items()
        },
    )


@pytest.fixture
def real_core(
    settings: Settings,
    slack_settings: SlackSettings,
    clock: ManualClock,
    choice_library: Library,
    slack_catalog: Catalog,
) -> Iterator[Router]:
    router = build_core(
        dataclasses.replace(settings, slack=slack_settings),
        clock=clock,
        library=choice_library,
        catalog=slack_catalog,
    )
    yield router
    router.close()


@pytest.fixture
async def live(
    real_core: Router, slack_settings: SlackSettings, fake: FakeSlack
) -> AsyncIterator[Harness]:
    adapter = SlackAdapter(real_core, slack_settings)
    real_core.attach(adapter.transport)
    port = await adapter.start_http()
    async with aiohttp.ClientSession() as session:
        yield Harness(adapter, fake, f"http://127.0.0.1:{port}{slack_settings.path}", session)
    await adapter.close()


def _mrkdwn(blocks: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for block in blocks:
        if block["type"] == "section":
            if "text" in block:
                parts.append(block["text"]["text"])
            parts.extend(f["text"] for f in block.get("fields", []))
        elif block["type"] == "context":
            parts.extend(e["text"] for e in block["elements"])
    return "\n".join(parts)


def _action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def _assert_limits(message: dict[str, Any]) -> None:
    blocks = message["blocks"]
    assert 0 < len(blocks) <= 50 and message["text"]
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        assert len(block.get("fields", [])) <= 10


async def test_help_names_the_slack_command(live: Harness, fake: FakeSlack) -> None:
    await live.command("")
    [answer] = fake.responses
    assert "/study section" in _mrkdwn(answer["blocks"])
    _assert_limits(answer)


async def test_section_by_japanese_label(live: Harness, fake: FakeSlack) -> None:
    await live.command("section 第２部３（１）")
    [answer] = fake.responses
    assert answer["response_type"] == "in_channel"
    assert answer["blocks"][0]["type"] == "header"
    assert "第２部" in answer["blocks"][0]["text"]["text"]
    assert "📎" in _mrkdwn(answer["blocks"])
    _assert_limits(answer)


async def test_search_pages_replace_the_message(live: Harness, fake: FakeSlack) -> None:
    await live.command("search 米国")
    [hits] = fake.responses
    _assert_limits(hits)
    pages = [a for a in _action_ids(hits["blocks"]) if a.startswith("page:search:")]
    assert pages, "a search for 米国 has more than one page"
    await live.press(pages[-1])
    page_two = fake.responses[-1]
    assert page_two["replace_original"] is True
    assert page_two["blocks"] != hits["blocks"]
    _assert_limits(page_two)


async def test_hostile_search_words_are_shown_inert(live: Harness, fake: FakeSlack) -> None:
    await live.command("search <!everyone> & <@U123>")
    [answer] = fake.responses
    shown = json.dumps(answer, ensure_ascii=False)
    assert "<!everyone>" not in shown and "<@U123>" not in shown
    assert "&lt;!everyone&gt;" in _mrkdwn(answer["blocks"]) + answer["text"]


async def test_group_quiz_in_a_channel(
    live: Harness, fake: FakeSlack, real_core: Router, clock: ManualClock
) -> None:
    await live.command("quiz 1 2 group", user="U0ALICE", user_name="alice")
    [intro] = fake.responses
    assert intro["response_type"] == "ephemeral"
    [question] = fake.calls_to("chat.postMessage")
    assert question.args["channel"] == "C0STUDY"
    choices = _action_ids(question.args["blocks"])
    assert choices and all(c.startswith("quiz:") for c in choices)
    question_ts = "1700000000.000001"

    await live.press(choices[0], user="U0BOB", user_name="bob")
    received = fake.responses[-1]
    assert received["response_type"] == "ephemeral" and received["replace_original"] is False
    await live.press(choices[1], user="U0BOB", user_name="bob")
    refused = fake.responses[-1]
    assert refused["response_type"] == "ephemeral"
    assert real_core.catalog.text("quiz.error.already_answered") in _mrkdwn(refused["blocks"])
    assert fake.calls_to("chat.update") == []  # alice has not answered: the round is still open

    clock.advance(timedelta(seconds=31))
    assert await real_core.tick() == 1
    [reveal] = fake.calls_to("chat.update")
    assert reveal.args["channel"] == "C0STUDY" and reveal.args["ts"] == question_ts
    assert _action_ids(reveal.args["blocks"]) == []  # no more buttons on a revealed question
    shown = _mrkdwn(reveal.args["blocks"])
    assert "回答 1人" in shown  # bob's one answer counted, once
    assert reveal.args["blocks"][0]["text"]["text"].endswith("第1問／2問 の結果")
    _assert_limits(reveal.args)
    second = fake.calls_to("chat.postMessage")[-1]
    assert second.args["channel"] == "C0STUDY"
    assert _action_ids(second.args["blocks"]) != choices


async def test_solo_quiz_is_private_and_replaced_in_place(live: Harness, fake: FakeSlack) -> None:
    await live.command("quiz 1 1 solo")
    [question] = fake.responses
    assert question["response_type"] == "ephemeral"
    choices = _action_ids(question["blocks"])
    await live.press(choices[0])
    feedback, summary = fake.responses[1:]
    assert feedback["replace_original"] is True
    assert summary["response_type"] == "ephemeral"
    assert fake.calls_to("chat.postMessage") == []


async def test_retries_and_repeats_run_once(live: Harness, fake: FakeSlack) -> None:
    body = slash_body("quiz 1 1 solo", response_url=fake.response_url(), trigger_id="t-once")
    assert await live.post(body, FORM) == 200
    assert await live.post(body, FORM, retry=1) == 200
    assert await live.post(body, FORM) == 200  # even without the header: the core dedupes
    assert len(fake.responses) == 1


async def test_app_home_then_a_solo_quiz_in_the_dm(live: Harness, fake: FakeSlack) -> None:
    await live.command("score")  # something to show
    await live.event(home_event(user="U0ALICE", dm="D0ALICE"))
    [publish] = fake.calls_to("views.publish")
    view = publish.args["view"]
    assert view["type"] == "home" and view["private_metadata"] == "D0ALICE"
    assert len(view["blocks"]) <= 100
    assert _action_ids(view["blocks"]) == ["home:quiz", "home:excerpt"]

    await live.press("home:quiz", home_dm="D0ALICE")
    [question] = fake.calls_to("chat.postMessage")
    assert question.args["channel"] == "D0ALICE"
    assert all(a.startswith("quiz:") for a in _action_ids(question.args["blocks"]))


async def test_daily_post_through_the_core_outbox(
    live: Harness, fake: FakeSlack, real_core: Router
) -> None:
    delivery = await real_core.send(STUDY, Reply(title="今日の抜粋", blocks=("本文。",)))
    assert delivery is not None
    [post] = fake.calls_to("chat.postMessage")
    assert post.args["channel"] == "C0STUDY" and delivery.message_id
