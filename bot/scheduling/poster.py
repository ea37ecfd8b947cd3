"""The daily job: claim the subscription's local date, post the excerpt, then record it.

A pure function of the injected `Clock` and the store: APScheduler only decides *when* to
call `run_due`; what to post, and whether anything is posted at all, is decided here from
the subscription's rule and its delivery rows. Calling `run_due` twice, or from two
processes, or again after a restart, posts at most once per (subscription, local date).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from bot.config import Settings
from bot.content.models import Library
from bot.core.catalog import Catalog
from bot.core.clock import Clock
from bot.core.incoming import ChannelKey
from bot.core.reply import Reply, Tone
from bot.core.transport import Delivery, DeliveryError, DeliveryFailure, Transport
from bot.scheduling.rules import Rule
from bot.services.excerpts import build_plan, excerpt_reply
from bot.storage.interface import PositionStore, SubscriptionStore
from bot.storage.records import (
    NOTE_ABANDONED,
    NOTE_FINISHED,
    NOTE_MISSED,
    NOTE_NO_DOCUMENT,
    NOTE_NO_TRANSPORT,
    NOTE_PAUSED,
    DeliveryRecord,
    Subscription,
)

log = logging.getLogger(__name__)

# A post more than this after its scheduled time says it is late.
LATE_AFTER = timedelta(minutes=5)
# A post this close to its time is on time, whatever the grace period.
ON_TIME = timedelta(minutes=1)
# A claim older than this without an outcome was left by a crash. It must outlast any send
# (bounded by SEND_TIMEOUT), so a live process never has its claim taken from under it.
CLAIM_LEASE = timedelta(minutes=10)
SEND_TIMEOUT = 120.0
# A timer may wake a moment before the minute; the slot it woke for still counts as due.
EARLY_TOLERANCE = timedelta(seconds=5)


def default_instance() -> str:
    """Who holds a claim: host, process and a per-run nonce (pids are reused after restarts)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def rule_of(subscription: Subscription) -> Rule:
    return Rule.of(subscription.time, subscription.timezone, subscription.days)


class Outcome(Enum):
    SENT = "sent"  # the platform confirmed the excerpt (or the plan-finished notice)
    ALREADY_DONE = "already_done"  # the date has a claim or an outcome already
    NOT_DUE = "not_due"  # no slot since the rule was last set
    PAUSED = "paused"  # due while paused: recorded as skipped
    FINISHED = "finished"  # plan finished (`stop`) and the notice was posted before
    MISSED = "missed"  # past the grace period: recorded as skipped, plan not advanced
    RETRY = "retry"  # transient failure or no adapter yet: claim released for a retry
    FAILED = "failed"  # the channel is unreachable: counted (and maybe paused)
    UNAVAILABLE = "unavailable"  # no such document (or, for `now`, no adapter)
    GONE = "gone"  # the subscription no longer exists


@dataclass(frozen=True)
class PostResult:
    outcome: Outcome
    subscription_id: int
    local_date: date | None = None
    excerpt_index: int | None = None  # None for the plan-finished notice
    total: int = 0
    message_id: str | None = None
    late: bool = False
    failure: DeliveryFailure | None = None
    detail: str = ""
    paused: bool = False  # this failure paused the subscription


@dataclass(frozen=True)
class RecoveryReport:
    results: tuple[PostResult, ...]
    # The earliest time a claim that is still within its lease should be looked at again.
    recheck_at: datetime | None = None

    @property
    def posted(self) -> tuple[PostResult, ...]:
        return tuple(r for r in self.results if r.outcome is Outcome.SENT)


@dataclass(frozen=True)
class _Content:
    reply: Reply
    document: str
    index: int | None  # the excerpt's plan index; None for the plan-finished notice
    total: int
    wrapped: bool  # a looping plan starting over


