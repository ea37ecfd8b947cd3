"""End to end: the real core on a SQLite file, the real discord.py client, a fake Discord.

Every slash command, autocomplete, solo and group quizzes with two members, pagers, a
restart that keeps old buttons working, and the daily post with its discussion thread.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from discord_fake import Call, FakeDiscord, Member
from discord_support import Harness, LogTap, start_bot

from bot.adapters.discord.render import COLOURS
from bot.app import build_core
from bot.config import load_settings
from bot.content.models import Library
from bot.core.catalog import Catalog
from bot.core.clock import ManualClock
from bot.core.incoming import ChannelKey
from bot.core.reply import Tone
from bot.core.router import Router
from bot.services.excerpts import build_plan, excerpt_reply

pytestmark = pytest.mark.asyncio(loop_scope="module")

CONTENT = Path(__file__).resolve().parents[2] / "content"
EPHEMERAL = 64
TIMER = timedelta(seconds=31)  # just past the default group timer


@dataclasses.dataclass
class World:
    fake: FakeDiscord
    library: Library
    catalog: Catalog
    clock: ManualClock
    data_dir: Path
    core: Router
    harness: Harness

    def new_core(self) -> Router:
        base = load_settings(None, {})
        settings = dataclasses.replace(
            base,
            bot=dataclasses.replace(base.bot, data_dir=self.data_dir, content_dir=CONTENT),
        )
        return build_core(settings, clock=self.clock, library=self.library, catalog=self.catalog)

    async def restart(self, **settings: Any) -> None:
        """Stop the bot and its core, then start new ones on the same data directory."""
        await self.harness.bot.close()
        self.core.close()
        self.core = self.new_core()
        bot = await start_bot(self.fake, self.core, self.catalog, self.data_dir, settings=settings)
        self.harness = Harness(self.fake, bot)

    async def run(self, payload: dict[str, Any]) -> list[Call]:
        return await self.harness.run(payload)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world(
    fake: FakeDiscord,
    library: Library,
    log_tap: LogTap,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[World]:
    catalog = Catalog.load()
    clock = ManualClock(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    data_dir = tmp_path_factory.mktemp("discord-e2e")
    w = World(fake, library, catalog, clock, data_dir, None, None)  # type: ignore[arg-type]
    w.core = w.new_core()
    w.harness = Harness(fake, await start_bot(fake, w.core, catalog, data_dir))
    yield w
    await w.harness.bot.close()
    w.core.close()


def t(world: World, key: str, lang: str = "ja", **values: Any) -> str:
    return world.catalog.text(key, lang, **values)


def answer_of(calls: list[Call]) -> Call:
    """The first message-carrying call of an interaction (its callback)."""
    callback = next(c for c in calls if c.path.endswith("/callback"))
    assert callback.body["type"] in (4, 7), callback.body
    return callback


def embed_text(call: Call) -> str:
    parts: list[str] = []
    for e in call.message.get("embeds", []):
        parts += [e.get("title", ""), e.get("description", ""), e.get("footer", {}).get("text", "")]
        parts += [f["name"] + "\n" + f["value"] for f in e.get("fields", [])]
    return "\n".join(parts)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in message.get("components", []) for b in row["components"]]


def is_ephemeral(call: Call) -> bool:
    return bool(int(call.message.get("flags") or 0) & EPHEMERAL)


def message_of(world: World, call: Call) -> dict[str, Any]:
    iid = int(call.path.split("/")[2])
    original = world.fake.interactions[iid].original_id
    assert original is not None
    return world.fake.messages[original]


def check_sent(calls: list[Call]) -> None:
    for call in calls:
        if call.is_message:
            assert call.message.get("allowed_mentions") == {"parse": []}, call
            for e in call.message.get("embeds", []):
                assert len(e.get("description", "")) <= 4096
                assert len(e.get("fields", [])) <= 25
            rows = call.message.get("components", [])
            assert len(rows) <= 5 and all(len(r["components"]) <= 5 for r in rows)
            assert all(len(b["custom_id"]) <= 100 for r in rows for b in r["components"])
            text = embed_text(call)
            assert "Traceback" not in text and "command." not in text


# Every command ----------------------------------------------------------------------------


async def test_every_command_answers_in_japanese(world: World) -> None:
    fake = world.fake
    document = world.library.default_document
    section = document.section("2.3.1")
    assert section is not None

    help_ = answer_of(await world.run(fake.slash("help")))
    assert t(world, "help.title") in embed_text(help_) and "/section" in embed_text(help_)

    toc = answer_of(await world.run(fake.slash("toc")))
    assert section.label in embed_text(toc)

    shown = answer_of(await world.run(fake.slash("section", {"ref": "第２部３（１）"})))
    assert section.label in shown.message["embeds"][0]["title"]
    assert section.paragraphs[0][:20] in embed_text(shown)
    assert any(b["custom_id"].startswith("nav:") for b in buttons(shown.message))
    assert not is_ephemeral(shown)

    found = answer_of(await world.run(fake.slash("search", {"words": "抑止"})))
    assert "抑止" in found.message["embeds"][0]["title"]

    term = answer_of(await world.run(fake.slash("glossary", {"term": "地位協定"})))
    assert "地位協定" in embed_text(term)

    excerpt = answer_of(await world.run(fake.slash("excerpt")))
    assert excerpt.message["embeds"][0]["color"] == COLOURS[Tone.EXCERPT]
    assert "日目" in excerpt.message["embeds"][0]["title"]

    nothing = answer_of(await world.run(fake.slash("answer", {"text": "地位協定"})))
    assert is_ephemeral(nothing)
    assert t(world, "quiz.error.no_cloze") in embed_text(nothing)

    score = answer_of(await world.run(fake.slash("score", member=fake.carol)))
    assert is_ephemeral(score) and t(world, "score.none") in embed_text(score)

    board = answer_of(await world.run(fake.slash("leaderboard")))
    assert not is_ephemeral(board)
    check_sent(fake.calls)


async def test_replies_follow_the_users_locale_and_the_channel_language(world: World) -> None:
    fake = world.fake
    english = answer_of(await world.run(fake.slash("help", locale="en-US")))
    assert t(world, "help.title", "en") in embed_text(english)

    refused = answer_of(await world.run(fake.slash("language", {"language": "en"})))
    assert is_ephemeral(refused) and t(world, "error.admin_only") in embed_text(refused)

    done = answer_of(await world.run(fake.slash("language", {"language": "en"}, member=fake.alice)))
    assert t(world, "language.set", "en") in embed_text(done)
    in_channel = answer_of(await world.run(fake.slash("help", locale="ja")))
    assert t(world, "help.title", "en") in embed_text(in_channel)

    await world.run(fake.slash("language", {"language": "ja"}, member=fake.alice))
    again = answer_of(await world.run(fake.slash("help", locale="en-US")))
    assert t(world, "help.title", "ja") in embed_text(again)


async def test_schedule_is_for_admins_and_posts_with_a_thread(world: World) -> None:
    fake = world.fake
    error = COLOURS[Tone.ERROR]

    def schedule(sub: str, member: Member, channel: int, **options: str) -> dict[str, Any]:
        return fake.slash("schedule", options, sub=sub, member=member, channel=channel)

    refused = answer_of(await world.run(schedule("set", fake.bob, fake.reading, time="07:30")))
    assert is_ephemeral(refused)
    assert t(world, "schedule.error.not_admin") in embed_text(refused)

    options = {"time": "07:30", "timezone": "Asia/Tokyo", "days": "daily thread"}
    done = answer_of(await world.run(schedule("set", fake.alice, fake.reading, **options)))
    assert done.message["embeds"][0]["color"] != error

    before = max(fake.messages)
    now = answer_of(await world.run(schedule("now", fake.alice, fake.reading)))
    assert now.message["embeds"][0]["color"] == COLOURS[Tone.SUCCESS]
    (post,) = [
        m
        for m in fake.channel_messages(fake.reading)
        if int(m["id"]) > before and m["type"] == 0  # a channel post, not an interaction's
    ]
    assert "日目" in post["embeds"][0]["title"]
    assert fake.channels[int(post["id"])]["parent_id"] == str(fake.reading)  # its thread
    (prompt,) = fake.channel_messages(int(post["id"]))
    assert prompt["content"]

    shown = answer_of(await world.run(schedule("show", fake.bob, fake.reading)))
    assert shown.message["embeds"][0]["color"] != error

    # Where the bot may not post, the admin is told which permission is missing.
    await world.run(schedule("set", fake.alice, fake.quiet, time="07:30"))
    failed = answer_of(await world.run(schedule("now", fake.alice, fake.quiet)))
    assert is_ephemeral(failed) and "Send Messages" in embed_text(failed)

    for room in (fake.reading, fake.quiet):
        await world.run(schedule("stop", fake.alice, room))


async def test_autocomplete_suggests_sections_and_terms(world: World) -> None:
    fake = world.fake
    calls = await world.run(fake.slash("section", {"ref": "2.3"}, focused="ref"))
    choices = calls[0].body["data"]["choices"]
    assert calls[0].body["type"] == 8 and 0 < len(choices) <= 25
    assert "2.3.1" in [c["value"] for c in choices]
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)

    calls = await world.run(fake.slash("glossary", {"term": ""}, focused="term"))
    assert len(calls[0].body["data"]["choices"]) == 25
    calls = await world.run(fake.slash("glossary", {"term": "ちい"}, focused="term"))
    assert "地位協定" in [c["value"] for c in calls[0].body["data"]["choices"]]

    calls = await world.run(fake.slash("quiz", {"section": "第２部"}, focused="section"))
    assert calls[0].body["data"]["choices"]


# Pagers and navigation --------------------------------------------------------------------


async def test_search_results_page_with_buttons(world: World) -> None:
    fake = world.fake
    first = answer_of(await world.run(fake.slash("search", {"words": "日本"})))
    footer = first.message["embeds"][-1]["footer"]["text"]
    assert "1/" in footer.replace(" ", "")
    pager = first.message["components"][-1]["components"]
    assert pager[0]["disabled"] and pager[1]["custom_id"].startswith("page:search:")
    message = message_of(world, first)

    second = answer_of(await world.run(fake.click(int(message["id"]), pager[1]["custom_id"])))
    assert second.body["type"] == 7
    assert "2/" in second.message["embeds"][-1]["footer"]["text"].replace(" ", "")
    assert second.message["embeds"][0]["fields"] != first.message["embeds"][0]["fields"]

    nav = next(b for b in buttons(second.message) if b["custom_id"].startswith("nav:"))
    shown = answer_of(await world.run(fake.click(int(message["id"]), nav["custom_id"])))
    section_id = nav["custom_id"].split(":")[2]
    section = world.library.default_document.section(section_id)
    assert section is not None and section.label in shown.message["embeds"][0]["title"]
    check_sent(fake.calls)


# Quizzes ----------------------------------------------------------------------------------


async def _start_quiz_with_buttons(
    world: World, member: Member, channel: int, mode: str
) -> tuple[dict[str, Any], list[Call]]:
    """Start quizzes until one's first question has buttons (cloze questions are typed)."""
    fake = world.fake
    for _ in range(12):
        calls = await world.run(
            fake.slash("quiz", {"count": 1, "mode": mode}, member=member, channel=channel)
        )
        posted = [c for c in calls if c.is_message][-1]
        if buttons(posted.message):
            question = max(
                (m for m in fake.messages.values() if m["embeds"] == posted.message["embeds"]),
                key=lambda m: int(m["id"]),
            )
            return question, calls
        if mode == "group":
            world.clock.advance(TIMER)
            await world.core.tick()
        else:
            await world.run(fake.slash("answer", {"text": "?"}, member=member, channel=channel))
    raise AssertionError("no quiz question with buttons in 12 tries")


