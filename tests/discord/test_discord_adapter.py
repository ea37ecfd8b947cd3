"""The adapter's protocol with Discord, against the fake, with a scripted stand-in core.

The real discord.py client logs in to the fake Discord; interactions arrive through the
fake gateway; what the adapter sends back is asserted from the recorded REST calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord_fake import Call, FakeDiscord
from discord_support import GUARD, TOKEN, Harness, LogTap, discord_settings, start_bot
from stub_core import StubCore

from bot.adapters.discord import DiscordBot, run_discord
from bot.adapters.discord.inbound import HANDLED_EVENT
from bot.config import load_settings
from bot.core.actions import make_action
from bot.core.api import Suggestion
from bot.core.catalog import Catalog
from bot.core.commands import COMMANDS, MAX_QUIZ_COUNT
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Button, Citation, Field, Pager, Reply, ThreadRequest, Tone
from bot.core.transport import Delivery, DeliveryError, DeliveryFailure

pytestmark = pytest.mark.asyncio(loop_scope="module")

EPHEMERAL = 64


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def stub(catalog: Catalog) -> StubCore:
    return StubCore(catalog)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def harness(
    fake: FakeDiscord,
    stub: StubCore,
    catalog: Catalog,
    log_tap: LogTap,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Harness]:
    bot = await start_bot(fake, stub, catalog, tmp_path_factory.mktemp("discord-data"))
    yield Harness(fake, bot)
    await bot.close()


@pytest.fixture(autouse=True)
def _reset(stub: StubCore) -> None:
    stub.script.clear()
    stub.gate = None


def callbacks(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.path.endswith("/callback")]


def followups(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "POST" and c.path.startswith("/webhooks/")]


def embed(call: Call, index: int = 0) -> dict[str, Any]:
    embeds: list[dict[str, Any]] = call.message["embeds"]
    return embeds[index]


def custom_ids(call: Call) -> list[str]:
    return [b["custom_id"] for row in call.message.get("components", []) for b in row["components"]]


def assert_no_mentions(calls: list[Call]) -> None:
    for call in calls:
        if call.is_message:
            assert call.message.get("allowed_mentions") == {"parse": []}, call


# Login and commands -----------------------------------------------------------------------


async def test_logs_in_with_default_intents_only(
    harness: Harness, fake: FakeDiscord, stub: StubCore
) -> None:
    identify = fake.identifies[-1]
    intents = discord.Intents._from_value(identify["intents"])
    assert identify["intents"] == discord.Intents.default().value
    assert not intents.message_content and not intents.members and not intents.presences
    first = [(c.method, c.path) for c in fake.calls[:2]]
    assert first == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me")]
    assert harness.client.is_ready()
    assert stub.transports == [harness.bot.transport]


async def test_commands_synced_with_both_languages(
    harness: Harness, fake: FakeDiscord, catalog: Catalog
) -> None:
    synced = {c["name"]: c for c in fake.commands["global"]}
    assert set(synced) == {spec.name for spec in COMMANDS}
    section = synced["section"]
    assert section["description"] == catalog.text("command.section.description", "ja")
    assert section["description_localizations"]["en-US"] == catalog.text(
        "command.section.description", "en"
    )
    ref = section["options"][0]
    assert ref["name"] == "ref" and ref["required"] and ref["autocomplete"]
    assert ref["description_localizations"]["en-GB"] == catalog.text(
        "command.section.option.ref", "en"
    )
    quiz = {o["name"]: o for o in synced["quiz"]["options"]}
    assert [o["name"] for o in synced["quiz"]["options"]] == ["section", "count", "mode"]
    assert quiz["count"]["type"] == 4 and quiz["count"]["max_value"] == MAX_QUIZ_COUNT
    assert quiz["section"]["autocomplete"]
    modes = {c["value"]: c for c in quiz["mode"]["choices"]}
    assert modes["group"]["name"] == catalog.text("discord.choice.quiz.mode.group", "ja")
    assert modes["group"]["name_localizations"]["en-US"] == catalog.text(
        "discord.choice.quiz.mode.group", "en"
    )
    manage_guild = str(discord.Permissions(manage_guild=True).value)
    schedule = synced["schedule"]
    assert str(schedule["default_member_permissions"]) == manage_guild
    assert {o["name"] for o in schedule["options"]} == {
        "set",
        "show",
        "pause",
        "resume",
        "skip",
        "now",
        "stop",
    }
    assert str(synced["language"]["default_member_permissions"]) == manage_guild
    assert synced["section"].get("default_member_permissions") is None
    for command in synced.values():
        texts = [command["description"], *command.get("description_localizations", {}).values()]
        for option in command.get("options", []):
            texts += [option["description"], *option.get("description_localizations", {}).values()]
        assert all(0 < len(t) <= 100 for t in texts), command["name"]


# Commands in, replies out -----------------------------------------------------------------


async def test_options_become_the_argument_string(
    harness: Harness, fake: FakeDiscord, stub: StubCore
) -> None:
    await harness.run(fake.slash("section", {"ref": "第２部 ３（１）"}, locale="en-US"))
    await harness.run(
        fake.slash("quiz", {"section": "第２部 ３（１）", "count": 5, "mode": "group"})
    )
    await harness.run(fake.slash("quiz", {"mode": "solo"}))
    await harness.run(
        fake.slash(
            "schedule",
            {"time": "07:30", "timezone": "Asia/Tokyo", "days": "mon,wed"},
            sub="set",
            member=fake.alice,
        )
    )
    await harness.run(fake.slash("schedule", sub="show", member=fake.bob))
    section, quiz, solo, schedule_set, show = stub.incomings[-5:]
    assert (section.command, section.args, section.locale) == (
        "section",
        "第２部 ３（１）",
        "en-US",
    )
    assert section.channel == ChannelKey("discord", str(fake.guild_id), str(fake.reading))
    assert section.user == str(fake.bob.id) and section.user_name == "Bob"
    assert section.event_id is not None and int(section.event_id) in fake.interactions
    assert (quiz.command, quiz.args) == ("quiz", "第２部３（１） group count=5")
    assert solo.args == "solo"
    assert (schedule_set.command, schedule_set.args) == ("schedule", "set 07:30 Asia/Tokyo mon,wed")
    assert schedule_set.is_admin and not section.is_admin
    assert (show.args, show.is_admin) == ("show", False)


async def test_a_reply_becomes_an_embed_with_buttons(
    harness: Harness, fake: FakeDiscord, stub: StubCore
) -> None:
    stub.script["section"] = Reply(
        title="第２部 ３（１） 地位協定の改定",
        blocks=("最初の段落。@everyone を含む。", "二つ目の段落。"),
        fields=(Field("用語", "地位協定"),),
        citation=Citation("第２部 ３（１）", "地位協定の改定"),
        buttons=(
            Button(make_action("nav", "nd-2025-05", "2.2"), "◀ 2.2"),
            Button(make_action("nav", "nd-2025-05", "2.3"), "▲ 2.3"),
        ),
        pager=Pager(1, 2, None, make_action("page", "section", "2.3.1", 2)),
        footer="読書会",
        tone=Tone.EXCERPT,
    )
    calls = await harness.run(fake.slash("section", {"ref": "2.3.1"}))
    (callback,) = callbacks(calls)
    assert callback.body["type"] == 4
    assert callback.query.get("with_response") == "1"
    assert "flags" not in callback.message or not callback.message["flags"] & EPHEMERAL
    first = embed(callback)
    assert first["title"] == "第２部 ３（１） 地位協定の改定"
    assert first["description"] == "最初の段落。@everyone を含む。\n\n二つ目の段落。"
    assert first["fields"] == [{"name": "用語", "value": "地位協定", "inline": False}]
    assert first["footer"]["text"] == "第２部 ３（１） 地位協定の改定 · 読書会 · 1/2"
    assert first["color"] == 0x14B8A6
    rows = callback.message["components"]
    assert [[b["custom_id"] for b in row["components"]] for row in rows] == [
        ["nav:nd-2025-05:2.2", "nav:nd-2025-05:2.3"],
        ["noop:prev", "page:section:2.3.1:2"],
    ]
    assert rows[1]["components"][0]["disabled"] and not rows[1]["components"][1]["disabled"]
    assert_no_mentions(calls)


async def test_ephemeral_reply_is_flagged(
    harness: Harness, fake: FakeDiscord, stub: StubCore
) -> None:
    stub.script["score"] = Reply(blocks=("あなたの成績",), ephemeral=True)
    (callback,) = callbacks(await harness.run(fake.slash("score")))
    assert callback.body["type"] == 4 and callback.message["flags"] == EPHEMERAL


async def test_followups_are_sent_and_tracked(
    harness: Harness, fake: FakeDiscord, stub: StubCore
) -> None:
    question = Reply(
        title="問 1 / 1",
        blocks=("問題文",),
        buttons=(Button("quiz:7:0:0", "1. はい"), Button("quiz:7:0:1", "2. いいえ")),
        tone=Tone.QUIZ,
        track="quiz:7:0",
    )
    stub.script["quiz"] = Reply(
        blocks=("グループクイズを始めます",), ephemeral=True, followups=(question,)
    )
    calls = await harness.run(fake.slash("quiz", {"mode": "group"}))
    (callback,) = callbacks(calls)
    (posted,) = followups(calls)
    assert callback.message["flags"] == EPHEMERAL
    assert posted.query.get("wait") == "1" and not posted.message.get("flags")
    assert custom_ids(posted) == ["quiz:7:0:0", "quiz:7:0:1"]
    message_id = max(fake.messages)
    track, channel, delivery = stub.delivered_calls[-1]
    assert (track, delivery) == ("quiz:7:0", Delivery(str(message_id)))
    assert channel.channel == str(fake.reading)
    assert_no_mentions(calls)

    # The core later reveals the answer by editing the question: through the interaction's
    # webhook while its token is valid (no channel permission needed).
    before = len(fake.calls)
    reveal = Reply(title="答え", blocks=("正解は 1",), replace=True)
    await harness.bot.transport.edit(channel, str(message_id), reveal)
    (edit,) = fake.calls[before:]
    assert edit.method == "PATCH" and edit.path.endswith(f"/messages/{message_id}")
    assert edit.path.startswith("/webhooks/")
    assert fake.messages[message_id]["components"] == []
    assert fake.messages[message_id]["embeds"][0]["title"] == "答え"


async def test_a_button_click_is_an_action(
    harness: Harness, fake: FakeDiscord, stub: StubCore
) -> None:
    stub.script["quiz"] = Reply(
        title="問", blocks=("?",), buttons=(Button("quiz:9:0:2", "3. 答え"),), ephemeral=True
    )
    stub.script["action:quiz:9:0:2"] = Reply(title="正解", blocks=("よくできました",), replace=True)
    calls = await harness.run(fake.slash("quiz", {"mode": "solo"}))
    message_id = int(fake.interactions[int(calls[0].path.split("/")[2])].original_id or 0)
    calls = await harness.run(fake.click(message_id, "quiz:9:0:2", member=fake.carol))
    action = stub.incomings[-1]
    assert (action.command, action.args, action.user) == (
        "action",
        "quiz:9:0:2",
        str(fake.carol.id),
    )
    (callback,) = callbacks(calls)
    assert callback.body["type"] == 7
    assert embed(callback)["title"] == "正解" and callback.message["components"] == []
    assert fake.messages[message_id]["embeds"][0]["title"] == "正解"


async def test_a_long_reply_is_split_between_sentences(
    harness: Harness, fake: FakeDiscord, stub: StubCore
) -> None:
    sentence = "日本の安全保障政策は、同盟と外交の両輪で考える必要がある。"
    paragraphs = tuple(sentence * 9 for _ in range(50))  # ~13,500 characters
    stub.script["search"] = Reply(
        title="長い結果", blocks=paragraphs, buttons=(Button("page:search:1:2", "▶"),)
    )
    calls = await harness.run(fake.slash("search", {"words": "同盟"}))
    sent = [c for c in calls if c.is_message]
    assert len(sent) >= 3 and sent[0].path.endswith("/callback")
    text = ""
    for call in sent:
        embeds = call.message["embeds"]
        assert len(embeds) <= 10
        assert sum(len(e.get("title", "")) + len(e.get("description", "")) for e in embeds) <= 6000
        for e in embeds:
            assert len(e["description"]) <= 4096 and e["description"].endswith("。")
            text += e["description"]
    assert text.replace("\n", "") == "".join(paragraphs)
    assert [bool(c.message.get("components")) for c in sent] == [False] * (len(sent) - 1) + [True]
    assert embed(sent[0])["title"] == "長い結果"


async def test_autocomplete_offers_at_most_25(
    harness: Harness, fake: FakeDiscord, stub: StubCore
) -> None:
    stub.suggestions = [
        Suggestion(f"第２部 {i} とても長い見出し" + "あ" * 120, f"2.{i}") for i in range(40)
    ]
    payload = fake.slash("section", {"ref": "第２部"}, focused="ref")
    (callback,) = callbacks(await harness.run(payload))
    choices = callback.body["data"]["choices"]
    assert callback.body["type"] == 8 and len(choices) == 25
    assert choices[0]["value"] == "2.0" and all(len(c["name"]) <= 100 for c in choices)
    payload = fake.slash("quiz", {"section": "なし", "count": 3}, focused="section")
    (callback,) = callbacks(await harness.run(payload))
    assert callback.body["data"]["choices"] == []


async def test_a_reply_can_open_a_discussion_thread(
    harness: Harness, fake: FakeDiscord, stub: StubCore, catalog: Catalog
) -> None:
    stub.script["excerpt"] = Reply(
        title="今日の抜粋",
        blocks=("本文。",),
        thread=ThreadRequest("1日目の話し合い", "どう思う？"),
    )
    calls = await harness.run(fake.slash("excerpt"))
    message_id = fake.interactions[int(callbacks(calls)[0].path.split("/")[2])].original_id
    assert fake.channels[int(message_id or 0)]["name"] == "1日目の話し合い"
    (prompt,) = fake.channel_messages(int(message_id or 0))
    assert prompt["content"] == "どう思う？"

    calls = await harness.run(fake.slash("excerpt", channel=fake.no_threads))
    warning = [c for c in calls if c.is_message][-1]
    assert warning.message["flags"] == EPHEMERAL
    assert embed(warning)["description"] == catalog.text(
        "discord.error.thread", "ja", name="1日目の話し合い"
    )


async def test_a_direct_message_has_no_guild_and_no_admin(
    harness: Harness, fake: FakeDiscord, stub: StubCore
) -> None:
    payload = fake.dm("score")
    (callback,) = callbacks(await harness.run(payload))
    incoming = stub.incomings[-1]
    assert incoming.channel == ChannelKey("discord", "dm", payload["channel_id"])
    assert incoming.user == str(fake.bob.id) and not incoming.is_admin
    assert callback.body["type"] == 4


# Slow paths and failures ------------------------------------------------------------------


async def _gated(harness: Harness, stub: StubCore, payload: dict[str, Any]) -> list[Call]:
    """Run `payload` while the core is stuck until the adapter has deferred."""
    stub.gate = asyncio.Event()
    handler = harness.client.handler
    handler.defer_after = 0.0
    try:
        iid = int(payload["id"])
        handled = harness.client.wait_for(HANDLED_EVENT, check=lambda i: i == iid, timeout=GUARD)
        interaction = await harness.fake.inject(payload)
        await asyncio.wait_for(interaction.responded.wait(), GUARD)  # the deferral
        stub.gate.set()
        await handled
        return harness.fake.calls_for(interaction)
    finally:
        handler.defer_after = 2.0


async def test_a_slow_command_is_deferred_then_answered(
    harness: Harness, fake: FakeDiscord, stub: StubCore, catalog: Catalog
) -> None:
    stub.script["excerpt"] = Reply(title="今日の抜粋", blocks=("本文。",), tone=Tone.EXCERPT)
    calls = await _gated(harness, stub, fake.slash("excerpt"))
    (callback,) = callbacks(calls)
    assert callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}
    note, posted = [c for c in calls if c.path.startswith("/webhooks/")]
    assert note.method == "PATCH" and note.path.endswith("/messages/@original")
    assert note.body["content"] == catalog.text("discord.posted", "ja")
    assert posted.method == "POST" and not posted.message.get("flags")
    assert embed(posted)["title"] == "今日の抜粋"

    stub.script["score"] = Reply(blocks=("あなたの成績",), ephemeral=True)
    calls = await _gated(harness, stub, fake.slash("score"))
    (edit,) = [c for c in calls if c.path.startswith("/webhooks/")]
    assert edit.method == "PATCH" and embed(edit)["description"] == "あなたの成績"
    assert_no_mentions(calls)


async def test_a_slow_button_is_acknowledged_silently(
    harness: Harness, fake: FakeDiscord, stub: StubCore
) -> None:
    stub.script["leaderboard"] = Reply(blocks=("順位",), buttons=(Button("page:board:x:2", "▶"),))
    calls = await harness.run(fake.slash("leaderboard"))
    message_id = int(fake.interactions[int(calls[0].path.split("/")[2])].original_id or 0)
    stub.script["action:page:board:x:2"] = Reply(blocks=("2 ページ目",), replace=True)
    calls = await _gated(harness, stub, fake.click(message_id, "page:board:x:2"))
    (callback,) = callbacks(calls)
    assert callback.body == {"type": 6}
    (edit,) = [c for c in calls if c.method == "PATCH"]
    assert edit.path.endswith("/messages/@original")
    assert fake.messages[message_id]["embeds"][0]["description"] == "2 ページ目"


async def test_a_retried_event_is_answered_once(
    harness: Harness, fake: FakeDiscord, stub: StubCore
) -> None:
    payload = fake.slash("toc")
    await harness.run(payload)
    asked = len(stub.incomings)
    iid = int(payload["id"])
    handled = harness.client.wait_for(HANDLED_EVENT, check=lambda i: i == iid, timeout=GUARD)
    before = len(fake.calls)
    await fake.inject(payload)
    await handled
    assert len(stub.incomings) == asked
    assert [c for c in fake.calls[before:] if c.path.startswith(f"/interactions/{iid}/")] == []


async def test_a_failing_core_gets_a_short_private_message(
    harness: Harness, fake: FakeDiscord, stub: StubCore, catalog: Catalog, log_tap: LogTap
) -> None:
    def boom(incoming: Incoming) -> Reply:
        raise RuntimeError("database is locked")

    stub.script["glossary"] = boom
    for locale, lang in (("ja", "ja"), ("en-US", "en")):
        calls = await harness.run(fake.slash("glossary", {"term": "地位協定"}, locale=locale))
        (callback,) = callbacks(calls)
        assert callback.body["type"] == 4 and callback.message["flags"] == EPHEMERAL
        assert embed(callback)["description"] == catalog.text("discord.error.internal", lang)
    logged = "\n".join(log_tap.lines)
    assert "database is locked" in logged and "glossary '地位協定'" in logged


async def test_an_unknown_command_says_the_commands_changed(
    harness: Harness, fake: FakeDiscord, catalog: Catalog
) -> None:
    (callback,) = callbacks(await harness.run(fake.slash("retired")))
    assert callback.message["flags"] == EPHEMERAL
    assert embed(callback)["description"] == catalog.text("discord.error.outdated", "ja")


# The Transport (posts the core starts itself) ---------------------------------------------


def channel(fake: FakeDiscord, cid: int) -> ChannelKey:
    return ChannelKey("discord", str(fake.guild_id), str(cid))


DAILY = Reply(
    title="1日目 / 18 第１部 １",
    blocks=("今日の本文。",),
    tone=Tone.EXCERPT,
    thread=ThreadRequest("1日目の議論", "この主張に賛成ですか？ @everyone"),
    ephemeral=True,
)


async def test_a_daily_post_lands_and_opens_a_thread(harness: Harness, fake: FakeDiscord) -> None:
    before = len(fake.calls)
    delivery = await harness.bot.transport.send(channel(fake, fake.reading), DAILY)
    post, thread, prompt = fake.calls[before:]
    assert (post.method, post.path) == ("POST", f"/channels/{fake.reading}/messages")
    assert not post.message.get("flags")  # a channel post is never ephemeral
    posted = fake.messages[int(delivery.message_id)]
    assert posted["channel_id"] == str(fake.reading)
    assert posted["embeds"][0]["title"] == DAILY.title
    assert thread.path == f"/channels/{fake.reading}/messages/{delivery.message_id}/threads"
    assert thread.body["name"] == "1日目の議論"
    assert delivery.thread_id is not None
    assert prompt.path == f"/channels/{delivery.thread_id}/messages"
    assert prompt.body["content"] == "この主張に賛成ですか？ @everyone"
    assert_no_mentions([post, prompt])


async def test_delivery_failures_are_told_apart(harness: Harness, fake: FakeDiscord) -> None:
    transport = harness.bot.transport
    with pytest.raises(DeliveryError) as missing:
        await transport.send(channel(fake, fake.snowflake()), DAILY)
    assert missing.value.failure is DeliveryFailure.CHANNEL_NOT_FOUND
    with pytest.raises(DeliveryError) as forbidden:
        await transport.send(channel(fake, fake.quiet), DAILY)
    assert forbidden.value.failure is DeliveryFailure.MISSING_PERMISSION
    assert forbidden.value.detail == "Send Messages"
    with pytest.raises(DeliveryError) as gone:
        await transport.edit(channel(fake, fake.reading), str(fake.snowflake()), DAILY)
    assert gone.value.failure is DeliveryFailure.CHANNEL_NOT_FOUND


async def test_a_post_stands_when_its_thread_cannot_be_opened(
    harness: Harness, fake: FakeDiscord, log_tap: LogTap
) -> None:
    delivery = await harness.bot.transport.send(channel(fake, fake.no_threads), DAILY)
    assert delivery.thread_id is None
    assert int(delivery.message_id) in fake.messages
    assert any("Create Public Threads" in line for line in log_tap.lines)


async def test_an_edit_without_the_interaction_goes_through_the_channel(
    harness: Harness, fake: FakeDiscord
) -> None:
    delivery = await harness.bot.transport.send(
        channel(fake, fake.reading), replace(DAILY, thread=None)
    )
    before = len(fake.calls)
    await harness.bot.transport.edit(
        channel(fake, fake.reading),
        delivery.message_id,
        Reply(title="編集済み", blocks=("新しい本文",)),
    )
    (edit,) = fake.calls[before:]
    assert (edit.method, edit.path) == (
        "PATCH",
        f"/channels/{fake.reading}/messages/{delivery.message_id}",
    )
    assert edit.body["allowed_mentions"] == {"parse": []}
    assert fake.messages[int(delivery.message_id)]["embeds"][0]["title"] == "編集済み"


# Life cycle -------------------------------------------------------------------------------


async def test_run_discord_serves_until_cancelled(
    harness: Harness, fake: FakeDiscord, catalog: Catalog, tmp_path: Path
) -> None:
    core = StubCore(catalog)
    base = load_settings(None, {})
    settings = replace(  # as `studybot run` passes them
        base, bot=replace(base.bot, data_dir=tmp_path), discord=discord_settings(fake)
    )
    fake.identified.clear()
    sockets = len(fake.sockets)
    task = asyncio.ensure_future(run_discord(core, settings))
    await asyncio.wait_for(fake.identified.wait(), GUARD)
    assert len(core.transports) == 1 and core.transports[0].platform == "discord"
    assert len(fake.sockets) == sockets + 1
    fake.disconnected.clear()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(fake.disconnected.wait(), GUARD)  # it said goodbye to the gateway
    assert len(fake.sockets) == sockets


async def test_no_token_is_a_clear_error(
    fake: FakeDiscord, catalog: Catalog, tmp_path: Path
) -> None:
    settings = discord_settings(fake, token=None, token_env="MY_DISCORD_TOKEN")
    with pytest.raises(ValueError, match="MY_DISCORD_TOKEN"):
        DiscordBot(StubCore(catalog), settings, catalog, tmp_path)


# Etiquette over the whole module -----------------------------------------------------------


async def test_nothing_sent_could_mention_anyone(harness: Harness, fake: FakeDiscord) -> None:
    # Each test checks its own calls; this sweeps whatever ran in this process.
    assert_no_mentions([c for c in fake.calls if c.is_message])


async def test_the_token_is_never_logged(harness: Harness, log_tap: LogTap) -> None:
    assert log_tap.lines
    assert not [line for line in log_tap.lines if TOKEN in line]
