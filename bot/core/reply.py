"""The platform-neutral message model. Every command returns a `Reply`; each adapter renders it.

Text in a reply is plain text (never platform markup): renderers escape it for their
platform. Renderers must hold the platform limits (they page or split), so services
may produce long text without knowing which platform will carry it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Tone(Enum):
    """How a reply should look: an accent colour on Discord, an emoji prefix on Slack/console."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"
    QUIZ = "quiz"
    EXCERPT = "excerpt"


class ButtonStyle(Enum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SUCCESS = "success"
    DANGER = "danger"


@dataclass(frozen=True)
class Citation:
    """Where quoted text comes from: a section label and title, and the document."""

    label: str
    title: str
    document: str = ""

    def __str__(self) -> str:
        head = f"{self.label} {self.title}".strip()
        return f"{self.document} {head}".strip() if self.document else head


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Button:
    """A choice the user can press. `action_id` follows the grammar in `bot.core.actions`."""

    action_id: str
    label: str
    style: ButtonStyle = ButtonStyle.SECONDARY
    disabled: bool = False


@dataclass(frozen=True)
class Pager:
    """Page `page` (1-based) of `pages`. The actions are absent on the first/last page."""

    page: int
    pages: int
    prev_action: str | None = None
    next_action: str | None = None


@dataclass(frozen=True)
class ThreadRequest:
    """Ask the platform to open a discussion thread on the posted message."""

    name: str
    first_message: str


@dataclass(frozen=True)
class Reply:
    title: str | None = None
    blocks: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    citation: Citation | None = None
    buttons: tuple[Button, ...] = ()
    pager: Pager | None = None
    footer: str | None = None
    tone: Tone = Tone.INFO
    # Only the asking user sees it (Discord ephemeral, Slack response_type=ephemeral).
    ephemeral: bool = False
    # Replace the message the pressed button belongs to, instead of sending a new one.
    replace: bool = False
    thread: ThreadRequest | None = None
    # Set when the core needs the posted message's id back (e.g. "quiz:<session>" so the
    # reveal can edit the question in place). The adapter passes it to `Core.delivered`.
    track: str | None = None
    # The next free text from the asking user answers this (a fill-in-the-blank question);
    # adapters that read plain lines (the console) send it as `answer`.
    awaits_answer: bool = False
    # Messages sent after this one, in order (e.g. the public group question after a private ack).
    followups: tuple[Reply, ...] = field(default=())

    @property
    def text(self) -> str:
        return "\n\n".join(self.blocks)


def error_reply(message: str, *, hint: str | None = None) -> Reply:
    blocks = (message,) if hint is None else (message, hint)
    return Reply(blocks=blocks, tone=Tone.ERROR, ephemeral=True)
