"""The `excerpt` command: a channel's place in its reading plan."""

from __future__ import annotations

from bot.config import Settings
from bot.content.models import Document, Library
from bot.content.normalize import nfkc
from bot.core.catalog import Catalog
from bot.core.clock import Clock
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Reply, Tone, error_reply
from bot.services.excerpts import build_plan, excerpt_reply
from bot.storage.interface import PositionStore, SubscriptionStore

TODAY_WORDS = ("", "today", "今日", "きょう")
NEXT_WORDS = ("next", "次", "つぎ")


class Reading:
    def __init__(
        self,
        *,
        library: Library,
        settings: Settings,
        catalog: Catalog,
        clock: Clock,
        positions: PositionStore,
        subscriptions: SubscriptionStore | None = None,
    ) -> None:
        self._library = library
        self._settings = settings
        self._catalog = catalog
        self._clock = clock
        self._positions = positions
        self.subscriptions = subscriptions

    def t(self, key: str, lang: str, **values: object) -> str:
        return self._catalog.text(key, lang, **values)

    def reading_channel(self, incoming: Incoming, document: Document) -> ChannelKey:
        """Where the workspace's group reads (App Home has no channel of its own)."""
        channels = self._positions.channels(
            incoming.channel.platform, incoming.channel.workspace, document.id
        )
        return channels[0] if channels else incoming.channel

    def excerpt(self, incoming: Incoming, document: Document, args: str, lang: str) -> Reply:
        which = nfkc(args).strip().casefold()
        if which not in TODAY_WORDS + NEXT_WORDS:
            return error_reply(
                self.t("excerpt.error.args", lang, args=args[:50]),
                hint=self.t("excerpt.hint", lang),
            )
        # A subscribed channel reads the plan its daily posts use (size, end, document),
        # so `excerpt` and the morning post always agree on "day 5 of 18".
        reading = self._settings.reading
        low, high, loop = reading.excerpt_min, reading.excerpt_max, reading.at_end == "loop"
        subscription = (
            self.subscriptions.for_channel(incoming.channel) if self.subscriptions else None
        )
        if subscription is not None:
            low, high = subscription.excerpt_min, subscription.excerpt_max
            loop = subscription.at_end == "loop"
            document = self._library.document(subscription.document) or document
        plan = build_plan(document, low, high)
        if not plan.excerpts:
            return error_reply(self.t("excerpt.error.empty", lang))
        position, completed = self._positions.get(incoming.channel, document.id)
        prompts = self._library.prompts.get(document.id, ())
        if which in NEXT_WORDS:
            if completed and not loop:
                return Reply(
                    blocks=(self.t("excerpt.finished", lang, total=len(plan)),), tone=Tone.SUCCESS
                )
            index = min(position, len(plan) - 1)
            self._positions.advance(
                incoming.channel,
                document.id,
                len(plan),
                loop,
                self._clock.now(),
            )
        else:
            index = max(0, min(position - 1, len(plan) - 1))
        return excerpt_reply(
            plan.excerpts[index], catalog=self._catalog, lang=lang, prompts=prompts
        )