async def test_a_solo_quiz_is_private_and_graded_on_click(world: World) -> None:
    fake = world.fake
    question, calls = await _start_quiz_with_buttons(world, fake.bob, fake.reading, "solo")
    assert all(is_ephemeral(c) for c in calls if c.is_message)
    choice = buttons(question)[0]["custom_id"]
    assert choice.startswith("quiz:")
    graded = await world.run(fake.click(int(question["id"]), choice))
    feedback = answer_of(graded)
    assert feedback.body["type"] == 7  # the question turns into its feedback
    assert is_ephemeral(feedback) or question["flags"] & EPHEMERAL
    summary = [c for c in graded if c.is_message][-1]
    assert is_ephemeral(summary) and t(world, "quiz.summary_title") in embed_text(summary)
    check_sent(graded)


async def test_two_members_answer_one_group_quiz(world: World) -> None:
    fake = world.fake
    room = fake.quiz_room
    question, calls = await _start_quiz_with_buttons(world, fake.bob, room, "group")
    intro, posted = [c for c in calls if c.is_message][-2:]
    assert is_ephemeral(intro) and not is_ephemeral(posted)
    assert posted.path.startswith("/webhooks/")
    qid = int(question["id"])
    choices = [b["custom_id"] for b in buttons(question)]

    first = answer_of(await world.run(fake.click(qid, choices[0], member=fake.bob)))
    assert is_ephemeral(first) and t(world, "quiz.answer_received") in embed_text(first)

    twice = answer_of(await world.run(fake.click(qid, choices[-1], member=fake.bob)))
    assert is_ephemeral(twice) and t(world, "quiz.error.already_answered") in embed_text(twice)
    assert fake.messages[qid]["components"]  # still open: the first question runs its timer

    before = len(fake.calls)
    carol = answer_of(await world.run(fake.click(qid, choices[0], member=fake.carol)))
    assert is_ephemeral(carol) and t(world, "quiz.answer_received") in embed_text(carol)
    assert fake.messages[qid]["components"]  # others may still join until the timer ends
    world.clock.advance(TIMER)
    assert await world.core.tick() == 1
    reveal = next(c for c in fake.calls[before:] if c.method == "PATCH")
    assert reveal.path.endswith(f"/messages/{qid}")
    assert fake.messages[qid]["embeds"][0]["title"] == t(world, "quiz.reveal_title", no=1, total=1)
    assert fake.messages[qid]["components"] == []
    summary = [m for m in fake.channel_messages(room) if m["type"] == 0][-1]  # a channel post
    assert summary["embeds"][0]["title"] == t(world, "quiz.summary_title")
    assert "Bob" in summary["embeds"][0]["description"]
    assert "Carol" in summary["embeds"][0]["description"]
    check_sent(fake.calls[before:])