class DailyPoster:
    def __init__(
        self,
        subscriptions: SubscriptionStore,
        positions: PositionStore,
        library: Library,
        settings: Settings,
        catalog: Catalog,
        clock: Clock,
        transports: Mapping[str, Transport],
        *,
        language: Callable[[ChannelKey], str] | None = None,
        instance: str | None = None,
    ) -> None:
        self._subs = subscriptions
        self._positions = positions
        self._library = library
        self._settings = settings
        self._catalog = catalog
        self._clock = clock
        self._transports = transports
        self._language = language or (lambda _channel: settings.bot.language)
        self.instance = instance or default_instance()
        self._locks: dict[int, asyncio.Lock] = {}

    @property
    def grace(self) -> timedelta:
        """How late a post may still go out. Never under ON_TIME, so `grace_hours = 0`
        (never post late) still lets a timer that wakes a few milliseconds late post."""
        return max(timedelta(hours=self._settings.schedule.grace_hours), ON_TIME)

    # -- the scheduled path --------------------------------------------------------------

    async def run_due(self, subscription_id: int) -> PostResult:
        """Post the subscription's most recent slot if nobody has: on time, late within the
        grace period, or recorded as skipped past it."""
        sub = self._subs.get(subscription_id)
        if sub is None:
            return PostResult(Outcome.GONE, subscription_id)
        now = self._clock.now()
        slot = rule_of(sub).latest_at_or_before(now + EARLY_TOLERANCE)
        # A slot before the rule was last set is not "missed": nobody asked for it then.
        if slot is None or slot.at < sub.updated_at:
            return PostResult(Outcome.NOT_DUE, sub.id)
        if self._subs.delivery(sub.id, slot.day) is not None:
            return PostResult(Outcome.ALREADY_DONE, sub.id, slot.day)
        delay = now - slot.at
        if delay > self.grace:
            if self._subs.mark_skipped(sub.id, slot.day, NOTE_MISSED, self.instance, now):
                log.warning(
                    "subscription %d (%s): the post of %s %s %s was missed by %s, past the "
                    "grace period of %s; skipped, the reading plan is not advanced",
                    sub.id,
                    sub.channel,
                    slot.day,
                    sub.time,
                    sub.timezone,
                    delay,
                    self.grace,
                )
            return PostResult(Outcome.MISSED, sub.id, slot.day)
        return await self.post(sub, slot.day, late=delay > LATE_AFTER)

    async def post(self, subscription: Subscription, local_date: date, late: bool) -> PostResult:
        """Claim (subscription, local date) and post; nothing happens if the claim is taken."""
        sub, now = subscription, self._clock.now()
        if sub.paused:
            self._subs.mark_skipped(sub.id, local_date, NOTE_PAUSED, self.instance, now)
            return PostResult(Outcome.PAUSED, sub.id, local_date)
        if self._finished_notice_posted(sub):
            return PostResult(Outcome.FINISHED, sub.id, local_date)
        if not self._subs.claim(sub.id, local_date, self.instance, now):
            return PostResult(Outcome.ALREADY_DONE, sub.id, local_date)
        return await self._deliver(sub, local_date, late)

    # -- recovery ------------------------------------------------------------------------

    async def recover(self) -> RecoveryReport:
        """What a start does before the timers take over: finish the claims a crash left
        (once, late), then catch up each subscription's most recent slot."""
        now = self._clock.now()
        results: list[PostResult] = []
        recheck: datetime | None = None
        for claim in self._subs.pending_claims():
            expires = claim.claimed_at + CLAIM_LEASE
            if expires > now:
                # Possibly a live process mid-send; look again when its lease runs out.
                recheck = expires if recheck is None else min(recheck, expires)
                continue
            sub = self._subs.get(claim.subscription_id)
            if sub is not None:
                results.append(await self._resume(sub, claim))
        for sub in self._subs.list():
            results.append(await self.run_due(sub.id))
        return RecoveryReport(tuple(results), recheck)

    async def _resume(self, sub: Subscription, claim: DeliveryRecord) -> PostResult:
        now = self._clock.now()
        if not self._subs.take_over(claim, self.instance, now):
            return PostResult(Outcome.ALREADY_DONE, sub.id, claim.local_date)
        delay = now - rule_of(sub).slot(claim.local_date).at
        if delay > self.grace:
            self._subs.mark_skipped(sub.id, claim.local_date, NOTE_ABANDONED, self.instance, now)
            log.warning(
                "subscription %d (%s): a claim for %s left by %s was found %s after its "
                "time, past the grace period; skipped, the reading plan is not advanced",
                sub.id,
                sub.channel,
                claim.local_date,
                claim.claimed_by,
                delay,
            )
            return PostResult(Outcome.MISSED, sub.id, claim.local_date)
        log.info(
            "subscription %d (%s): resuming the post of %s claimed by %s (crashed?)",
            sub.id,
            sub.channel,
            claim.local_date,
            claim.claimed_by,
        )
        if sub.paused:
            self._subs.mark_skipped(sub.id, claim.local_date, NOTE_PAUSED, self.instance, now)
            return PostResult(Outcome.PAUSED, sub.id, claim.local_date)
        return await self._deliver(sub, claim.local_date, late=True)

    # -- `schedule now` ------------------------------------------------------------------

    async def post_now(self, subscription: Subscription) -> PostResult:
        """Post the channel's next excerpt immediately and advance the plan.

        Claim-free: it records no delivery, so the day's scheduled post still goes out at
        its time (with the excerpt after this one). Failures are reported to the admin who
        asked, not counted towards pausing.
        """
        sub = subscription
        async with self._lock(sub.id):
            content = self._content(sub, late=False)
            if isinstance(content, str):
                outcome = Outcome.FINISHED if content == NOTE_FINISHED else Outcome.UNAVAILABLE
                return PostResult(outcome, sub.id, detail=content)
            if content.index is None:
                # The plan-finished notice belongs to the schedule, not to `now`.
                return PostResult(Outcome.FINISHED, sub.id, total=content.total)
            transport = self._transports.get(sub.channel.platform)
            if transport is None:
                return PostResult(Outcome.UNAVAILABLE, sub.id, detail=NOTE_NO_TRANSPORT)
            try:
                delivery = await self._send(transport, sub.channel, content.reply)
            except DeliveryError as e:
                log.warning("subscription %d (%s): `now` post failed: %s", sub.id, sub.channel, e)
                outcome = (
                    Outcome.RETRY if e.failure is DeliveryFailure.TRANSIENT else Outcome.FAILED
                )
                return PostResult(outcome, sub.id, failure=e.failure, detail=e.detail)
            self._advance(sub, content)
            return PostResult(
                Outcome.SENT,
                sub.id,
                excerpt_index=content.index,
                total=content.total,
                message_id=delivery.message_id,
            )

    # -- internals -----------------------------------------------------------------------

    def _lock(self, subscription_id: int) -> asyncio.Lock:
        # One post at a time per subscription in this process, so `now` and the timer never
        # read the same position and post the same excerpt twice.
        return self._locks.setdefault(subscription_id, asyncio.Lock())

    def _finished_notice_posted(self, sub: Subscription) -> bool:
        if sub.at_end != "stop":
            return False
        last = self._subs.last_delivery(sub.id, "sent")
        return last is not None and last.note == NOTE_FINISHED and self._plan_finished(sub)

    def _plan_finished(self, sub: Subscription) -> bool:
        document = self._library.document(sub.document)
        if document is None:
            return False
        total = len(build_plan(document, sub.excerpt_min, sub.excerpt_max))
        position, completed = self._positions.get(sub.channel, document.id)
        return completed or position >= total

    def _content(self, sub: Subscription, late: bool) -> _Content | str:
        """The reply to post, or the note saying why there is none."""
        document = self._library.document(sub.document)
        if document is None:
            return NOTE_NO_DOCUMENT
        plan = build_plan(document, sub.excerpt_min, sub.excerpt_max)
        total = len(plan)
        if total == 0:
            return NOTE_NO_DOCUMENT
        lang = self._language(sub.channel)
        position, completed = self._positions.get(sub.channel, document.id)
        wrapped = False
        if completed or position >= total:
            if sub.at_end == "loop":
                position, wrapped = 0, True
            elif self._finished_notice_posted(sub):
                return NOTE_FINISHED
            else:
                reply = Reply(
                    title=self._catalog.text("schedule.finished.title", lang),
                    blocks=(
                        self._catalog.text(
                            "schedule.finished.body", lang, title=document.title, total=total
                        ),
                    ),
                    tone=Tone.SUCCESS,
                )
                return _Content(reply, document.id, None, total, False)
        reply = excerpt_reply(
            plan.excerpts[position],
            catalog=self._catalog,
            lang=lang,
            prompts=self._library.prompts.get(document.id, ()),
            late=late,
            open_thread=sub.thread,
        )
        return _Content(reply, document.id, position, total, wrapped)

    async def _send(self, transport: Transport, channel: ChannelKey, reply: Reply) -> Delivery:
        try:
            return await asyncio.wait_for(transport.send(channel, reply), SEND_TIMEOUT)
        except DeliveryError:
            raise
        except TimeoutError:
            raise DeliveryError(DeliveryFailure.TRANSIENT, "timed out") from None
        except Exception as e:
            # An adapter bug must not kill the job; retried like a network error, and logged.
            log.exception("transport %s raised while posting to %s", transport.platform, channel)
            raise DeliveryError(DeliveryFailure.TRANSIENT, type(e).__name__) from e

    def _advance(self, sub: Subscription, content: _Content) -> None:
        if content.index is None:
            return
        now = self._clock.now()
        if content.wrapped:
            self._positions.set(sub.channel, content.document, 0, False, now)
        self._positions.advance(
            sub.channel, content.document, content.total, sub.at_end == "loop", now
        )

    async def _deliver(self, sub: Subscription, local_date: date, late: bool) -> PostResult:
        """Post under a claim this process holds, and record the outcome."""
        async with self._lock(sub.id):
            content = self._content(sub, late)
            if isinstance(content, str):
                self._subs.mark_skipped(
                    sub.id, local_date, content, self.instance, self._clock.now()
                )
                if content == NOTE_FINISHED:
                    return PostResult(Outcome.FINISHED, sub.id, local_date)
                log.error(
                    "subscription %d (%s): document %r is not in the library; skipped %s",
                    sub.id,
                    sub.channel,
                    sub.document,
                    local_date,
                )
                return PostResult(Outcome.UNAVAILABLE, sub.id, local_date, detail=content)
            transport = self._transports.get(sub.channel.platform)
            if transport is None:
                # The adapter may not have connected yet (recovery runs at start) or be down
                # for a while: retried like a network error, and skipped past the grace.
                self._subs.release(sub.id, local_date, self.instance)
                self._subs.note_error(sub.id, f"{NOTE_NO_TRANSPORT}: {sub.channel.platform}")
                log.warning(
                    "subscription %d (%s): no %s adapter is attached; will retry %s",
                    sub.id,
                    sub.channel,
                    sub.channel.platform,
                    local_date,
                )
                return PostResult(Outcome.RETRY, sub.id, local_date, detail=NOTE_NO_TRANSPORT)
            try:
                delivery = await self._send(transport, sub.channel, content.reply)
            except DeliveryError as e:
                return self._failed(sub, local_date, e)
            note = NOTE_FINISHED if content.index is None else None
            self._subs.mark_sent(
                sub.id,
                local_date,
                message_id=delivery.message_id,
                excerpt_index=content.index,
                late=late,
                now=self._clock.now(),
                note=note,
            )
            # Only now, with the platform's confirmation recorded, does the plan move on.
            self._advance(sub, content)
            log.info(
                "subscription %d (%s): posted %s for %s%s (message %s)",
                sub.id,
                sub.channel,
                "the plan-finished notice"
                if content.index is None
                else f"excerpt {content.index + 1}/{content.total}",
                local_date,
                ", late" if late else "",
                delivery.message_id,
            )
            return PostResult(
                Outcome.SENT,
                sub.id,
                local_date,
                excerpt_index=content.index,
                total=content.total,
                message_id=delivery.message_id,
                late=late,
            )

    def _failed(self, sub: Subscription, local_date: date, error: DeliveryError) -> PostResult:
        text = str(error)
        if error.failure is DeliveryFailure.TRANSIENT:
            self._subs.release(sub.id, local_date, self.instance)
            self._subs.note_error(sub.id, text)
            log.warning(
                "subscription %d (%s): post for %s failed (%s); will retry",
                sub.id,
                sub.channel,
                local_date,
                text,
            )
            return PostResult(
                Outcome.RETRY, sub.id, local_date, failure=error.failure, detail=error.detail
            )
        limit = self._settings.schedule.max_failures
        tally = self._subs.mark_failed(sub.id, local_date, text, self._clock.now(), limit)
        if tally.paused:
            log.error(
                "subscription %d (%s): paused after %d consecutive failures; last: %s",
                sub.id,
                sub.channel,
                tally.failures,
                text,
            )
        else:
            log.warning(
                "subscription %d (%s): post for %s failed (%s); failure %d of %d",
                sub.id,
                sub.channel,
                local_date,
                text,
                tally.failures,
                limit,
            )
        return PostResult(
            Outcome.FAILED,
            sub.id,
            local_date,
            failure=error.failure,
            detail=error.detail,
            paused=tally.paused,
        )
