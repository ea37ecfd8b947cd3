"""The adapter in HTTP mode, end to end: signed Slack requests in, fake Slack calls out.

The core here is a scripted stand-in, so each test fixes exactly what the core answers and
checks what Slack would receive (the real core is driven in test_slack_core.py).
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from slack_fake_api import OUTSIDER_CHANNEL, TEAM, UNKNOWN_CHANNEL, FakeSlack
from slack_harness import Harness
from slack_requests import FORM, JSON, home_event, signed, slash_body
from stub_core import StubCore

from bot.core.incoming import ChannelKey, Incoming
from bot.core.reply import Button, Citation, Field, Reply, ThreadRequest, Tone, error_reply
from bot.core.transport import Delivery, DeliveryError, DeliveryFailure

STUDY = ChannelKey("slack", TEAM, "C0STUDY")


async def test_a_slash_command_reaches_the_core_and_answers_in_channel(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    stub.script["section"] = Reply(
        title="第２部 ３（１）",
        blocks=("我が国は、抑止力を強化する。",),
        citation=Citation("第２部 ３（１）", "抑止力の強化"),
    )
    assert await slack.command("section 第２部３（１）", trigger_id="trig-1") == 200
    assert stub.incomings == [
        Incoming(
            channel=STUDY,
            user="U0ALICE",
            user_name="alice",
            command="section",
            args="第２部３（１）",
            locale=None,
            is_admin=False,
            event_id="trig-1",
        )
    ]
    [answer] = fake.responses
    assert answer["response_type"] == "in_channel" and answer["replace_original"] is False
    assert answer["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "第２部 ３（１）", "emoji": True},
    }
    assert answer["blocks"][1]["text"]["text"] == "我が国は、抑止力を強化する。"
    assert answer["text"].startswith("第２部 ３（１）")
    # Nothing was posted through the Web API: the response_url carries it.
    assert fake.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    ("text", "command", "args"),
    [
        ("", "help", ""),
        ("   ", "help", ""),
        ("ｓｅａｒｃｈ　抑止", "search", "抑止"),
        ("QUIZ 1.3 5 group", "quiz", "1.3 5 group"),
        ("glossary A&amp;B &lt;x&gt;", "glossary", "A&B <x>"),
    ],
)
async def test_command_words_and_arguments(
    slack: Harness, stub: StubCore, text: str, command: str, args: str
) -> None:
    await slack.command(text)
    assert (stub.incomings[0].command, stub.incomings[0].args) == (command, args)


async def test_the_ack_comes_before_the_work(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    stub.gate = asyncio.Event()
    body = slash_body("search 抑止", response_url=fake.response_url())
    async with slack.session.post(
        slack.url, data=body.encode(), headers=signed(body, FORM)
    ) as response:
        # Slack has its 200 while the core is still busy.
        assert response.status == 200
        assert await response.text() == ""
    assert fake.responses == [] and len(stub.incomings) == 1
    stub.gate.set()
    await slack.adapter.drain()
    assert len(fake.responses) == 1


async def test_escaping_of_user_text_in_the_answer(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    stub.script["search"] = lambda i: Reply(
        title=f"「{i.args}」の検索結果", blocks=(f"見つかりません: {i.args}",)
    )
    await slack.command("search <!everyone> & <@U123> @here")
    [answer] = fake.responses
    body = answer["blocks"][1]["text"]["text"]
    assert body == "見つかりません: &lt;!everyone&gt; &amp; &lt;@U123&gt; @\u2060here"
    assert "<" not in answer["text"] and "@here" not in answer["text"]


async def test_limits_hold_for_a_huge_reply(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    sentence = "抑止力とは、相手に攻撃を思いとどまらせる力である。"
    stub.script["section"] = Reply(
        title="長" * 300,
        blocks=tuple(sentence * 150 for _ in range(30)),
        fields=tuple(Field(f"f{i}", "値" * 3000, inline=True) for i in range(40)),
        buttons=tuple(Button(f"nav:d:{i}", str(i)) for i in range(30)),
    )
    await slack.command("section 1")
    [answer] = fake.responses
    blocks = answer["blocks"]
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= 150
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            text = block["text"]["text"]
            assert len(text) <= 3000 and text.endswith("。")
        for f in block.get("fields", []):
            assert len(f["text"]) <= 2000
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25


async def test_errors_are_ephemeral_and_never_a_traceback(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    stub.script["section"] = error_reply("節「9.9」は見つかりません", hint="/study toc で目次を")

    def boom(incoming: Incoming) -> Reply:
        raise RuntimeError("secret internals")

    stub.script["score"] = boom
    await slack.command("section 9.9")
    await slack.command("score")
    first, second = fake.responses
    assert first["response_type"] == "ephemeral"
    assert first["blocks"][0]["text"]["text"] == "❗ 節「9.9」は見つかりません"
    assert second["response_type"] == "ephemeral"
    assert second["blocks"][0]["text"]["text"] == "❗ " + stub.catalog.text("slack.error.internal")
    assert "secret" not in json.dumps(second) and "Traceback" not in json.dumps(second)


async def test_group_quiz_question_is_posted_tracked_answered_and_revealed(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    question = Reply(
        title="問 1 / 3",
        blocks=("日本の防衛力の抜本的強化の期限は？",),
        buttons=(Button("quiz:s1:1:1", "2025年度"), Button("quiz:s1:1:2", "2027年度")),
        tone=Tone.QUIZ,
        track="quiz:s1",
    )
    stub.script["quiz"] = Reply(blocks=("クイズを始めます",), ephemeral=True, followups=(question,))
    stub.script["action:quiz:s1:1:2"] = Reply(blocks=("回答を受け付けました",), ephemeral=True)
    await slack.command("quiz 1.3 3 group")

    [ack] = fake.responses
    assert ack["response_type"] == "ephemeral"
    [post] = fake.calls_to("chat.postMessage")
    assert post.args["channel"] == "C0STUDY" and post.token == "xoxb-test"
    assert [e["action_id"] for e in post.args["blocks"][-1]["elements"]] == [
        "quiz:s1:1:1",
        "quiz:s1:1:2",
    ]
    [(track, channel, delivery)] = stub.delivered_calls
    assert (track, channel) == ("quiz:s1", STUDY) and delivery.message_id

    await slack.press("quiz:s1:1:2", user="U0BOB", user_name="bob")
    assert stub.incomings[-1].command == "action"
    assert stub.incomings[-1].args == "quiz:s1:1:2"
    assert stub.incomings[-1].channel == STUDY and stub.incomings[-1].user == "U0BOB"
    feedback = fake.responses[-1]
    assert feedback["_key"] == "press"
    assert feedback["response_type"] == "ephemeral" and feedback["replace_original"] is False

    # The timer fires in the core, which edits the question in place through the Transport.
    [transport] = stub.transports
    reveal = Reply(title="正解: 2027年度", blocks=("解説。",), citation=Citation("第２部", "t"))
    await transport.edit(STUDY, delivery.message_id, reveal)
    [update] = fake.calls_to("chat.update")
    assert update.args["channel"] == "C0STUDY" and update.args["ts"] == delivery.message_id
    assert update.args["blocks"][0]["text"]["text"] == "正解: 2027年度"


async def test_a_pager_press_replaces_the_message(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    stub.script["action:page:search:抑止:2"] = Reply(blocks=("2 ページ目",), replace=True)
    await slack.press("page:search:抑止:2")
    [answer] = fake.responses
    assert answer["replace_original"] is True and "response_type" not in answer


async def test_a_question_where_the_bot_is_not_invited_is_explained(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    stub.script["quiz"] = Reply(blocks=("問",), track="quiz:s2")
    await slack.command("quiz", channel=OUTSIDER_CHANNEL)
    assert stub.delivered_calls == []
    [answer] = fake.responses
    assert answer["response_type"] == "ephemeral"
    assert stub.catalog.text("slack.error.not_in_channel") in answer["blocks"][0]["text"]["text"]


async def test_a_retried_request_is_not_run_twice(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    body = slash_body("score", response_url=fake.response_url(), trigger_id="trig-retry")
    assert await slack.post(body, FORM) == 200
    assert await slack.post(body, FORM, retry=1) == 200
    assert await slack.post(body, FORM, retry=2) == 200
    assert len(stub.incomings) == 1 and len(fake.responses) == 1

    event = home_event()
    assert await slack.event(event) == 200
    assert await slack.event(event, retry=1) == 200
    assert len(fake.calls_to("views.publish")) == 1


@pytest.mark.parametrize(
    "sign",
    [
        {"secret": "not-the-secret"},
        # Offsets, not timestamps: a timestamp computed at collection would drift into the
        # 5-minute window by the time a long suite reaches this test.
        {"offset": -6 * 60},  # replayed: older than 5 minutes
        {"offset": 6 * 60},
    ],
    ids=["forged", "stale", "future"],
)
async def test_unverified_requests_get_401_and_do_nothing(
    slack: Harness, stub: StubCore, fake: FakeSlack, sign: dict[str, object]
) -> None:
    if "offset" in sign:
        sign = {"timestamp": int(time.time()) + int(str(sign["offset"]))}
    at_startup = list(fake.calls)  # the token check
    assert (
        await slack.post(slash_body("quiz", response_url=fake.response_url()), FORM, **sign) == 401
    )
    assert await slack.post(json.dumps(home_event()), JSON, **sign) == 401
    assert stub.incomings == [] and fake.calls == at_startup and fake.responses == []


async def test_unsigned_request_gets_401(slack: Harness, stub: StubCore, fake: FakeSlack) -> None:
    body = slash_body("quiz", response_url=fake.response_url())
    at_startup = list(fake.calls)
    async with slack.session.post(slack.url, data=body, headers={"Content-Type": FORM}) as response:
        assert response.status == 401
    assert stub.incomings == [] and fake.calls == at_startup


@pytest.mark.parametrize(
    ("user", "admin", "asks_slack"),
    [
        ("U0CFGADMIN", True, False),  # listed in [slack] admin_user_ids
        ("U0WSADMIN", True, True),  # a workspace admin (users.info)
        ("U0ALICE", False, True),
    ],
)
async def test_admin_commands_learn_who_is_an_admin(
    slack: Harness, stub: StubCore, fake: FakeSlack, user: str, admin: bool, asks_slack: bool
) -> None:
    await slack.command("schedule pause", user=user)
    assert stub.incomings[0].is_admin is admin
    assert bool(fake.calls_to("users.info")) is asks_slack


async def test_ordinary_commands_do_not_look_users_up(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    await slack.command("toc")
    assert fake.calls_to("users.info") == [] and stub.incomings[0].is_admin is False


async def test_app_home_shows_the_core_home_reply(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    stub.script["home"] = Reply(
        title="あなたの読書会",
        fields=(
            Field("#study の進み具合", "5 / 18 日目", inline=True),
            Field("得点", "120 点（正答率 80%）", inline=True),
            Field("ランキング", "1. alice 120\n2. bob 90"),
        ),
        buttons=(Button("home:quiz", "ひとりでクイズ"), Button("home:excerpt", "今日の抜粋")),
    )
    assert await slack.event(home_event(user="U0ALICE", dm="D0ALICE")) == 200
    [incoming] = stub.incomings
    assert (incoming.command, incoming.user) == ("home", "U0ALICE")
    assert incoming.channel == ChannelKey("slack", TEAM, "D0ALICE")
    [publish] = fake.calls_to("views.publish")
    view = publish.args["view"]
    assert publish.args["user_id"] == "U0ALICE"
    assert view["type"] == "home" and view["private_metadata"] == "D0ALICE"
    assert view["blocks"][1]["fields"][0]["text"] == "*#study の進み具合*\n5 / 18 日目"
    assert [e["action_id"] for e in view["blocks"][-1]["elements"]] == ["home:quiz", "home:excerpt"]


async def test_opening_the_messages_tab_publishes_nothing(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    await slack.event(home_event(tab="messages"))
    assert stub.incomings == [] and fake.calls_to("views.publish") == []


async def test_a_home_button_answers_in_the_app_dm(
    slack: Harness, stub: StubCore, fake: FakeSlack
) -> None:
    question = Reply(blocks=("問 1",), buttons=(Button("quiz:s9:1:1", "A"),), ephemeral=True)
    stub.script["action:home:quiz"] = question
    await slack.press("home:quiz", home_dm="D0ALICE")
    assert stub.incomings[0].channel == ChannelKey("slack", TEAM, "D0ALICE")
    [post] = fake.calls_to("chat.postMessage")
    assert post.args["channel"] == "D0ALICE"
    assert post.args["blocks"][-1]["elements"][0]["action_id"] == "quiz:s9:1:1"
    assert fake.responses == []


async def test_daily_post_with_its_discussion_thread(slack: Harness, fake: FakeSlack) -> None:
    transport = slack.adapter.transport
    post = Reply(
        title="今日の抜粋（5 / 18 日目）",
        blocks=("本文。",),
        thread=ThreadRequest("5 日目の問い", "抑止とは何か、あなたの言葉で説明してください <@U1>"),
        tone=Tone.EXCERPT,
    )
    delivery = await transport.send(STUDY, post)
    first, second = fake.calls_to("chat.postMessage")
    assert delivery == Delivery(first_ts := delivery.message_id, thread_id=first_ts)
    assert "thread_ts" not in first.args
    assert second.args["thread_ts"] == first_ts and second.args["channel"] == "C0STUDY"
    assert second.args["text"].endswith("&lt;@U1&gt;")


@pytest.mark.parametrize(
    ("channel", "failure"),
    [
        (UNKNOWN_CHANNEL, DeliveryFailure.CHANNEL_NOT_FOUND),
        (OUTSIDER_CHANNEL, DeliveryFailure.MISSING_PERMISSION),
    ],
)
async def test_daily_post_failures_are_named(
    slack: Harness, channel: str, failure: DeliveryFailure
) -> None:
    with pytest.raises(DeliveryError) as caught:
        await slack.adapter.transport.send(ChannelKey("slack", TEAM, channel), Reply(blocks=("x",)))
    assert caught.value.failure is failure


async def test_an_unreachable_slack_is_transient(slack: Harness, fake: FakeSlack) -> None:
    slack.adapter.client.retry_handlers.clear()  # the SDK's own backoff is not under test
    await fake.stop()
    with pytest.raises(DeliveryError) as caught:
        await slack.adapter.transport.send(STUDY, Reply(blocks=("x",)))
    assert caught.value.failure is DeliveryFailure.TRANSIENT
