"""The Slack adapter: a Bolt `AsyncApp` turning requests into core calls, served over HTTP or
Socket Mode.

Every listener acks first (Slack wants an answer within 3 s), then makes one core call and
renders its reply. Work that outlives its request is tracked so `close()` can finish it.
A retried delivery (`X-Slack-Retry-Num`) of something already received gets a bare 200;
the core also dedupes by event id, so even a retry after a restart runs nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.home import render_home
from bot.adapters.slack.inbound import (
    Origin,
    action_incoming,
    command_incoming,
    delivery_key,
    home_incoming,
)
from bot.adapters.slack.render import Labels
from bot.adapters.slack.respond import Responder
from bot.adapters.slack.transport import SlackTransport
from bot.config import ConfigError, Settings, SlackSettings
from bot.core.api import CoreApi
from bot.core.catalog import Catalog
from bot.core.commands import command_spec
from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Reply, error_reply

log = logging.getLogger("bot.adapters.slack")

_SEEN_LIMIT = 4096
_BAD_TOKEN = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "not_allowed_token_type"}
)


def make_client(settings: SlackSettings) -> AsyncWebClient:
    """The Web API client, pointed at `api_base` (a proxy, or the fake Slack in tests)."""
    base = settings.api_base if settings.api_base.endswith("/") else settings.api_base + "/"
    return AsyncWebClient(token=settings.bot_token, base_url=base, logger=log)


class _RecentKeys:
    """The delivery ids seen lately, oldest forgotten first."""

    def __init__(self, limit: int) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._limit = limit

    def add(self, key: str) -> bool:
        """Remember `key`; False if it was already there."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self._limit:
            self._keys.popitem(last=False)
        return True


