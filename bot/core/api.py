"""What adapters may call on the core. Adapters depend on this Protocol, not on services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.catalog import Catalog
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Reply
from bot.core.transport import Delivery, Transport

AutocompleteKind = Literal["section", "glossary"]
MAX_SUGGESTIONS = 25  # Discord's limit for autocomplete choices


@dataclass(frozen=True)
class Suggestion:
    name: str  # shown to the user (<= 100 chars)
    value: str  # what the command receives (<= 100 chars)


class CoreApi(Protocol):
    catalog: Catalog

    async def handle(self, incoming: Incoming) -> Reply | None:
        """Run one command or button press. None means: already handled (a retried event)."""
        ...

    async def delivered(self, track: str, channel: ChannelKey, delivery: Delivery) -> None:
        """Tell the core the id of a posted message whose reply carried `track`."""
        ...

    def autocomplete(
        self, kind: AutocompleteKind, prefix: str, locale: str | None = None
    ) -> list[Suggestion]:
        """At most 25 suggestions for what the user has typed so far."""
        ...

    def language(self, channel: ChannelKey, locale: str | None) -> str:
        """The catalog language for replies in this channel to a user with this locale."""
        ...

    def attach(self, transport: Transport) -> None:
        """Register the adapter that owns channels of `transport.platform`."""
        ...