async def test_the_timer_reveals_by_editing_the_question(world: World) -> None:
    fake = world.fake
    calls = await world.run(fake.slash("quiz", {"count": 1, "mode": "group"}, member=fake.alice))
    posted = [c for c in calls if c.is_message][-1]
    question = next(
        m for m in reversed(fake.messages.values()) if m["embeds"] == posted.message["embeds"]
    )
    world.clock.advance(TIMER)
    assert await world.core.tick() == 1
    edited = fake.messages[int(question["id"])]
    assert edited["embeds"][0]["title"] == t(world, "quiz.reveal_title", no=1, total=1)


# Daily posts ------------------------------------------------------------------------------


async def test_a_daily_post_lands_in_the_channel_with_its_thread(world: World) -> None:
    fake = world.fake
    document = world.library.default_document
    plan = build_plan(document, 400, 700)
    prompts = world.library.prompts.get(document.id, ())
    reply = excerpt_reply(
        plan.excerpts[0], catalog=world.catalog, lang="ja", prompts=prompts, open_thread=True
    )
    assert reply.thread is not None
    channel = ChannelKey("discord", str(fake.guild_id), str(fake.reading))
    delivery = await world.core.transports["discord"].send(channel, reply)  # as the scheduler
    posted = fake.messages[int(delivery.message_id)]
    assert posted["channel_id"] == str(fake.reading)
    assert posted["embeds"][0]["title"] == reply.title
    assert delivery.thread_id is not None
    thread = fake.channels[int(delivery.thread_id)]
    assert thread["parent_id"] == str(fake.reading) and thread["name"] == reply.thread.name
    (first,) = fake.channel_messages(int(delivery.thread_id))
    assert first["content"].replace("\\", "") == reply.thread.first_message


