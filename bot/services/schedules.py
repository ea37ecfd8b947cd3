"""The `schedule` command: set, show, pause, resume, skip, now, stop.

`show` is for everyone and tells the truth from the store (last sent, why paused, the next
three local send times); everything else is for admins (`Incoming.is_admin`, decided by the
adapter). After every change the scheduler re-derives the channel's job (`ScheduleSync`).

Syntax of `set` (the order of the words after the time does not matter):
  set HH:MM [ZONE] [DAYS] [thread|nothread] [loop|noloop]
ZONE is an IANA name (Asia/Tokyo); DAYS is daily, weekdays, weekends, mon,wed,fri, mon-fri,
月水金, 平日 …; `--thread` / `--no-thread` / `--loop` / `--no-loop` are accepted too. Words
left out keep their current value (or the defaults, for a new schedule); the time may be
left out when changing an existing schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.config import Settings
from bot.content.models import Document, Library
from bot.content.normalize import nfkc
from bot.core.catalog import Catalog
from bot.core.clock import Clock
from bot.core.incoming import Incoming
from bot.core.reply import Field, Reply, Tone, error_reply
from bot.core.transport import DeliveryFailure
from bot.scheduling.poster import DailyPoster, Outcome, rule_of
from bot.scheduling.rules import (
    DAY_CODES,
    WEEKDAYS,
    WEEKENDS,
    RuleError,
    Slot,
    looks_like_time,
    looks_like_zone,
    parse_days,
    parse_time,
    parse_zone,
)
from bot.services.excerpts import build_plan
from bot.storage.interface import PositionStore, SubscriptionStore
from bot.storage.records import (
    NOTE_ADMIN,
    NOTE_NO_TRANSPORT,
    PAUSED_BY_ADMIN,
    PAUSED_BY_FAILURES,
    AtEnd,
    DeliveryRecord,
    Subscription,
    SubscriptionSpec,
)

SUBCOMMANDS = ("set", "show", "pause", "resume", "skip", "now", "stop")
NEXT_COUNT = 3
# How far ahead `skip` looks for a post that is not already skipped.
SKIP_HORIZON = 60

_THREAD_ON = {"thread", "--thread", "スレッド"}
_THREAD_OFF = {"nothread", "--no-thread", "no-thread", "スレッドなし"}
_LOOP_ON = {"loop", "--loop", "繰り返し", "ループ"}
_LOOP_OFF = {"noloop", "--no-loop", "no-loop", "繰り返しなし", "ループなし"}
# A word containing one of these was meant as a list of days.
_DAYISH = set(",、・-〜~月火水木金土日曜")


class ScheduleSync(Protocol):
    """What the service needs of the scheduler: re-derive one subscription's job."""

    def sync(self, subscription_id: int) -> None: ...


class _InputError(Exception):
    def __init__(self, key: str, **fields: str) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields


@dataclass
class _SetArgs:
    time: str | None = None
    timezone: str | None = None
    days: tuple[str, ...] | None = None
    thread: bool | None = None
    at_end: AtEnd | None = None


def _clip(text: str) -> str:
    # What the user typed is echoed back; a pasted paragraph should not be.
    return text if len(text) <= 40 else text[:39] + "…"


def _rule_error(e: RuleError) -> _InputError:
    if e.code == "zone_unknown" and e.suggestion:
        return _InputError(
            "schedule.error.zone_suggestion", value=_clip(e.value), suggestion=e.suggestion
        )
    return _InputError(f"schedule.error.{e.code}", value=_clip(e.value))