class SlackAdapter:
    def __init__(
        self, core: CoreApi, settings: SlackSettings, *, client: AsyncWebClient | None = None
    ) -> None:
        if not settings.bot_token:
            raise ConfigError(
                f"[slack]: no bot token in the environment ({settings.bot_token_env})"
            )
        self.core = core
        self.settings = settings
        self.client = client or make_client(settings)
        self.transport = SlackTransport(self.client, self._labels_for, core.delivered)
        self._responder = Responder(self.client, core.catalog, core.delivered)
        self._labels: dict[str, Labels] = {}
        self._seen = _RecentKeys(_SEEN_LIMIT)
        self._work: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self.app = AsyncApp(
            client=self.client,
            # Only HTTP mode verifies signatures; Bolt skips the check for Socket Mode.
            signing_secret=settings.signing_secret or "",
            logger=logging.getLogger("bot.adapters.slack.bolt"),
            name="studybot",
        )
        self.app.middleware(self._skip_retries)
        self.app.command(settings.command)(self._on_command)
        self.app.action(re.compile(r".+"))(self._on_action)
        self.app.event("app_home_opened")(self._on_home_opened)

    # ---- serving

    async def start_http(self, host: str | None = None, port: int | None = None) -> int:
        """Serve the events endpoint (`settings.path`); returns the bound port."""
        if not self.settings.signing_secret:
            raise ConfigError(
                '[slack] mode = "http": no signing secret in the environment '
                f"({self.settings.signing_secret_env})"
            )
        await self._check_bot_token()
        web_app = web.Application()
        web_app.router.add_post(self.settings.path, self._serve_http)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner,
            host if host is not None else self.settings.host,
            port if port is not None else self.settings.port,
        )
        await site.start()
        bound = self._runner.addresses[0]
        log.info("slack: HTTP mode on %s%s", bound, self.settings.path)
        return int(bound[1])

    async def _serve_http(self, request: web.Request) -> web.StreamResponse:
        bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def start_socket(self, *, ping_interval: float = 10) -> AsyncSocketModeHandler:
        """Connect to Slack over Socket Mode (the URL comes from apps.connections.open)."""
        if not self.settings.app_token:
            raise ConfigError(
                f'[slack] mode = "socket": no app token in the environment '
                f"({self.settings.app_token_env})"
            )
        await self._check_bot_token()
        url = await self._open_connection(self.settings.app_token)
        self._socket = AsyncSocketModeHandler(
            self.app,
            app_token=self.settings.app_token,
            web_client=self.client,
            ping_interval=ping_interval,
        )
        # Reuse the URL just issued; the SDK asks for fresh ones when it reconnects.
        self._socket.client.wss_uri = url
        await self._socket.connect_async()  # type: ignore[no-untyped-call]
        log.info("slack: Socket Mode connected")
        return self._socket

    async def _check_bot_token(self) -> None:
        """Fail at startup, naming the variable, if Slack rejects the bot token."""
        try:
            await self.client.auth_test()
        except SlackApiError as e:
            self._reject(e, self.settings.bot_token_env)
        except SlackClientError as e:  # Slack unreachable: Bolt will try again per request
            log.warning("slack: auth.test failed at startup: %s", type(e).__name__)

    async def _open_connection(self, app_token: str) -> str | None:
        try:
            response = await self.client.apps_connections_open(app_token=app_token)
        except SlackApiError as e:
            self._reject(e, self.settings.app_token_env)
            return None
        except SlackClientError as e:  # the SDK retries on connect
            log.warning("slack: apps.connections.open failed: %s", type(e).__name__)
            return None
        url = response.get("url")
        return url if isinstance(url, str) else None

    @staticmethod
    def _reject(error: SlackApiError, env: str) -> None:
        code = str(error.response.get("error") or "")
        if code in _BAD_TOKEN:
            raise ConfigError(f"[slack]: Slack rejected the token in {env} ({code})") from None
        log.warning("slack: token check answered %s", code)

    async def drain(self) -> None:
        """Wait until the work started by requests so far is finished."""
        while self._work:
            await asyncio.gather(*list(self._work), return_exceptions=True)

    async def close(self) -> None:
        """Stop taking requests, then let the work in flight finish."""
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.drain()

    # ---- middleware and listeners

    async def _skip_retries(
        self,
        req: AsyncBoltRequest,
        next_: Callable[[], Awaitable[None]],
    ) -> BoltResponse | None:
        key = delivery_key(req.body)
        # Socket Mode reports a first delivery as retry 0; HTTP sends no header at all.
        retry = (req.headers.get("x-slack-retry-num") or ["0"])[0]
        if key is not None and not self._seen.add(key) and retry != "0":
            log.info("slack: retry %s of %s already received: acked, not run", retry, key)
            return BoltResponse(status=200, body="")
        await next_()
        return None

    def _hold(self) -> None:
        """Keep the running listener alive (and awaited at shutdown) past its ack."""
        task = asyncio.current_task()
        if task is not None:
            self._work.add(task)
            task.add_done_callback(self._work.discard)

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        self._hold()
        await ack()
        incoming, origin = command_incoming(body)
        await self._run(await self._with_admin(incoming), origin)

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        self._hold()
        await ack()
        parsed = action_incoming(body)
        if parsed is not None:
            await self._run(*parsed)

    async def _on_home_opened(self, body: dict[str, Any]) -> None:
        self._hold()  # Bolt has acked events already
        incoming = home_incoming(body)
        if incoming is None:
            return
        reply = await self._handle(incoming)
        if reply is None:
            return
        view = render_home(
            reply, self._labels_for(incoming.channel), dm_channel=incoming.channel.channel
        )
        try:
            await self.client.views_publish(user_id=incoming.user, view=view)
        except (SlackApiError, SlackClientError) as e:
            log.warning("slack: views.publish for %s failed: %s", incoming.user, e)

    # ---- one core call

    async def _run(self, incoming: Incoming, origin: Origin) -> None:
        reply = await self._handle(incoming)
        if reply is not None:
            lang = self._lang(incoming.channel)
            await self._responder.answer(reply, origin, self._labels_for(incoming.channel), lang)

    async def _handle(self, incoming: Incoming) -> Reply | None:
        try:
            return await self.core.handle(incoming)
        except Exception:
            # No traceback reaches a user: log it, say sorry.
            log.exception("slack: %s failed", incoming.command)
            lang = self._lang(incoming.channel)
            return error_reply(self.core.catalog.text("slack.error.internal", lang))

    async def _with_admin(self, incoming: Incoming) -> Incoming:
        spec = command_spec(incoming.command)
        if spec is None or not spec.admin:
            return incoming
        return replace(incoming, is_admin=await self._is_admin(incoming.user))

    async def _is_admin(self, user: str) -> bool:
        if user in self.settings.admin_user_ids:
            return True
        try:
            response = await self.client.users_info(user=user)
        except (SlackApiError, SlackClientError) as e:
            log.warning("slack: users.info for %s failed: %s", user, e)
            return False
        info = response.get("user") or {}
        return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))

    def _lang(self, channel: ChannelKey) -> str:
        return self.core.language(channel, None)

    def _labels_for(self, channel: ChannelKey) -> Labels:
        lang = self._lang(channel)
        if lang not in self._labels:
            self._labels[lang] = Labels.from_catalog(self.core.catalog, lang)
        return self._labels[lang]


async def run_slack(
    core: CoreApi, settings: SlackSettings | Settings, catalog: Catalog | None = None
) -> None:
    """Serve Slack until cancelled: attach the Transport, connect, and close cleanly.

    Takes the `[slack]` settings or the whole `Settings`. `catalog` is accepted for
    symmetry with the other adapters; the core's catalog is the one used.
    """
    del catalog
    slack = settings.slack if isinstance(settings, Settings) else settings
    adapter = SlackAdapter(core, slack)
    core.attach(adapter.transport)
    try:
        if slack.mode == "http":
            await adapter.start_http()
        else:
            await adapter.start_socket()
        await asyncio.Event().wait()
    finally:
        await adapter.close()
