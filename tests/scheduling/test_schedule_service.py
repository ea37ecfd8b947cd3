"""The `schedule` command as an admin and a member see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from scheduling_support import CHANNEL, DOC_ID, World, catalog, plan_total

from bot.core.incoming import Incoming
from bot.core.reply import Reply, Tone
from bot.core.transport import DeliveryFailure
from bot.scheduling import Outcome
from bot.services.schedules import ScheduleService

TOKYO = ZoneInfo("Asia/Tokyo")
MONDAY = date(2025, 6, 2)


@dataclass
class SyncRecorder:
    synced: list[int] = field(default_factory=list)

    def sync(self, subscription_id: int) -> None:
        self.synced.append(subscription_id)


@dataclass
class Harness:
    world: World
    service: ScheduleService
    sync: SyncRecorder

    async def run(self, args: str, *, admin: bool = True, lang: str = "ja") -> Reply:
        incoming = Incoming(
            channel=CHANNEL,
            user="U1" if admin else "U2",
            user_name="alice" if admin else "bob",
            command="schedule",
            args=args,
            is_admin=admin,
        )
        return await self.service.handle(incoming, args, lang)


@pytest.fixture
def h(world: World) -> Harness:
    recorder = SyncRecorder()
    service = ScheduleService(
        subscriptions=world.subs,
        positions=world.positions,
        poster=world.poster,
        scheduler=recorder,
        library=world.library,
        settings=world.settings,
        catalog=catalog(),
        clock=world.clock,
    )
    return Harness(world, service, recorder)


def t(key: str, lang: str = "ja", **values: object) -> str:
    return catalog().text(key, lang, **values)


def text_of(reply: Reply) -> str:
    parts = [reply.title or "", *reply.blocks]
    parts += [f"{f.name}: {f.value}" for f in reply.fields]
    return "\n".join(parts)


def field_value(reply: Reply, key: str, lang: str = "ja") -> str:
    name = t(key, lang)
    return next(f.value for f in reply.fields if f.name == name)


# -- set -----------------------------------------------------------------------------------


async def test_set_creates_a_daily_schedule_with_defaults(h: Harness) -> None:
    reply = await h.run("set 07:30")
    assert reply.tone is Tone.SUCCESS
    sub = h.world.subs.for_channel(CHANNEL)
    assert sub is not None
    assert (sub.time, sub.timezone, sub.days) == ("07:30", "Asia/Tokyo", tuple(
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]))  # fmt: skip
    assert (sub.document, sub.thread, sub.at_end, sub.created_by) == (DOC_ID, False, "stop", "U1")
    assert h.sync.synced == [sub.id]
    # Monday 06:00 in Tokyo: the first post is today at 07:30.
    assert t("schedule.set.next", when="2025-06-02（月）07:30") in reply.blocks


async def test_set_with_zone_japanese_days_and_options(h: Harness) -> None:
    await h.run("set 7:05 America/New_York 月水金 thread loop")
    sub = h.world.subs.for_channel(CHANNEL)
    assert sub is not None
    assert (sub.time, sub.timezone, sub.days) == (
        "07:05",
        "America/New_York",
        ("mon", "wed", "fri"),
    )
    assert (sub.thread, sub.at_end) == (True, "loop")


async def test_set_changes_only_what_is_given(h: Harness) -> None:
    await h.run("set 07:30 mon,wed,fri --thread")
    await h.run("set asia/kolkata --no-thread --no-loop")
    sub = h.world.subs.for_channel(CHANNEL)
    assert sub is not None
    assert (sub.time, sub.timezone, sub.days) == ("07:30", "Asia/Kolkata", ("mon", "wed", "fri"))
    assert (sub.thread, sub.at_end) == (False, "stop")
    assert len(h.sync.synced) == 2


@pytest.mark.parametrize(
    ("args", "key", "fields"),
    [
        ("set 25:00", "schedule.error.time_range", {"value": "25:00"}),
        ("set 7:60", "schedule.error.time_range", {"value": "7:60"}),
        ("set 7.30", "schedule.error.time_format", {"value": "7.30"}),
        ("set 07:30 08:00", "schedule.error.time_twice", {"value": "08:00"}),
        ("set 07:30 Asia/Tokio", "schedule.error.zone_suggestion",
         {"value": "Asia/Tokio", "suggestion": "Asia/Tokyo"}),
        ("set 07:30 JST", "schedule.error.zone_suggestion",
         {"value": "JST", "suggestion": "Asia/Tokyo"}),
        ("set 07:30 Mars/Base", "schedule.error.zone_unknown", {"value": "Mars/Base"}),
        ("set 07:30 mon,xyz", "schedule.error.day_unknown", {"value": "xyz"}),
        ("set 07:30 月,星", "schedule.error.day_unknown", {"value": "星"}),
        ("set 07:30 tues", "schedule.error.token", {"value": "tues"}),
        ("set 07:30 hello", "schedule.error.token", {"value": "hello"}),
        ("set Asia/Tokyo", "schedule.error.time_missing", {}),
    ],
)  # fmt: skip
async def test_set_rejects_bad_input_precisely(
    h: Harness, args: str, key: str, fields: dict[str, str]
) -> None:
    for lang in ("ja", "en"):
        reply = await h.run(args, lang=lang)
        assert reply.tone is Tone.ERROR and reply.ephemeral
        assert reply.blocks[0] == t(key, lang, **fields)
    assert h.world.subs.for_channel(CHANNEL) is None and h.sync.synced == []


async def test_members_may_look_but_not_change(h: Harness) -> None:
    await h.run("set 07:30")
    for args in ("set 08:00", "pause", "resume", "skip", "now", "stop"):
        reply = await h.run(args, admin=False)
        assert reply.tone is Tone.ERROR and reply.blocks[0] == t("schedule.error.not_admin")
    shown = await h.run("show", admin=False)
    assert shown.tone is Tone.INFO
    sub = h.world.subs.for_channel(CHANNEL)
    assert sub is not None and sub.time == "07:30" and not sub.paused
    assert h.world.transport.posts == []


async def test_unknown_subcommand_and_help(h: Harness) -> None:
    reply = await h.run("frobnicate")
    assert reply.tone is Tone.ERROR
    assert reply.blocks == (t("schedule.error.unknown_subcommand", value="frobnicate"),
                            t("schedule.help.usage"))  # fmt: skip
    help_reply = await h.run("")
    assert help_reply.title == t("schedule.help.title")
    assert "Asia/Tokyo" in help_reply.text


async def test_commands_without_a_schedule_say_so(h: Harness) -> None:
    for sub in ("pause", "resume", "skip", "now", "stop"):
        reply = await h.run(sub)
        assert reply.blocks[0] == t("schedule.error.none")
    shown = await h.run("show")
    assert shown.blocks == (t("schedule.show.none"),)


# -- show ----------------------------------------------------------------------------------


async def test_show_tells_the_truth(h: Harness) -> None:
    await h.run("set 07:30 mon,wed,fri thread")
    h.world.clock.set(datetime(2025, 6, 2, 9, 0, tzinfo=TOKYO))
    result = await h.world.poster.run_due(1)  # Monday's post, late (the bot was down)
    assert result.late
    reply = await h.run("show")
    total = plan_total()
    assert field_value(reply, "schedule.field.when") == t(
        "schedule.value.when", time="07:30", zone="Asia/Tokyo", days="月・水・金"
    )
    assert field_value(reply, "schedule.field.position") == t(
        "schedule.position.next", day=2, total=total
    )
    assert field_value(reply, "schedule.field.last_sent") == t(
        "schedule.last.sent_late",
        when="2025-06-02（月）09:00",
        what=t("schedule.last.excerpt", day=1),
    )
    assert field_value(reply, "schedule.field.status") == t("schedule.status.active")
    assert field_value(reply, "schedule.field.next").splitlines() == [
        t("schedule.next.item", when="2025-06-04（水）07:30"),
        t("schedule.next.item", when="2025-06-06（金）07:30"),
        t("schedule.next.item", when="2025-06-09（月）07:30"),
    ]


async def test_show_while_failing_then_paused_by_failures(h: Harness) -> None:
    await h.run("set 07:30")
    h.world.transport.fail_with = DeliveryFailure.MISSING_PERMISSION
    for offset in range(2):
        h.world.clock.set(datetime(2025, 6, 2 + offset, 7, 30, tzinfo=TOKYO))
        await h.world.poster.run_due(1)
    failing = await h.run("show", admin=False)
    status = field_value(failing, "schedule.field.status")
    assert status.startswith("⚠️") and "2 / 3" in status and "missing_permission" in status
    assert "missing_permission" in field_value(failing, "schedule.field.last_outcome")
    h.world.clock.set(datetime(2025, 6, 4, 7, 30, tzinfo=TOKYO))
    await h.world.poster.run_due(1)
    paused = await h.run("show", admin=False)
    status = field_value(paused, "schedule.field.status")
    assert status.startswith("⏸") and "missing_permission" in status
    nxt = field_value(paused, "schedule.field.next").splitlines()
    # The next times are still the rule's, with the truth that they will not post.
    assert nxt[:3] == [t("schedule.next.item", when=f"2025-06-0{d}（{w}）07:30")
                       for d, w in ((5, "木"), (6, "金"), (7, "土"))]  # fmt: skip
    assert nxt[3] == t("schedule.next.paused")
    # Resuming clears the count and the error.
    await h.run("resume")
    sub = h.world.subs.get(1)
    assert sub is not None and (sub.paused, sub.failures, sub.last_error) == (False, 0, None)


async def test_show_in_english(h: Harness) -> None:
    await h.run("set 07:30 weekdays", lang="en")
    reply = await h.run("show", lang="en")
    assert reply.title == t("schedule.show.title", "en")
    assert (
        field_value(reply, "schedule.field.when", "en") == "07:30 (Asia/Tokyo), weekdays (Mon–Fri)"
    )
    assert (
        field_value(reply, "schedule.field.next", "en").splitlines()[0] == "• Mon 2025-06-02 07:30"
    )


# -- pause / resume / skip / now / stop ----------------------------------------------------


async def test_pause_and_resume(h: Harness) -> None:
    await h.run("set 07:30")
    assert (await h.run("pause")).blocks == (t("schedule.pause.done"),)
    assert (await h.run("pause")).blocks == (t("schedule.pause.already"),)
    shown = await h.run("show")
    assert field_value(shown, "schedule.field.status") == t(
        "schedule.status.paused", reason=t("schedule.paused.admin")
    )
    h.world.clock.set(datetime(2025, 6, 2, 7, 30, tzinfo=TOKYO))
    assert (await h.world.poster.run_due(1)).outcome is Outcome.PAUSED
    resumed = await h.run("resume")
    assert resumed.blocks == (t("schedule.resume.done", when="2025-06-03（火）07:30"),)
    assert (await h.run("resume")).blocks == (t("schedule.resume.not_paused"),)


async def test_skip_skips_the_next_post_precisely(h: Harness) -> None:
    await h.run("set 07:30")
    first = await h.run("skip")
    assert first.blocks == (
        t("schedule.skip.done", when="2025-06-02（月）07:30"),
        t("schedule.skip.next", when="2025-06-03（火）07:30"),
    )
    second = await h.run("skip")
    assert second.blocks[0] == t("schedule.skip.done", when="2025-06-03（火）07:30")
    shown = await h.run("show")
    assert field_value(shown, "schedule.field.next").splitlines() == [
        t("schedule.next.item_skipped", when="2025-06-02（月）07:30"),
        t("schedule.next.item_skipped", when="2025-06-03（火）07:30"),
        t("schedule.next.item", when="2025-06-04（水）07:30"),
    ]
    for day in (2, 3):
        h.world.clock.set(datetime(2025, 6, day, 7, 30, tzinfo=TOKYO))
        assert (await h.world.poster.run_due(1)).outcome is Outcome.ALREADY_DONE
    assert h.world.transport.posts == []
    h.world.clock.set(datetime(2025, 6, 4, 7, 30, tzinfo=TOKYO))
    wednesday = await h.world.poster.run_due(1)
    assert wednesday.excerpt_index == 0  # skipping never moves the plan


async def test_skip_after_todays_post_skips_tomorrow(h: Harness) -> None:
    await h.run("set 07:30")
    h.world.clock.set(datetime(2025, 6, 2, 7, 30, tzinfo=TOKYO))
    await h.world.poster.run_due(1)
    h.world.clock.advance(timedelta(hours=1))
    reply = await h.run("skip")
    assert reply.blocks[0] == t("schedule.skip.done", when="2025-06-03（火）07:30")


async def test_now_posts_the_next_excerpt_and_keeps_the_schedule(h: Harness) -> None:
    await h.run("set 07:30")
    reply = await h.run("now")
    total = plan_total()
    assert reply.tone is Tone.SUCCESS and reply.ephemeral
    assert reply.blocks == (
        t("schedule.now.done", day=1, total=total),
        t("schedule.now.scheduled_unchanged"),
    )
    assert len(h.world.transport.posts) == 1
    assert h.world.positions.get(CHANNEL, DOC_ID) == (1, False)
    assert h.world.subs.deliveries(1) == []
    h.world.clock.set(datetime(2025, 6, 2, 7, 30, tzinfo=TOKYO))
    scheduled = await h.world.poster.run_due(1)
    assert scheduled.outcome is Outcome.SENT and scheduled.excerpt_index == 1


async def test_now_reports_a_missing_permission(h: Harness) -> None:
    await h.run("set 07:30")
    h.world.transport.fail_with = DeliveryFailure.MISSING_PERMISSION
    reply = await h.run("now", lang="en")
    assert reply.tone is Tone.ERROR
    assert reply.blocks[0] == t("schedule.error.missing_permission", "en", detail="fake says no")
    assert h.world.positions.get(CHANNEL, DOC_ID) == (0, False)
    sub = h.world.subs.get(1)
    assert sub is not None and sub.failures == 0  # an admin's own attempt is not counted


async def test_stop_deletes_the_schedule_and_keeps_the_position(h: Harness) -> None:
    await h.run("set 07:30")
    await h.run("now")
    reply = await h.run("stop")
    assert reply.blocks == (t("schedule.stop.done"),)
    assert h.world.subs.for_channel(CHANNEL) is None
    assert h.sync.synced == [1, 1]
    assert h.world.positions.get(CHANNEL, DOC_ID) == (1, False)
    assert (await h.run("show")).blocks == (t("schedule.show.none"),)


async def test_extra_words_are_refused(h: Harness) -> None:
    await h.run("set 07:30")
    reply = await h.run("pause now please")
    assert reply.blocks[0] == t("schedule.error.extra", command="pause", value="now please")
    sub = h.world.subs.get(1)
    assert sub is not None and not sub.paused
