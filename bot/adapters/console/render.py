"""Reply → plain text for a terminal. Buttons become numbered choices."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.catalog import Catalog
from bot.core.reply import Reply, Tone

TONE_MARK = {
    Tone.INFO: "📘",
    Tone.SUCCESS: "✅",
    Tone.WARNING: "⚠️",
    Tone.ERROR: "⛔",
    Tone.QUIZ: "❓",
    Tone.EXCERPT: "📖",
}
RULE = "─" * 40


@dataclass(frozen=True)
class Rendered:
    text: str
    actions: tuple[str, ...]  # action ids, numbered from 1 in `text`


def render_reply(reply: Reply, catalog: Catalog, lang: str) -> Rendered:
    lines: list[str] = [RULE]
    if reply.ephemeral:
        lines.append(catalog.text("console.private", lang))
    if reply.title:
        lines.append(f"{TONE_MARK[reply.tone]} {reply.title}")
    elif reply.tone in (Tone.ERROR, Tone.WARNING):
        lines.append(TONE_MARK[reply.tone])
    for block in reply.blocks:
        lines.append("")
        lines.append(block)
    for f in reply.fields:
        lines.append("")
        lines.append(f"■ {f.name}")
        lines.append(f.value)
    if reply.citation is not None:
        lines.append("")
        lines.append(catalog.text("console.citation", lang, citation=str(reply.citation)))
    actions: list[str] = []
    choices: list[str] = []
    for button in reply.buttons:
        if button.disabled:
            continue
        actions.append(button.action_id)
        choices.append(f"[{len(actions)}] {button.label}")
    if reply.pager is not None:
        pager = reply.pager
        if pager.prev_action:
            actions.append(pager.prev_action)
            choices.append(f"[{len(actions)}] {catalog.text('console.prev_page', lang)}")
        if pager.next_action:
            actions.append(pager.next_action)
            choices.append(f"[{len(actions)}] {catalog.text('console.next_page', lang)}")
        lines.append("")
        lines.append(catalog.text("console.page", lang, page=pager.page, pages=pager.pages))
    if choices:
        lines.append("")
        lines.append("  ".join(choices))
        lines.append(catalog.text("console.choose", lang))
    if reply.footer:
        lines.append("")
        lines.append(reply.footer)
    if reply.thread is not None:
        lines.append("")
        lines.append(catalog.text("console.thread", lang, name=reply.thread.name))
        lines.append(reply.thread.first_message)
    return Rendered("\n".join(lines), tuple(actions))