# Restarts ---------------------------------------------------------------------------------


async def test_buttons_keep_working_after_a_restart(world: World) -> None:
    fake = world.fake
    found = answer_of(await world.run(fake.slash("search", {"words": "日本"}, member=fake.carol)))
    next_page = found.message["components"][-1]["components"][1]["custom_id"]
    search_message = int(message_of(world, found)["id"])
    question, _ = await _start_quiz_with_buttons(world, fake.carol, fake.reading, "solo")

    synced_before = [c for c in fake.calls if c.method == "PUT"]
    mark = len(fake.calls)
    await world.restart()
    restart_calls = fake.calls[mark:]
    assert [c for c in fake.calls if c.method == "PUT"] == synced_before  # commands unchanged
    assert ("GET", f"/applications/{fake.application_id}/commands") in [
        (c.method, c.path) for c in restart_calls
    ]

    paged = answer_of(await world.run(fake.click(search_message, next_page, member=fake.carol)))
    assert paged.body["type"] == 7 and "2/" in embed_text(paged).replace(" ", "")
    choice = buttons(question)[0]["custom_id"]
    graded = answer_of(await world.run(fake.click(int(question["id"]), choice, member=fake.carol)))
    assert graded.body["type"] == 7
    assert t(world, "error.stale_button") not in embed_text(graded)


async def test_commands_deleted_on_discord_are_synced_again(world: World) -> None:
    world.fake.commands.clear()
    await world.restart()
    assert {c["name"] for c in world.fake.commands["global"]} >= {"section", "quiz", "schedule"}


async def test_guild_ids_sync_to_those_servers(world: World) -> None:
    fake = world.fake
    await world.restart(guild_ids=(fake.guild_id,))
    scoped = fake.commands[str(fake.guild_id)]
    assert {c["name"] for c in scoped} == {c["name"] for c in fake.commands["global"]}
    payload = fake.slash("help")
    payload["data"]["guild_id"] = str(fake.guild_id)  # as Discord sends a server command
    assert t(world, "help.title") in embed_text(answer_of(await world.run(payload)))
