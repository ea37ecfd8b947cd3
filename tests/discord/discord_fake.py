"""A fake Discord on 127.0.0.1: the REST API under an api_base and a gateway websocket.

It speaks just enough of Discord for discord.py 2.7 to log in, connect, receive the
events tests inject, and answer them: users/@me, the application, command sync,
interaction callbacks (`?with_response=1`), webhook followups and edits, channel
messages and threads, and 403/404 for forbidden and unknown channels. Every REST call
is recorded so tests can assert what a user would see.

JSON responses carry exactly `Content-Type: application/json` (discord.py parses nothing
else), and it never answers 429 (without a `Via` header discord.py takes it as a ban).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import discord
from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
TIMESTAMP = "2026-05-01T09:00:00.000000+00:00"

# Discord error codes the fake uses.
UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
UNKNOWN_INTERACTION = 10062
MISSING_PERMISSIONS = 50013
ALREADY_ACKNOWLEDGED = 40060

OPTION_TYPES = {str: 3, int: 4, bool: 5}


def perms(**flags: bool) -> int:
    return discord.Permissions(**flags).value


MEMBER_PERMS = perms(
    view_channel=True,
    send_messages=True,
    read_message_history=True,
    use_application_commands=True,
    create_public_threads=True,
    send_messages_in_threads=True,
)
BOT_PERMS = perms(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    read_message_history=True,
    create_public_threads=True,
    send_messages_in_threads=True,
)
ADMIN_PERMS = perms(manage_guild=True)


@dataclass
class Call:
    method: str
    path: str  # without the api prefix, e.g. /channels/1/messages
    query: dict[str, str]
    body: Any

    @property
    def is_message(self) -> bool:
        """A call that puts a message on screen (its body must carry allowed_mentions)."""
        if self.method not in ("POST", "PATCH") or not isinstance(self.body, dict):
            return False
        if self.path.endswith("/callback"):
            return self.body.get("type") in (4, 7)
        return (
            self.path.startswith("/webhooks/")
            or self.path.endswith("/messages")
            or ("/messages/" in self.path and not self.path.endswith("/threads"))
        )

    @property
    def message(self) -> dict[str, Any]:
        """The message body, wherever the call carries it."""
        if self.path.endswith("/callback"):
            data = self.body.get("data") or {}
            return data if isinstance(data, dict) else {}
        return self.body if isinstance(self.body, dict) else {}


@dataclass
class Member:
    id: int
    name: str
    roles: list[int]
    permissions: int

    def user(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name.capitalize(),
            "discriminator": "0",
            "avatar": None,
            "bot": False,
        }


@dataclass
class Interaction:
    payload: dict[str, Any]
    responded: asyncio.Event = field(default_factory=asyncio.Event)
    response_type: int | None = None
    original_id: int | None = None

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    @property
    def channel_id(self) -> int:
        return int(self.payload["channel_id"])


class FakeDiscord:
    def __init__(self, token: str) -> None:
        self.token = token
        self._ids = itertools.count(1_300_000_000_000_000_000)
        self.application_id = self.snowflake()
        self.bot = {
            "id": str(self.application_id),
            "username": "studybot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
        }
        self.guild_id = self.snowflake()
        self.bot_role = self.snowflake()
        self.admin_role = self.snowflake()
        self.alice = Member(
            self.snowflake(), "alice", [self.admin_role], MEMBER_PERMS | ADMIN_PERMS
        )
        self.bob = Member(self.snowflake(), "bob", [], MEMBER_PERMS)
        self.carol = Member(self.snowflake(), "carol", [], MEMBER_PERMS)
        self.reading = self.snowflake()  # where the group reads
        self.quiz_room = self.snowflake()  # where only the quiz players are
        self.quiet = self.snowflake()  # the bot may not send here
        self.no_threads = self.snowflake()  # the bot may post but not open threads
        self.channels: dict[int, dict[str, Any]] = {
            self.reading: self._text_channel(self.reading, "reading", []),
            self.quiz_room: self._text_channel(self.quiz_room, "quiz", []),
            self.quiet: self._text_channel(
                self.quiet, "quiet", [self._deny(self.bot_role, perms(send_messages=True))]
            ),
            self.no_threads: self._text_channel(
                self.no_threads,
                "no-threads",
                [self._deny(self.bot_role, perms(create_public_threads=True))],
            ),
        }
        self.messages: dict[int, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.interactions: dict[int, Interaction] = {}
        self.by_token: dict[str, Interaction] = {}
        self.calls: list[Call] = []
        self.identifies: list[dict[str, Any]] = []
        self.identified = asyncio.Event()  # set at each IDENTIFY (tests clear it)
        self.disconnected = asyncio.Event()  # set when a client's websocket closes
        self.sockets: set[web.WebSocketResponse] = set()
        self._seq = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    # Server ---------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{path:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def close(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def snowflake(self) -> int:
        return next(self._ids)

    # Guild data -------------------------------------------------------------------------

    def _deny(self, role: int, value: int) -> dict[str, Any]:
        return {"id": str(role), "type": 0, "allow": "0", "deny": str(value)}

    def _text_channel(
        self, cid: int, name: str, overwrites: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return {
            "id": str(cid),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": 0,
            "permission_overwrites": overwrites,
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "default_auto_archive_duration": 1440,
        }

    def _role(self, rid: int, name: str, value: int, position: int) -> dict[str, Any]:
        return {
            "id": str(rid),
            "name": name,
            "permissions": str(value),
            "position": position,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    def _member(self, user: dict[str, Any], roles: list[int]) -> dict[str, Any]:
        return {
            "user": user,
            "roles": [str(r) for r in roles],
            "joined_at": TIMESTAMP,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
        }

    def guild(self) -> dict[str, Any]:
        people = (self.alice, self.bob, self.carol)
        return {
            "id": str(self.guild_id),
            "name": "読書会",
            "icon": None,
            "owner_id": str(self.alice.id),
            "preferred_locale": "ja",
            "unavailable": False,
            "large": False,
            "member_count": len(people) + 1,
            "joined_at": TIMESTAMP,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                self._role(self.guild_id, "@everyone", MEMBER_PERMS, 0),
                self._role(self.bot_role, "studybot", BOT_PERMS, 1),
                self._role(self.admin_role, "admin", ADMIN_PERMS, 2),
            ],
            "channels": list(self.channels.values()),
            "threads": [],
            "members": [
                self._member(self.bot, [self.bot_role]),
                *(self._member(m.user(), m.roles) for m in people),
            ],
            "voice_states": [],
            "presences": [],
        }

    # Gateway ----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.add(ws)
        try:
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
                frame = json.loads(msg.data)
                if frame.get("op") == 1:
                    await ws.send_str(json.dumps({"op": 11}))
                elif frame.get("op") == 2:
                    self.identifies.append(frame["d"])
                    self.identified.set()
                    await self._send(ws, "READY", self._ready())
                    await self._send(ws, "GUILD_CREATE", self.guild())
        finally:
            self.sockets.discard(ws)
            self.disconnected.set()
        return ws

    def _ready(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": self.bot,
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": secrets.token_hex(8),
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
        }

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        self._seq += 1
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": self._seq, "d": data}))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        if not self.sockets:
            raise RuntimeError("no client is connected to the fake gateway")
        for ws in list(self.sockets):
            await self._send(ws, event, data)

    # Interactions -----------------------------------------------------------------------

    def _base(self, kind: int, member: Member, channel: int, locale: str) -> dict[str, Any]:
        iid = self.snowflake()
        return {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": kind,
            "token": f"itoken-{iid}-{secrets.token_hex(6)}",
            "version": 1,
            "guild_id": str(self.guild_id),
            "channel_id": str(channel),
            "channel": self.channels.get(channel) or {"id": str(channel), "type": 0},
            "member": {
                **self._member(member.user(), member.roles),
                "permissions": str(member.permissions),
            },
            "locale": locale,
            "guild_locale": "ja",
            "app_permissions": str(BOT_PERMS),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
        }

    def command_id(self, name: str) -> str:
        for scoped in self.commands.values():
            for c in scoped:
                if c["name"] == name:
                    return str(c["id"])
        return str(self.snowflake())

    @staticmethod
    def options(values: dict[str, Any], focused: str | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for name, value in values.items():
            option = {"name": name, "type": OPTION_TYPES[type(value)], "value": value}
            if name == focused:
                option["focused"] = True
            out.append(option)
        return out

    def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        sub: str | None = None,
        member: Member | None = None,
        channel: int | None = None,
        locale: str = "ja",
        focused: str | None = None,
    ) -> dict[str, Any]:
        """An application command (or, with `focused`, an autocomplete) interaction."""
        kind = 4 if focused else 2
        payload = self._base(kind, member or self.bob, channel or self.reading, locale)
        opts = self.options(options or {}, focused)
        if sub is not None:
            opts = [{"name": sub, "type": 1, "options": opts}]
        payload["data"] = {"id": self.command_id(name), "name": name, "type": 1, "options": opts}
        return payload

    def dm(self, name: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """A slash command in a direct message with the bot (no guild, no member)."""
        payload = self.slash(name, options)
        user = payload.pop("member")["user"]
        dm_channel = self.snowflake()
        del payload["guild_id"], payload["guild_locale"]
        payload.update(
            user=user,
            channel_id=str(dm_channel),
            channel={"id": str(dm_channel), "type": 1, "recipients": [user]},
            context=1,
            authorizing_integration_owners={"1": user["id"]},
        )
        return payload

    def click(
        self,
        message_id: int,
        custom_id: str,
        *,
        member: Member | None = None,
        locale: str = "ja",
    ) -> dict[str, Any]:
        message = self.messages[message_id]
        payload = self._base(3, member or self.bob, int(message["channel_id"]), locale)
        payload["message"] = message
        payload["data"] = {"custom_id": custom_id, "component_type": 2}
        return payload

    async def inject(self, payload: dict[str, Any]) -> Interaction:
        interaction = Interaction(payload)
        if "message" in payload:
            # A button's "original response" is the message the button is on.
            interaction.original_id = int(payload["message"]["id"])
        self.interactions[interaction.id] = interaction
        self.by_token[interaction.token] = interaction
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    # Messages ---------------------------------------------------------------------------

    def _new_message(
        self, channel_id: int, body: dict[str, Any], interaction: Interaction | None = None
    ) -> dict[str, Any]:
        mid = self.snowflake()
        message: dict[str, Any] = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "guild_id": str(self.guild_id),
            "author": self.bot,
            "content": body.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0 if interaction is None else 20,
            "flags": int(body.get("flags") or 0),
        }
        if interaction is not None:
            message["webhook_id"] = str(self.application_id)
            message["application_id"] = str(self.application_id)
        self.messages[mid] = message
        return message

    def _update_message(self, message: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = (
                    body[key] if body[key] is not None else ([] if key != "content" else "")
                )
        message["edited_timestamp"] = TIMESTAMP
        return message

    def channel_messages(self, channel: int) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if int(m["channel_id"]) == channel]

    # REST -------------------------------------------------------------------------------

    @staticmethod
    def _json(data: Any, status: int = 200) -> web.Response:
        if status == 204:
            return web.Response(status=204)
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return web.Response(status=status, body=body, headers={"Content-Type": "application/json"})

    def _error(self, status: int, code: int, message: str) -> web.Response:
        return self._json({"code": code, "message": message}, status)

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw else None
        self.calls.append(Call(request.method, path, dict(request.query), body))
        parts = path.strip("/").split("/")
        authorized = request.headers.get("Authorization") == f"Bot {self.token}"
        if parts[0] not in ("interactions", "webhooks") and not authorized:
            return self._error(401, 0, "401: Unauthorized")
        try:
            return await self._route(request.method, parts, body)
        except KeyError:
            return self._error(404, 0, "404: Not Found")

    async def _route(self, method: str, parts: list[str], body: Any) -> web.Response:
        match (method, parts):
            case ("GET", ["users", "@me"]):
                return self._json(self.bot)
            case ("GET", ["oauth2", "applications", "@me"]):
                return self._json(self._application())
            case ("GET", ["gateway"]) | ("GET", ["gateway", "bot"]):
                return self._json({"url": self.gateway_url, "shards": 1})
            case ("GET", ["applications", _, "commands"]):
                return self._json(self.commands.get("global", []))
            case ("PUT", ["applications", _, "commands"]):
                return self._json(self._store_commands("global", body))
            case ("GET", ["applications", _, "guilds", gid, "commands"]):
                return self._json(self.commands.get(gid, []))
            case ("PUT", ["applications", _, "guilds", gid, "commands"]):
                return self._json(self._store_commands(gid, body))
            case ("POST", ["interactions", iid, token, "callback"]):
                return self._callback(int(iid), token, body)
            case ("POST", ["webhooks", _, token]):
                interaction = self.by_token[token]
                message = self._new_message(interaction.channel_id, body, interaction)
                return self._json(message)
            case ("GET", ["webhooks", _, token, "messages", mid]):
                return self._json(self._webhook_message(token, mid))
            case ("PATCH", ["webhooks", _, token, "messages", mid]):
                return self._json(self._update_message(self._webhook_message(token, mid), body))
            case ("DELETE", ["webhooks", _, token, "messages", mid]):
                self.messages.pop(int(self._webhook_message(token, mid)["id"]), None)
                return self._json(None, 204)
            case ("GET", ["channels", cid]):
                if int(cid) not in self.channels:
                    return self._error(404, UNKNOWN_CHANNEL, "Unknown Channel")
                return self._json(self.channels[int(cid)])
            case ("POST", ["channels", cid, "messages"]):
                return self._post_message(int(cid), body)
            case ("PATCH", ["channels", cid, "messages", mid]):
                if int(cid) not in self.channels:
                    return self._error(404, UNKNOWN_CHANNEL, "Unknown Channel")
                found = self.messages.get(int(mid))
                if found is None or int(found["channel_id"]) != int(cid):
                    return self._error(404, UNKNOWN_MESSAGE, "Unknown Message")
                return self._json(self._update_message(found, body))
            case ("POST", ["channels", cid, "messages", mid, "threads"]):
                return self._start_thread(int(cid), int(mid), body)
        return self._error(404, 0, "404: Not Found")

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": "studybot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.alice.user(),
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
            "summary": "",
        }

    def _store_commands(self, scope: str, body: list[dict[str, Any]]) -> list[dict[str, Any]]:
        stored = []
        for command in body:
            stored.append(
                {
                    **command,
                    "id": str(self.snowflake()),
                    "application_id": str(self.application_id),
                    "version": str(self.snowflake()),
                    "type": command.get("type", 1),
                    **({"guild_id": scope} if scope != "global" else {}),
                }
            )
        self.commands[scope] = stored
        return stored

    def _callback(self, iid: int, token: str, body: dict[str, Any]) -> web.Response:
        interaction = self.interactions.get(iid)
        if interaction is None or interaction.token != token:
            return self._error(404, UNKNOWN_INTERACTION, "Unknown interaction")
        if interaction.response_type is not None:
            return self._error(
                400, ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged."
            )
        kind = int(body["type"])
        interaction.response_type = kind
        data = body.get("data") or {}
        message: dict[str, Any] | None = None
        if kind == 4:
            message = self._new_message(interaction.channel_id, data, interaction)
        elif kind == 5:
            message = self._new_message(
                interaction.channel_id, {"flags": int(data.get("flags") or 0) | 128}, interaction
            )
        elif kind == 7:
            target = int(interaction.payload["message"]["id"])
            message = self._update_message(self.messages[target], data)
        if message is not None:
            interaction.original_id = int(message["id"])
        interaction.responded.set()
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(iid),
                "type": interaction.payload["type"],
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(int(data.get("flags") or 0) & 64),
            }
        }
        if message is not None:
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": kind, "message": message}
        return self._json(answer)

    def _webhook_message(self, token: str, mid: str) -> dict[str, Any]:
        interaction = self.by_token[token]
        if mid == "@original":
            if interaction.original_id is None:
                raise KeyError(mid)
            return self.messages[interaction.original_id]
        return self.messages[int(mid)]

    def _denied(self, cid: int, permission: int) -> bool:
        channel = self.channels.get(cid)
        if channel is None:
            return False
        if channel.get("parent_id"):
            channel = self.channels.get(int(channel["parent_id"]), channel)
        overwrites = channel.get("permission_overwrites", [])
        return any(int(o["deny"]) & permission for o in overwrites)

    def _post_message(self, cid: int, body: dict[str, Any]) -> web.Response:
        if cid not in self.channels:
            return self._error(404, UNKNOWN_CHANNEL, "Unknown Channel")
        is_thread = self.channels[cid]["type"] == 11
        needed = perms(send_messages_in_threads=True) if is_thread else perms(send_messages=True)
        if self._denied(cid, needed):
            return self._error(403, MISSING_PERMISSIONS, "Missing Permissions")
        return self._json(self._new_message(cid, body))

    def _start_thread(self, cid: int, mid: int, body: dict[str, Any]) -> web.Response:
        if cid not in self.channels:
            return self._error(404, UNKNOWN_CHANNEL, "Unknown Channel")
        if mid not in self.messages:
            return self._error(404, UNKNOWN_MESSAGE, "Unknown Message")
        if self._denied(cid, perms(create_public_threads=True)):
            return self._error(403, MISSING_PERMISSIONS, "Missing Permissions")
        thread = {
            "id": str(mid),  # a thread started from a message shares its id
            "type": 11,
            "guild_id": str(self.guild_id),
            "parent_id": str(cid),
            "owner_id": str(self.application_id),
            "name": body["name"],
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": TIMESTAMP,
                "locked": False,
            },
        }
        self.channels[mid] = thread
        return self._json(thread, 201)

    # Queries for tests ------------------------------------------------------------------

    def calls_for(self, interaction: Interaction) -> list[Call]:
        """The callback and webhook calls that answered one interaction, in order."""
        marks = (f"/interactions/{interaction.id}/", f"/{interaction.token}")
        return [c for c in self.calls if any(m in c.path for m in marks)]
