"""The store's records: plain, backend-neutral values that every store implementation returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.core.incoming import ChannelKey

AtEnd = Literal["stop", "loop"]
DeliveryStatus = Literal["claimed", "sent", "skipped", "failed"]

# paused_reason codes (the catalog words them; the detail is in last_error).
PAUSED_BY_ADMIN = "admin"
PAUSED_BY_FAILURES = "failures"

# Delivery notes, as codes the catalog words.
NOTE_PAUSED = "paused"  # due while the subscription was paused
NOTE_MISSED = "missed"  # the bot was down past the grace period
NOTE_ADMIN = "admin"  # `schedule skip`
NOTE_FINISHED = "finished"  # the plan-finished notice (sent), or nothing left to post (skipped)
NOTE_NO_TRANSPORT = "no_transport"  # no adapter attached for the platform
NOTE_NO_DOCUMENT = "no_document"  # the document is not in the library any more
NOTE_ABANDONED = "abandoned"  # a crashed claim found only after the grace period


@dataclass(frozen=True)
class QuizSession:
    id: int
    channel: ChannelKey
    starter: str
    mode: str  # "solo" | "group"
    document: str
    question_ids: tuple[str, ...]
    current: int  # index of the round being played
    state: str  # "open" | "done" | "cancelled"
    language: str
    created_at: datetime

    @property
    def total(self) -> int:
        return len(self.question_ids)


@dataclass(frozen=True)
class Round:
    session_id: int
    question_no: int
    question_id: str
    opened_at: datetime
    deadline: datetime | None
    message_id: str | None
    revealed_at: datetime | None


@dataclass(frozen=True)
class Answer:
    user: str
    user_name: str
    response: str
    correct: bool
    points: int
    answered_at: datetime


@dataclass(frozen=True)
class Score:
    user: str
    user_name: str
    points: int
    correct: int
    answered: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class SubscriptionSpec:
    """What an admin chooses for a channel's schedule."""

    document: str
    time: str  # "HH:MM", local to `timezone`
    timezone: str  # IANA
    days: tuple[str, ...]  # ("mon", "wed", "fri")
    excerpt_min: int
    excerpt_max: int
    thread: bool = False
    at_end: AtEnd = "stop"


@dataclass(frozen=True)
class Subscription:
    id: int
    channel: ChannelKey
    document: str
    time: str
    timezone: str
    days: tuple[str, ...]
    excerpt_min: int
    excerpt_max: int
    thread: bool
    at_end: AtEnd
    paused: bool
    paused_reason: str | None
    failures: int
    last_error: str | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime

    @property
    def spec(self) -> SubscriptionSpec:
        return SubscriptionSpec(
            self.document,
            self.time,
            self.timezone,
            self.days,
            self.excerpt_min,
            self.excerpt_max,
            self.thread,
            self.at_end,
        )


@dataclass(frozen=True)
class DeliveryRecord:
    subscription_id: int
    local_date: date
    status: DeliveryStatus
    excerpt_index: int | None
    claimed_at: datetime
    claimed_by: str
    sent_at: datetime | None
    message_id: str | None
    late: bool
    note: str | None


@dataclass(frozen=True)
class FailureTally:
    failures: int  # consecutive failures, this one included
    paused: bool  # this failure paused the subscription
