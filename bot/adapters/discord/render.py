"""Reply → Discord message payloads: pure functions, no I/O, golden-tested on the limits.

A payload is the JSON body Discord receives (`embeds`, `components`, `flags`,
`allowed_mentions`). Long text is split on paragraph, line and sentence boundaries into
several embeds (4,096 characters each, 6,000 a message) and, past that, several messages:
the first carries the title, the last the fields, the footer and the buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from discord.utils import escape_markdown

from bot.core.actions import MAX_ACTION_ID
from bot.core.reply import Button, ButtonStyle, Pager, Reply, Tone

log = logging.getLogger(__name__)

Payload = dict[str, Any]

# Discord's documented limits.
MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
MAX_BUTTONS_PER_ROW = 5
MAX_ROWS = 5
MAX_BUTTON_LABEL = 80
MAX_THREAD_NAME = 100
EPHEMERAL = 1 << 6

NO_MENTIONS: Payload = {"parse": []}
ELLIPSIS = "…"
BLANK = "\u200b"  # Discord rejects empty field names and values

COLOURS: dict[Tone, int] = {
    Tone.INFO: 0x3B82F6,
    Tone.SUCCESS: 0x22C55E,
    Tone.WARNING: 0xF59E0B,
    Tone.ERROR: 0xEF4444,
    Tone.QUIZ: 0x8B5CF6,
    Tone.EXCERPT: 0x14B8A6,
}

BUTTON_STYLES: dict[ButtonStyle, int] = {
    ButtonStyle.PRIMARY: 1,
    ButtonStyle.SECONDARY: 2,
    ButtonStyle.SUCCESS: 3,
    ButtonStyle.DANGER: 4,
}

PREV_LABEL = "◀"
NEXT_LABEL = "▶"


# Text splitting ---------------------------------------------------------------------------

_SENTENCE_END = "。！？!?．"
_CLOSERS = "」』）)】〕\"'”’"


def _paragraphs(text: str) -> tuple[str, list[str]]:
    return "\n\n", text.split("\n\n")


def _lines(text: str) -> tuple[str, list[str]]:
    return "\n", text.split("\n")


def _sentences(text: str) -> tuple[str, list[str]]:
    """Cut after 。！？ (and closing brackets that follow), or after `. ` in Latin text."""
    out: list[str] = []
    start = i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        latin_stop = ch == "." and (i + 1 == n or text[i + 1].isspace())
        if ch in _SENTENCE_END or latin_stop:
            j = i + 1
            while j < n and (text[j] in _SENTENCE_END or text[j] in _CLOSERS):
                j += 1
            while j < n and text[j] in " \t":
                j += 1
            out.append(text[start:j])
            start = i = j
        else:
            i += 1
    if start < n:
        out.append(text[start:])
    return "", out


def _clauses(text: str) -> tuple[str, list[str]]:
    """A last resort for a sentence longer than a whole embed: cut after 、, commas or spaces."""
    out: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in "、，, ":
            out.append(text[start : i + 1])
            start = i + 1
    if start < len(text):
        out.append(text[start:])
    return "", out


_LEVELS: tuple[Callable[[str], tuple[str, list[str]]], ...] = (
    _paragraphs,
    _lines,
    _sentences,
    _clauses,
)


def _hard_cut(text: str, limit: int) -> list[str]:
    chunks: list[str] = []
    while len(text) > limit:
        cut = limit
        # Never separate a markdown escape from the character it escapes.
        if text[cut - 1] == "\\":
            cut -= 1
        chunks.append(text[:cut])
        text = text[cut:]
    if text:
        chunks.append(text)
    return chunks


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into chunks of at most `limit` characters at the coarsest boundary that fits.

    Paragraphs first, then lines, then sentences; a single sentence longer than `limit`
    (which the paper does not have) is cut at a comma or, failing that, anywhere.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    if not text:
        return []
    return [c for c in _split(text, limit, 0) if c.strip()]


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level == len(_LEVELS):
        return _hard_cut(text, limit)
    sep, pieces = _LEVELS[level](text)
    chunks: list[str] = []
    current: str | None = None
    for piece in pieces:
        if len(piece) > limit:
            sub = _split(piece, limit, level + 1)
            if current is not None:
                chunks.append(current)
            chunks.extend(sub[:-1])
            current = sub[-1]
            continue
        if current is None:
            current = piece
        elif len(current) + len(sep) + len(piece) <= limit:
            current = current + sep + piece
        else:
            chunks.append(current)
            current = piece
    if current is not None:
        chunks.append(current)
    return chunks


def clip(text: str, limit: int) -> str:
    """Shorten to `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def clip_at_boundary(text: str, limit: int) -> str:
    """Keep the leading chunks that fit in `limit`, ending on a boundary, then an ellipsis."""
    if len(text) <= limit:
        return text
    chunks = split_text(text, limit - 1)
    return (chunks[0] if chunks else "") + ELLIPSIS


# Embeds -----------------------------------------------------------------------------------


def _escape(text: str) -> str:
    # Reply text is plain text: the paper or a member's input must never turn into markdown.
    return escape_markdown(text)


def _footer(reply: Reply) -> str:
    parts: list[str] = []
    if reply.citation is not None and str(reply.citation):
        parts.append(str(reply.citation))
    if reply.footer:
        parts.append(reply.footer)
    if reply.pager is not None and reply.pager.pages > 1:
        parts.append(f"{reply.pager.page}/{reply.pager.pages}")
    return " · ".join(parts)


def _field(name: str, value: str, inline: bool) -> Payload:
    return {
        "name": clip(_escape(name), MAX_FIELD_NAME) or BLANK,
        "value": clip_at_boundary(_escape(value), MAX_FIELD_VALUE) or BLANK,
        "inline": inline,
    }


def embed_size(embed: Payload) -> int:
    """What Discord counts towards the 6,000 characters of a message's embeds."""
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += len(embed.get("footer", {}).get("text", ""))
    for f in embed.get("fields", ()):
        size += len(f["name"]) + len(f["value"])
    return size


def render_embeds(reply: Reply, *, description_limit: int = MAX_DESCRIPTION) -> list[Payload]:
    colour = COLOURS[reply.tone]
    text = "\n\n".join(_escape(b) for b in reply.blocks if b)
    chunks = split_text(text, description_limit)
    first: Payload = {"color": colour}
    if reply.title:
        first["title"] = clip(reply.title, MAX_TITLE)
    embeds = [first]
    for i, chunk in enumerate(chunks):
        if i == 0:
            first["description"] = chunk
        else:
            embeds.append({"color": colour, "description": chunk})
    for f in reply.fields:
        last = embeds[-1]
        fields = last.setdefault("fields", [])
        if len(fields) == MAX_FIELDS:
            fields = []
            embeds.append({"color": colour, "fields": fields})
        fields.append(_field(f.name, f.value, f.inline))
    footer = _footer(reply)
    if footer:
        embeds[-1]["footer"] = {"text": clip(footer, MAX_FOOTER)}
    if len(embeds) == 1 and set(first) == {"color"}:
        first["description"] = BLANK
    return embeds


# Components -------------------------------------------------------------------------------


def _button(custom_id: str, label: str, style: int, disabled: bool) -> Payload:
    return {
        "type": 2,
        "style": style,
        "label": clip(label, MAX_BUTTON_LABEL) or ELLIPSIS,
        "custom_id": custom_id,
        "disabled": disabled,
    }


def _pager_row(pager: Pager) -> Payload | None:
    if pager.pages <= 1 or (pager.prev_action is None and pager.next_action is None):
        return None
    secondary = BUTTON_STYLES[ButtonStyle.SECONDARY]
    prev = _button(
        pager.prev_action or "noop:prev", PREV_LABEL, secondary, pager.prev_action is None
    )
    nxt = _button(
        pager.next_action or "noop:next", NEXT_LABEL, secondary, pager.next_action is None
    )
    return {"type": 1, "components": [prev, nxt]}


def render_components(buttons: Sequence[Button], pager: Pager | None) -> list[Payload]:
    """Buttons in rows of five (at most five rows, the pager's row last)."""
    pager_row = _pager_row(pager) if pager is not None else None
    seen = {b["custom_id"] for b in (pager_row or {}).get("components", [])}
    valid: list[Payload] = []
    for b in buttons:
        if not b.action_id or len(b.action_id) > MAX_ACTION_ID or b.action_id in seen:
            log.warning("discord: dropping a button with an unusable custom_id %r", b.action_id)
            continue
        seen.add(b.action_id)
        valid.append(_button(b.action_id, b.label, BUTTON_STYLES[b.style], b.disabled))
    room = (MAX_ROWS - (1 if pager_row else 0)) * MAX_BUTTONS_PER_ROW
    if len(valid) > room:
        log.warning("discord: %d buttons do not fit a message; keeping %d", len(valid), room)
        valid = valid[:room]
    rows: list[Payload] = [
        {"type": 1, "components": valid[i : i + MAX_BUTTONS_PER_ROW]}
        for i in range(0, len(valid), MAX_BUTTONS_PER_ROW)
    ]
    if pager_row is not None:
        rows.append(pager_row)
    return rows


# Messages ---------------------------------------------------------------------------------


def _pack(embeds: list[Payload]) -> list[list[Payload]]:
    messages: list[list[Payload]] = [[]]
    total = 0
    for embed in embeds:
        size = embed_size(embed)
        current = messages[-1]
        if current and (len(current) == MAX_EMBEDS or total + size > MAX_EMBED_TOTAL):
            messages.append([])
            total = 0
        messages[-1].append(embed)
        total += size
    return messages


def _message(embeds: list[Payload], components: list[Payload], ephemeral: bool) -> Payload:
    payload: Payload = {
        "embeds": embeds,
        "components": components,
        "allowed_mentions": dict(NO_MENTIONS),
    }
    if ephemeral:
        payload["flags"] = EPHEMERAL
    return payload


def render_reply(reply: Reply) -> list[Payload]:
    """One or more message payloads for `reply` (more only when its text exceeds one message)."""
    groups = _pack(render_embeds(reply))
    components = render_components(reply.buttons, reply.pager)
    return [
        _message(group, components if i == len(groups) - 1 else [], reply.ephemeral)
        for i, group in enumerate(groups)
    ]


def render_single(reply: Reply) -> Payload:
    """Exactly one payload (for editing a message in place): long text is cut at a boundary."""
    payloads = render_reply(reply)
    if len(payloads) == 1:
        return payloads[0]
    embeds = render_embeds(replace(reply, blocks=()))[:MAX_EMBEDS]
    # Leave room for a useful piece of the text: drop trailing fields before cutting it to nothing.
    while sum(embed_size(e) for e in embeds) > MAX_EMBED_TOTAL - 500 and _drop_last_field(embeds):
        pass
    head = embeds[0]
    head.pop("description", None)
    budget = min(MAX_DESCRIPTION, MAX_EMBED_TOTAL - sum(embed_size(e) for e in embeds))
    text = "\n\n".join(_escape(b) for b in reply.blocks if b)
    head["description"] = clip_at_boundary(text, budget) or BLANK
    return _message(embeds, render_components(reply.buttons, reply.pager), reply.ephemeral)


def _drop_last_field(embeds: list[Payload]) -> bool:
    for embed in reversed(embeds):
        if embed.get("fields"):
            embed["fields"].pop()
            return True
    return False


def render_text(text: str) -> list[Payload]:
    """Plain-content messages (≤ 2,000 characters each), e.g. a thread's first message."""
    return [
        {"content": chunk, "allowed_mentions": dict(NO_MENTIONS)}
        for chunk in split_text(_escape(text), MAX_CONTENT)
    ]


def thread_name(name: str) -> str:
    return clip(" ".join(name.split()), MAX_THREAD_NAME) or ELLIPSIS
