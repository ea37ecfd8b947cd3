"""Sync application commands at start only when they changed.

Discord rate-limits command syncs (and a global sync takes a while to reach every
client), so each start hashes the translated command payload it would upload and compares
it with the hash of the last successful sync, kept in the data directory. Equal hashes
still cost one cheap GET: if someone deleted the commands on Discord's side, they are
uploaded again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)

STATE_FILE = "discord-commands.json"


def _read(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


async def command_payload(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None
) -> list[dict[str, Any]]:
    translator = tree.translator
    commands = tree.get_commands(guild=guild)
    if translator is None:
        return [c.to_dict(tree) for c in commands]
    return [await c.get_translated_payload(tree, translator) for c in commands]


def payload_hash(payload: list[dict[str, Any]]) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree[Any],
    application_id: int,
    guild_ids: Sequence[int],
    data_dir: Path,
) -> list[str]:
    """Sync each scope (the listed guilds, or global) whose commands changed; the scopes synced."""
    path = data_dir / STATE_FILE
    state = _read(path)
    scopes: list[discord.Object | None] = [discord.Object(g) for g in guild_ids] or [None]
    synced: list[str] = []
    for guild in scopes:
        if guild is not None:
            tree.copy_global_to(guild=guild)
        scope = f"{application_id}:{guild.id if guild else 'global'}"
        payload = await command_payload(tree, guild)
        digest = payload_hash(payload)
        if state.get(scope) == digest:
            remote = await tree.fetch_commands(guild=guild)
            if sorted(c.name for c in remote) == sorted(p["name"] for p in payload):
                log.info("discord: commands unchanged (%s); not syncing", scope)
                continue
            log.info("discord: commands missing on Discord (%s); syncing again", scope)
        await tree.sync(guild=guild)
        state[scope] = digest
        _write(path, state)
        synced.append(scope)
        log.info("discord: synced %d commands (%s)", len(payload), scope)
    return synced
