"""Reply → Block Kit. Pure functions: no I/O, golden-tested on Slack's limits.

Everything from the paper or from users is escaped (`&`, `<`, `>`) and set `verbatim`,
so no text can form a link, a channel reference or a mention. Mass mentions written as
plain words (`@here`, `@channel`, `@everyone`) get an invisible word joiner after the `@`,
because the `text` fallback has no `verbatim` switch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bot.core.catalog import Catalog
from bot.core.reply import Button, ButtonStyle, Field, Reply, Tone

Block = dict[str, Any]

MAX_BLOCKS = 50  # per message
MAX_HOME_BLOCKS = 100  # per Home tab view
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10  # per section block
MAX_HEADER = 150
MAX_ACTIONS = 25  # elements per actions block
MAX_BUTTON_TEXT = 75
MAX_ACTION_ID = 255
MAX_CONTEXT_ELEMENTS = 10
# The `text` fallback only feeds notifications and screen readers: keep it short.
MAX_FALLBACK = 3000

_TONE_MARKS: dict[Tone, str] = {
    Tone.INFO: "",
    Tone.SUCCESS: "✅",
    Tone.WARNING: "⚠️",
    Tone.ERROR: "❗",
    Tone.QUIZ: "❓",
    Tone.EXCERPT: "📖",
}
_STYLES: dict[ButtonStyle, str | None] = {
    ButtonStyle.PRIMARY: "primary",
    ButtonStyle.SUCCESS: "primary",
    ButtonStyle.DANGER: "danger",
    ButtonStyle.SECONDARY: None,
}
_MASS_MENTION = re.compile(r"@(?=(?:here|channel|everyone)\b)", re.IGNORECASE)
_WORD_JOINER = "\u2060"
# A sentence ends at 。．！？!? (or a '.' before a space), with any closing quotes or brackets.
_SENTENCE = re.compile(
    r"(?:[^。．！？!?.]|\.(?!\s|$))*"
    r"(?:(?:[。．！？!?]|\.(?=\s|$))+[」』）)】〕\"”’]*\s*|$)"
)
_ELLIPSIS = "…"


@dataclass(frozen=True)
class Labels:
    """The renderer's own words, in the channel's language."""

    prev: str = "◀"
    next: str = "▶"
    page: str = "{page} / {pages}"
    trimmed: str = "…"

    @classmethod
    def from_catalog(cls, catalog: Catalog, lang: str) -> Labels:
        return cls(
            prev=catalog.text("slack.pager.prev", lang),
            next=catalog.text("slack.pager.next", lang),
            page=catalog.text("slack.pager.page", lang),
            trimmed=catalog.text("slack.trimmed", lang),
        )


def escape(text: str) -> str:
    """Make text inert in mrkdwn: no links, no user/channel references, no mass mentions."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MASS_MENTION.sub("@" + _WORD_JOINER, text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + _ELLIPSIS