def parse_set_args(tokens: list[str]) -> _SetArgs:
    """The words after `set`; raises `_InputError` naming the first word that is wrong."""
    parsed = _SetArgs()
    for token in tokens:
        word = nfkc(token).strip().lower()
        if word in _THREAD_ON or word in _THREAD_OFF:
            parsed.thread = word in _THREAD_ON
        elif word in _LOOP_ON or word in _LOOP_OFF:
            parsed.at_end = "loop" if word in _LOOP_ON else "stop"
        elif looks_like_time(token):
            if parsed.time is not None:
                raise _InputError("schedule.error.time_twice", value=_clip(token))
            try:
                hour, minute = parse_time(token)
            except RuleError as e:
                raise _rule_error(e) from None
            parsed.time = f"{hour:02d}:{minute:02d}"
        elif looks_like_zone(token):
            try:
                parsed.timezone = parse_zone(token)
            except RuleError as e:
                raise _rule_error(e) from None
        else:
            try:
                days = parse_days(token)
            except RuleError as e:
                if any(c in _DAYISH for c in word) or word in DAY_CODES:
                    raise _rule_error(e) from None
                raise _InputError("schedule.error.token", value=_clip(token)) from None
            parsed.days = tuple(d for d in DAY_CODES if d in set(days) | set(parsed.days or ()))
    return parsed


