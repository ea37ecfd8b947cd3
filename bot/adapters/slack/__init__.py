"""The Slack adapter: `/study` commands, Block Kit replies, App Home, Socket Mode and HTTP mode.

Entry points: `run_slack(core, settings, catalog)` for `studybot run`, and
`manifest(settings)` for `studybot slack manifest`.
"""

from bot.adapters.slack.app import SlackAdapter, make_client, run_slack
from bot.adapters.slack.manifest import manifest
from bot.adapters.slack.render import Labels, render_blocks, render_message
from bot.adapters.slack.transport import SlackTransport

__all__ = [
    "Labels",
    "SlackAdapter",
    "SlackTransport",
    "make_client",
    "manifest",
    "render_blocks",
    "render_message",
    "run_slack",
]