def clip_escaped(text: str, limit: int) -> str:
    """Escape `text` and clip it to `limit` characters without cutting an entity in half."""
    out = escape(text)
    if len(out) <= limit:
        return out
    raw = text
    while len(out) > limit - 1 and raw:
        # Escaping at most quintuples a character, so this converges in a few rounds.
        over = len(out) - (limit - 1)
        raw = raw[: max(0, len(raw) - max(1, over // 5))]
        out = escape(raw)
    return out + _ELLIPSIS


def split_text(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Split `text` into chunks whose escaped length is <= `limit`.

    Cuts on paragraph, then line, then sentence boundaries; only a single sentence longer
    than `limit` is cut inside (there is no other way to send it).
    """
    chunks = [c.strip() for c in _pack(text, limit, 0)]
    return [c for c in chunks if c]


def _pieces(text: str, level: int) -> list[str]:
    """Split keeping separators attached, so that ''.join(pieces) == text."""
    if level == 0:
        return re.split(r"(?<=\n\n)(?=[^\n])", text)
    if level == 1:
        return re.split(r"(?<=\n)(?=[^\n])", text)
    return [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0)]


def _pack(text: str, limit: int, level: int) -> Iterator[str]:
    if len(escape(text)) <= limit:
        yield text
        return
    if level > 2:
        yield from _hard_cut(text, limit)
        return
    current = ""
    for piece in _pieces(text, level):
        if len(escape(current + piece)) <= limit:
            current += piece
            continue
        if current:
            yield current
            current = ""
        if len(escape(piece)) <= limit:
            current = piece
        else:
            yield from _pack(piece, limit, level + 1)
    if current:
        yield current


def _hard_cut(text: str, limit: int) -> Iterator[str]:
    current = ""
    for char in text:
        if len(escape(current + char)) > limit:
            yield current
            current = ""
        current += char
    if current:
        yield current


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _marked(reply: Reply, text: str) -> str:
    mark = _TONE_MARKS[reply.tone]
    return f"{mark} {text}" if mark else text


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(texts: list[str]) -> Block:
    """A context block of plain texts (escaped here)."""
    return {
        "type": "context",
        "elements": [
            _mrkdwn(clip_escaped(t, MAX_SECTION_TEXT)) for t in texts[:MAX_CONTEXT_ELEMENTS]
        ],
    }


def _field_text(field: Field, limit: int) -> str:
    name = clip_escaped(field.name, limit // 4) if field.name else ""
    head = f"*{name}*\n" if name else ""
    return head + clip_escaped(field.value, limit - len(head))


def _field_blocks(fields: tuple[Field, ...]) -> list[Block]:
    blocks: list[Block] = []
    inline: list[dict[str, Any]] = []

    def flush() -> None:
        while inline:
            blocks.append({"type": "section", "fields": inline[:MAX_FIELDS]})
            del inline[:MAX_FIELDS]

    for f in fields:
        if f.inline:
            inline.append(_mrkdwn(_field_text(f, MAX_FIELD_TEXT)))
        else:
            flush()
            blocks.append(_section(_field_text(f, MAX_SECTION_TEXT)))
    flush()
    return blocks


def _button(button: Button) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": _plain(clip(button.label, MAX_BUTTON_TEXT) or "·"),
        "action_id": button.action_id,
        "value": button.action_id,
    }
    style = _STYLES[button.style]
    if style:
        element["style"] = style
    return element


def _button_blocks(buttons: tuple[Button, ...]) -> list[Block]:
    """Live buttons as actions blocks; disabled ones (Slack has none) as a line of labels."""
    live: list[dict[str, Any]] = []
    seen: set[str] = set()
    dead: list[str] = []
    for b in buttons:
        if b.disabled:
            dead.append(b.label)
        elif b.action_id not in seen and 0 < len(b.action_id) <= MAX_ACTION_ID:
            # Slack rejects a message whose action_ids repeat.
            seen.add(b.action_id)
            live.append(_button(b))
    blocks: list[Block] = []
    if dead:
        blocks.append(_context(["  ".join(f"[{d}]" for d in dead)]))
    for i in range(0, len(live), MAX_ACTIONS):
        blocks.append({"type": "actions", "elements": live[i : i + MAX_ACTIONS]})
    return blocks


def _pager_blocks(reply: Reply, labels: Labels) -> list[Block]:
    pager = reply.pager
    if pager is None:
        return []
    blocks: list[Block] = [_context([labels.page.format(page=pager.page, pages=pager.pages)])]
    elements = [
        _button(Button(action, label))
        for action, label in ((pager.prev_action, labels.prev), (pager.next_action, labels.next))
        if action
    ]
    if elements:
        blocks.append({"type": "actions", "elements": elements})
    return blocks


def render_blocks(reply: Reply, labels: Labels, *, max_blocks: int = MAX_BLOCKS) -> list[Block]:
    """The Block Kit blocks for `reply`, at most `max_blocks` of them."""
    head: list[Block] = []
    body: list[Block] = []
    if reply.title and reply.title.strip():
        head.append(
            {"type": "header", "text": _plain(clip(_marked(reply, reply.title), MAX_HEADER))}
        )
    texts = [t for t in reply.blocks if t.strip()]
    for i, text in enumerate(texts):
        if i == 0 and not head:
            text = _marked(reply, text)
        body.extend(_section(escape(chunk)) for chunk in split_text(text))
    body.extend(_field_blocks(reply.fields))

    tail: list[Block] = []
    notes = [f"📎 {reply.citation}"] if reply.citation else []
    if reply.footer:
        notes.append(reply.footer)
    if notes:
        tail.append(_context(notes))
    tail.extend(_button_blocks(reply.buttons))
    tail.extend(_pager_blocks(reply, labels))

    if len(head) + len(body) + len(tail) > max_blocks:
        # Keep the buttons (they are how the user goes on) and say that text was left out.
        tail = tail[: max(0, max_blocks - len(head) - 2)]
        room = max(0, max_blocks - len(head) - len(tail) - 1)
        body = [*body[:room], _context([labels.trimmed])]
    return [*head, *body, *tail]


def fallback_text(reply: Reply) -> str:
    """The plain `text` Slack shows in notifications (escaped: it is parsed as mrkdwn)."""
    title = (reply.title or "").strip()
    parts = [title] if title else []
    parts.extend(t for t in reply.blocks if t.strip())
    if not parts:
        parts = [f"{f.name} {f.value}".strip() for f in reply.fields[:3]]
    return clip_escaped(_marked(reply, "\n".join(parts) or _ELLIPSIS), MAX_FALLBACK)


def render_message(reply: Reply, labels: Labels) -> dict[str, Any]:
    """`text` + `blocks` for chat.postMessage, chat.update or a response_url."""
    text = fallback_text(reply)
    # An edit must replace the old blocks, so a reply with nothing to show still gets one.
    return {"text": text, "blocks": render_blocks(reply, labels) or [_section(text)]}


def render_thread_message(text: str) -> dict[str, Any]:
    """The discussion prompt posted as the first reply in a thread."""
    return {
        "text": clip_escaped(text, MAX_FALLBACK),
        "blocks": [_section(escape(chunk)) for chunk in split_text(text)][:MAX_BLOCKS],
    }