class ScheduleService:
    def __init__(
        self,
        *,
        subscriptions: SubscriptionStore,
        positions: PositionStore,
        poster: DailyPoster,
        scheduler: ScheduleSync,
        library: Library,
        settings: Settings,
        catalog: Catalog,
        clock: Clock,
    ) -> None:
        self._subs = subscriptions
        self._positions = positions
        self._poster = poster
        self._scheduler = scheduler
        self._library = library
        self._settings = settings
        self._catalog = catalog
        self._clock = clock

    def t(self, key: str, lang: str, **values: object) -> str:
        return self._catalog.text(key, lang, **values)

    async def handle(self, incoming: Incoming, args: str, lang: str) -> Reply:
        tokens = nfkc(args).split()
        if not tokens or tokens[0].lower() == "help":
            return self._help(lang)
        sub, rest = tokens[0].lower(), tokens[1:]
        if sub not in SUBCOMMANDS:
            return error_reply(
                self.t("schedule.error.unknown_subcommand", lang, value=_clip(tokens[0])),
                hint=self.t("schedule.help.usage", lang),
            )
        if sub == "show":
            return self._show(incoming, lang)
        if not incoming.is_admin:
            return error_reply(self.t("schedule.error.not_admin", lang))
        try:
            if sub == "set":
                return self._set(incoming, rest, lang)
            if rest:
                raise _InputError("schedule.error.extra", value=_clip(" ".join(rest)), command=sub)
            subscription = self._subs.for_channel(incoming.channel)
            if subscription is None:
                raise _InputError("schedule.error.none")
            if sub == "pause":
                return self._pause(incoming, subscription, lang)
            if sub == "resume":
                return self._resume(incoming, subscription, lang)
            if sub == "skip":
                return self._skip(incoming, subscription, lang)
            if sub == "now":
                return await self._now(subscription, lang)
            return self._stop(subscription, lang)
        except _InputError as e:
            return error_reply(
                self.t(e.key, lang, **e.fields), hint=self.t("schedule.help.usage", lang)
            )

    # -- set -----------------------------------------------------------------------------

    def _document(self, wanted: str) -> Document:
        document = self._library.document(wanted)
        if document is not None:
            return document
        if not self._library.documents:
            raise _InputError("schedule.error.no_document")
        return self._library.default_document

    def _set(self, incoming: Incoming, tokens: list[str], lang: str) -> Reply:
        parsed = parse_set_args(tokens)
        existing = self._subs.for_channel(incoming.channel)
        if existing is None:
            if parsed.time is None:
                raise _InputError("schedule.error.time_missing")
            reading = self._settings.reading
            base = SubscriptionSpec(
                document=self._document(self._settings.bot.document).id,
                time=parsed.time,
                timezone=self._settings.schedule.default_timezone,
                days=DAY_CODES,
                excerpt_min=reading.excerpt_min,
                excerpt_max=reading.excerpt_max,
                thread=False,
                at_end="loop" if reading.at_end == "loop" else "stop",
            )
        else:
            base = existing.spec
        spec = SubscriptionSpec(
            document=base.document,
            time=parsed.time or base.time,
            timezone=parsed.timezone or base.timezone,
            days=parsed.days or base.days,
            excerpt_min=base.excerpt_min,
            excerpt_max=base.excerpt_max,
            thread=base.thread if parsed.thread is None else parsed.thread,
            at_end=parsed.at_end or base.at_end,
        )
        now = self._clock.now()
        sub = self._subs.upsert(incoming.channel, spec, incoming.user, now)
        self._scheduler.sync(sub.id)
        upcoming = rule_of(sub).upcoming(now, 1)
        blocks = [
            self.t(
                "schedule.set.created" if existing is None else "schedule.set.updated",
                lang,
                when=self._rule_text(sub, lang),
            ),
            self.t("schedule.value.options", lang, **self._options(sub, lang)),
        ]
        if upcoming:
            blocks.append(self.t("schedule.set.next", lang, when=self._when(upcoming[0], lang)))
        if sub.paused:
            blocks.append(self.t("schedule.set.still_paused", lang))
        return Reply(
            title=self.t("schedule.set.title", lang), blocks=tuple(blocks), tone=Tone.SUCCESS
        )

    # -- show ----------------------------------------------------------------------------

    def _show(self, incoming: Incoming, lang: str) -> Reply:
        sub = self._subs.for_channel(incoming.channel)
        if sub is None:
            return Reply(
                title=self.t("schedule.show.title", lang),
                blocks=(self.t("schedule.show.none", lang),),
                tone=Tone.INFO,
            )
        now = self._clock.now()
        document = self._library.document(sub.document)
        finished = False
        if document is None:
            position_text = self.t("schedule.error.no_document", lang)
        else:
            total = len(build_plan(document, sub.excerpt_min, sub.excerpt_max))
            position, completed = self._positions.get(sub.channel, document.id)
            if (completed or position >= total) and sub.at_end == "stop":
                finished = True
                position_text = self.t("schedule.position.finished", lang, total=total)
            else:
                day = 1 if completed or position >= total else position + 1
                position_text = self.t("schedule.position.next", lang, day=day, total=total)
        fields = [
            Field(
                self.t("schedule.field.document", lang),
                document.title if document else sub.document,
            ),
            Field(self.t("schedule.field.when", lang), self._rule_text(sub, lang)),
            Field(
                self.t("schedule.field.options", lang),
                self.t("schedule.value.options", lang, **self._options(sub, lang)),
            ),
            Field(self.t("schedule.field.status", lang), self._status(sub, lang)),
            Field(self.t("schedule.field.position", lang), position_text),
            Field(self.t("schedule.field.last_sent", lang), self._last_sent(sub, lang)),
        ]
        latest = self._latest_outcome(sub, now)
        if latest is not None:
            fields.append(
                Field(self.t("schedule.field.last_outcome", lang), self._outcome(latest, lang))
            )
        fields.append(
            Field(self.t("schedule.field.next", lang), self._next_text(sub, now, finished, lang))
        )
        fields.append(
            Field(
                self.t("schedule.field.set_by", lang),
                self.t(
                    "schedule.value.set_by",
                    lang,
                    user=sub.updated_by,
                    when=self._instant(sub.updated_at, sub, lang),
                ),
            )
        )
        return Reply(
            title=self.t("schedule.show.title", lang), fields=tuple(fields), tone=Tone.INFO
        )

    def _status(self, sub: Subscription, lang: str) -> str:
        if sub.paused:
            if sub.paused_reason == PAUSED_BY_FAILURES:
                reason = self.t(
                    "schedule.paused.failures",
                    lang,
                    failures=sub.failures,
                    error=sub.last_error or "?",
                )
            elif sub.paused_reason == PAUSED_BY_ADMIN:
                reason = self.t("schedule.paused.admin", lang)
            else:
                reason = sub.paused_reason or "?"
            return self.t("schedule.status.paused", lang, reason=reason)
        if sub.failures:
            return self.t(
                "schedule.status.failing",
                lang,
                failures=sub.failures,
                max=self._settings.schedule.max_failures,
                error=sub.last_error or "?",
            )
        if sub.last_error:
            return self.t("schedule.status.retrying", lang, error=sub.last_error)
        return self.t("schedule.status.active", lang)

    def _last_sent(self, sub: Subscription, lang: str) -> str:
        last = self._subs.last_delivery(sub.id, "sent")
        if last is None or last.sent_at is None:
            return self.t("schedule.last.never", lang)
        what = (
            self.t("schedule.last.notice", lang)
            if last.excerpt_index is None
            else self.t("schedule.last.excerpt", lang, day=last.excerpt_index + 1)
        )
        key = "schedule.last.sent_late" if last.late else "schedule.last.sent"
        return self.t(key, lang, when=self._instant(last.sent_at, sub, lang), what=what)

    def _latest_outcome(self, sub: Subscription, now: datetime) -> DeliveryRecord | None:
        """The most recent day that did not end in a post, if it is newer than the last post."""
        today = rule_of(sub).local_date(now)
        past = [d for d in self._subs.deliveries(sub.id) if d.local_date <= today]
        if not past or past[-1].status == "sent":
            return None
        return past[-1]

    def _outcome(self, record: DeliveryRecord, lang: str) -> str:
        date_text = record.local_date.isoformat()
        if record.status == "failed":
            return self.t("schedule.outcome.failed", lang, date=date_text, error=record.note or "?")
        if record.status == "claimed":
            return self.t("schedule.outcome.claimed", lang, date=date_text)
        why = self.t(f"schedule.note.{record.note}", lang) if record.note else "?"
        return self.t("schedule.outcome.skipped", lang, date=date_text, why=why)

    def _next_text(self, sub: Subscription, now: datetime, finished: bool, lang: str) -> str:
        slots = rule_of(sub).upcoming(now, NEXT_COUNT)
        if not slots:
            return self.t("schedule.next.none", lang)
        lines = []
        for slot in slots:
            record = self._subs.delivery(sub.id, slot.day)
            key = "schedule.next.item_skipped" if record is not None else "schedule.next.item"
            lines.append(self.t(key, lang, when=self._when(slot, lang)))
        if sub.paused:
            lines.append(self.t("schedule.next.paused", lang))
        elif finished:
            lines.append(self.t("schedule.next.finished", lang))
        return "\n".join(lines)

    # -- pause / resume / skip / now / stop ----------------------------------------------

    def _pause(self, incoming: Incoming, sub: Subscription, lang: str) -> Reply:
        if not self._subs.pause(sub.id, PAUSED_BY_ADMIN, incoming.user, self._clock.now()):
            return Reply(blocks=(self.t("schedule.pause.already", lang),), tone=Tone.INFO)
        self._scheduler.sync(sub.id)
        return Reply(blocks=(self.t("schedule.pause.done", lang),), tone=Tone.SUCCESS)

    def _resume(self, incoming: Incoming, sub: Subscription, lang: str) -> Reply:
        now = self._clock.now()
        if not self._subs.resume(sub.id, incoming.user, now):
            return Reply(blocks=(self.t("schedule.resume.not_paused", lang),), tone=Tone.INFO)
        self._scheduler.sync(sub.id)
        upcoming = rule_of(sub).upcoming(now, 1)
        when = self._when(upcoming[0], lang) if upcoming else "—"
        return Reply(blocks=(self.t("schedule.resume.done", lang, when=when),), tone=Tone.SUCCESS)

    def _next_unsettled(self, sub: Subscription, now: datetime) -> Slot | None:
        """The post `skip` would cancel: the most recent slot if it is still to be posted
        (within the grace period, not yet claimed), else the first future slot with no
        delivery recorded."""
        rule = rule_of(sub)
        latest = rule.latest_at_or_before(now)
        if (
            latest is not None
            and latest.at >= sub.updated_at
            and now - latest.at <= self._poster.grace
            and self._subs.delivery(sub.id, latest.day) is None
        ):
            return latest
        for slot in rule.upcoming(now, SKIP_HORIZON):
            if self._subs.delivery(sub.id, slot.day) is None:
                return slot
        return None

    def _skip(self, incoming: Incoming, sub: Subscription, lang: str) -> Reply:
        now = self._clock.now()
        slot = self._next_unsettled(sub, now)
        if slot is None or not self._subs.mark_skipped(
            sub.id, slot.day, NOTE_ADMIN, incoming.user, now
        ):
            return Reply(blocks=(self.t("schedule.skip.nothing", lang),), tone=Tone.INFO)
        after = self._next_unsettled(sub, now)
        blocks = [self.t("schedule.skip.done", lang, when=self._when(slot, lang))]
        if after is not None:
            blocks.append(self.t("schedule.skip.next", lang, when=self._when(after, lang)))
        return Reply(blocks=tuple(blocks), tone=Tone.SUCCESS)

    async def _now(self, sub: Subscription, lang: str) -> Reply:
        result = await self._poster.post_now(sub)
        if result.outcome is Outcome.SENT and result.excerpt_index is not None:
            blocks = [
                self.t("schedule.now.done", lang, day=result.excerpt_index + 1, total=result.total),
                self.t("schedule.now.scheduled_unchanged", lang),
            ]
            return Reply(blocks=tuple(blocks), tone=Tone.SUCCESS, ephemeral=True)
        if result.outcome is Outcome.FINISHED:
            return Reply(blocks=(self.t("schedule.now.finished", lang),), tone=Tone.INFO)
        if result.outcome is Outcome.UNAVAILABLE:
            key = (
                "schedule.error.no_document"
                if result.detail != NOTE_NO_TRANSPORT
                else "schedule.error.no_transport"
            )
            return error_reply(self.t(key, lang, platform=sub.channel.platform))
        failure = result.failure or DeliveryFailure.TRANSIENT
        return error_reply(
            self.t(f"schedule.error.{failure.value}", lang, detail=result.detail or "-")
        )

    def _stop(self, sub: Subscription, lang: str) -> Reply:
        self._subs.delete(sub.id)
        self._scheduler.sync(sub.id)
        return Reply(blocks=(self.t("schedule.stop.done", lang),), tone=Tone.SUCCESS)

    # -- wording -------------------------------------------------------------------------

    def _help(self, lang: str) -> Reply:
        return Reply(
            title=self.t("schedule.help.title", lang),
            blocks=(
                self.t("schedule.help.usage", lang),
                self.t(
                    "schedule.help.body",
                    lang,
                    zone_default=self._settings.schedule.default_timezone,
                ),
            ),
            tone=Tone.INFO,
        )

    def _days(self, days: tuple[str, ...], lang: str) -> str:
        chosen = tuple(d for d in DAY_CODES if d in days)
        if chosen == DAY_CODES:
            return self.t("schedule.days.daily", lang)
        if chosen == WEEKDAYS:
            return self.t("schedule.days.weekdays", lang)
        if chosen == WEEKENDS:
            return self.t("schedule.days.weekends", lang)
        separator = self.t("schedule.days.separator", lang)
        return separator.join(self.t(f"schedule.weekday.{d}", lang) for d in chosen)

    def _rule_text(self, sub: Subscription, lang: str) -> str:
        return self.t(
            "schedule.value.when",
            lang,
            time=sub.time,
            zone=sub.timezone,
            days=self._days(sub.days, lang),
        )

    def _options(self, sub: Subscription, lang: str) -> dict[str, str]:
        return {
            "thread": self.t("schedule.thread.on" if sub.thread else "schedule.thread.off", lang),
            "at_end": self.t(f"schedule.at_end.{sub.at_end}", lang),
        }

    def _format(self, local: datetime, lang: str) -> str:
        weekday = self.t(f"schedule.weekday.{DAY_CODES[local.weekday()]}", lang)
        return self.t(
            "schedule.when",
            lang,
            date=local.date().isoformat(),
            weekday=weekday,
            time=local.strftime("%H:%M"),
        )

    def _when(self, slot: Slot, lang: str) -> str:
        return self._format(slot.at, lang)

    def _instant(self, when: datetime, sub: Subscription, lang: str) -> str:
        return self._format(when.astimezone(rule_of(sub).zone), lang)
