"""The OAuth2 URL that adds the bot to a server with the least permissions it needs."""

from __future__ import annotations

import discord
from discord.utils import oauth_url

SCOPES = ("bot", "applications.commands")


def required_permissions() -> discord.Permissions:
    """Post excerpts and quizzes as embeds, open a discussion thread and speak in it."""
    return discord.Permissions(
        send_messages=True,
        embed_links=True,
        create_public_threads=True,
        send_messages_in_threads=True,
        read_message_history=True,
    )


def invite_url(application_id: int) -> str:
    if application_id <= 0:
        raise ValueError("application_id must be the positive id of your Discord application")
    return oauth_url(application_id, permissions=required_permissions(), scopes=SCOPES)
