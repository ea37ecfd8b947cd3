"""The App Home tab: the core's `home` reply rendered as a `home` view for views.publish.

The view remembers the user's App DM channel in `private_metadata`: a button pressed on
the Home tab arrives without a channel, and its answer is posted to that DM.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.render import MAX_HOME_BLOCKS, Labels, render_blocks
from bot.core.reply import Reply

MAX_PRIVATE_METADATA = 3000


def render_home(reply: Reply, labels: Labels, *, dm_channel: str) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "home",
        "blocks": render_blocks(reply, labels, max_blocks=MAX_HOME_BLOCKS),
    }
    if dm_channel and len(dm_channel) <= MAX_PRIVATE_METADATA:
        view["private_metadata"] = dm_channel
    return view
