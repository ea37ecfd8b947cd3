"""A fake Slack on 127.0.0.1: the Web API, response_url endpoints and a Socket Mode websocket.

It records every call so tests can assert what Slack would have received, and answers
like Slack does (HTTP 200 with `ok: false` and an error code for failures).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

UNKNOWN_CHANNEL = "C0UNKNOWN"  # chat.postMessage answers channel_not_found
OUTSIDER_CHANNEL = "C0OUTSIDE"  # chat.postMessage answers not_in_channel
BOT_USER = "UBOT"
TEAM = "T0TEAM"
HUNG_TEST_SECONDS = 10.0


@dataclass
class ApiCall:
    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class FakeSlack:
    admins: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=lambda: {"xoxb-test", "xapp-test"})
    calls: list[ApiCall] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)  # bodies sent to response_urls
    socket_received: list[dict[str, Any]] = field(default_factory=list)
    base: str = ""
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)

    # ---- lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, key: str = "r1") -> str:
        return f"{self.base}/respond/{key}"

    # ---- queries

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def effects(self) -> list[str]:
        """Everything that would have changed something a user sees."""
        seen = [c.method for c in self.calls if c.method not in ("auth.test", "users.info")]
        return seen + ["response_url"] * len(self.responses)

    async def wait_for(self, check: Callable[[], bool]) -> None:
        """Wait until `check()` holds (the time limit only guards against a hung test)."""
        async with asyncio.timeout(HUNG_TEST_SECONDS), self._changed:
            await self._changed.wait_for(check)

    async def _record(self, action: Callable[[], None]) -> None:
        async with self._changed:
            action()
            self._changed.notify_all()

    # ---- Web API

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.pop("token", None)
        await self._record(lambda: self.calls.append(ApiCall(method, args, token)))
        wants_app_token = method == "apps.connections.open"
        if token not in self.tokens or str(token).startswith("xapp-") != wants_app_token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(self._answer(method, args))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "studybot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": "B0BOT",
            }
        if method in ("chat.postMessage", "chat.update"):
            channel = str(args.get("channel", ""))
            if channel == UNKNOWN_CHANNEL:
                return {"ok": False, "error": "channel_not_found"}
            if channel == OUTSIDER_CHANNEL:
                return {"ok": False, "error": "not_in_channel"}
            ts = args.get("ts") or f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": args.get("text")}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V0HOME", **dict(args.get("view") or {})}}
        if method == "users.info":
            user = str(args.get("user", ""))
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "name": user,
                    "is_admin": user in self.admins,
                    "is_owner": False,
                },
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": f"{self.base.replace('http', 'ws', 1)}/socket"}
        return {"ok": False, "error": "unknown_method"}

    # ---- response_url

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        body["_key"] = request.match_info["key"]
        await self._record(lambda: self.responses.append(body))
        return web.Response(text="ok")

    # ---- Socket Mode

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await self._record(lambda: self._sockets.append(ws))
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                await self._record(lambda d=data: self.socket_received.append(d))
        self._sockets.remove(ws)
        return ws

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        await self.wait_for(lambda: bool(self._sockets))
        await self._sockets[-1].send_json(envelope)
