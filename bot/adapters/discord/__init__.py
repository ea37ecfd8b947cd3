"""The Discord adapter: slash commands and buttons in, embeds and threads out (discord.py 2.7).

Entry points for the composition root and the CLI:
  run_discord(core, settings, catalog, data_dir)  serve Discord until cancelled
  DiscordBot(...)                                 the same with explicit start / close
  invite_url(application_id)                      the OAuth2 URL with the least permissions
"""

from bot.adapters.discord.client import DiscordBot, run_discord
from bot.adapters.discord.invite import invite_url, required_permissions
from bot.adapters.discord.render import render_reply
from bot.adapters.discord.transport import DiscordTransport

__all__ = [
    "DiscordBot",
    "DiscordTransport",
    "invite_url",
    "render_reply",
    "required_permissions",
    "run_discord",
]
