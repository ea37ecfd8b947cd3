"""Real Slack-format requests, signed the way Slack signs them (v0 HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from itertools import count
from typing import Any
from urllib.parse import urlencode

from slack_fake_api import TEAM

SIGNING_SECRET = "test-signing-secret"
_ids = count(1)


def signed(
    body: str,
    content_type: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    retry: int | None = None,
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{ts}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }
    if retry is not None:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return headers


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def slash_fields(
    text: str,
    *,
    response_url: str,
    channel: str = "C0STUDY",
    user: str = "U0ALICE",
    user_name: str = "alice",
    command: str = "/study",
    trigger_id: str | None = None,
) -> dict[str, str]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "study",
        "user_id": user,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": "A0APP",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or f"trigger-{next(_ids)}",
    }


def slash_body(text: str, **kwargs: Any) -> str:
    return urlencode(slash_fields(text, **kwargs))


def action_payload(
    action_id: str,
    *,
    response_url: str | None,
    channel: str = "C0STUDY",
    user: str = "U0ALICE",
    user_name: str = "alice",
    home_dm: str | None = None,
    trigger_id: str | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": user_name, "name": user_name, "team_id": TEAM},
        "api_app_id": "A0APP",
        "token": "legacy-verification-token",
        "trigger_id": trigger_id or f"trigger-{next(_ids)}",
        "team": {"id": TEAM, "domain": "test"},
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "x", "emoji": True},
                "value": action_id,
                "type": "button",
                "action_ts": "1700000000.000001",
            }
        ],
    }
    if home_dm is not None:
        payload["container"] = {"type": "view", "view_id": "V0HOME"}
        payload["view"] = {"id": "V0HOME", "type": "home", "private_metadata": home_dm}
    else:
        payload["container"] = {"type": "message", "message_ts": "1.1", "channel_id": channel}
        payload["channel"] = {"id": channel, "name": "study"}
        payload["message"] = {"type": "message", "ts": "1.1", "text": "q"}
        payload["response_url"] = response_url
    return payload


def action_body(action_id: str, **kwargs: Any) -> str:
    return urlencode({"payload": json.dumps(action_payload(action_id, **kwargs))})


def home_event(user: str = "U0ALICE", dm: str = "D0ALICE", tab: str = "home") -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": "A0APP",
        "event": {
            "type": "app_home_opened",
            "user": user,
            "channel": dm,
            "tab": tab,
            "event_ts": "1700000000.000100",
        },
        "type": "event_callback",
        "event_id": f"Ev{next(_ids):08d}",
        "event_time": 1700000000,
        "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
    }
