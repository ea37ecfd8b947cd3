"""Golden tests of the Block Kit renderer: exact payloads, Slack's limits, escaping."""

from __future__ import annotations

import json
import re

from bot.adapters.slack.home import render_home
from bot.adapters.slack.render import (
    MAX_BLOCKS,
    MAX_FIELD_TEXT,
    MAX_HEADER,
    MAX_HOME_BLOCKS,
    MAX_SECTION_TEXT,
    Labels,
    escape,
    render_blocks,
    render_message,
    split_text,
)
from bot.core.catalog import Catalog
from bot.core.reply import Button, ButtonStyle, Citation, Field, Pager, Reply, Tone

LABELS = Labels(prev="◀ 前へ", next="次へ ▶", page="{page} / {pages} ページ", trimmed="（省略）")


def _texts(blocks: list[dict[str, object]]) -> list[str]:
    """Every text string anywhere in the blocks."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def test_a_section_reply_renders_to_the_exact_blocks() -> None:
    reply = Reply(
        title="第２部 ３（１） 抑止力の強化",
        blocks=("我が国は、抑止力を強化する。", "第二段落。"),
        citation=Citation("第２部 ３（１）", "抑止力の強化", "ND 2025-05"),
        buttons=(
            Button("nav:nd-2025-05:3.1", "◀ 前の節"),
            Button("nav:nd-2025-05:3.3", "次の節 ▶", style=ButtonStyle.PRIMARY),
        ),
        footer="5 / 18 日目 ▓▓░░░░",
        tone=Tone.EXCERPT,
    )
    assert render_message(reply, LABELS) == {
        "text": "📖 第２部 ３（１） 抑止力の強化\n我が国は、抑止力を強化する。\n第二段落。",
        "blocks": [
            {
                "type": "header",
                "text": {
                    "type": "plain_text",
                    "text": "📖 第２部 ３（１） 抑止力の強化",
                    "emoji": True,
                },
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "我が国は、抑止力を強化する。",
                    "verbatim": True,
                },
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": "第二段落。", "verbatim": True}},
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "📎 ND 2025-05 第２部 ３（１） 抑止力の強化",
                        "verbatim": True,
                    },
                    {"type": "mrkdwn", "text": "5 / 18 日目 ▓▓░░░░", "verbatim": True},
                ],
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "◀ 前の節", "emoji": True},
                        "action_id": "nav:nd-2025-05:3.1",
                        "value": "nav:nd-2025-05:3.1",
                    },
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "次の節 ▶", "emoji": True},
                        "action_id": "nav:nd-2025-05:3.3",
                        "value": "nav:nd-2025-05:3.3",
                        "style": "primary",
                    },
                ],
            },
        ],
    }


def test_pager_renders_page_line_and_only_the_buttons_that_exist() -> None:
    first = render_blocks(
        Reply(blocks=("hit",), pager=Pager(1, 3, None, "page:search:抑止:2")), LABELS
    )
    assert first[-2] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "1 / 3 ページ", "verbatim": True}],
    }
    assert [e["action_id"] for e in first[-1]["elements"]] == ["page:search:抑止:2"]
    assert first[-1]["elements"][0]["text"]["text"] == "次へ ▶"


def test_user_and_paper_text_cannot_link_or_mention() -> None:
    hostile = "<!everyone> <@U123> <#C1|general> <https://evil.example|click> A&B @here @channel"
    reply = Reply(
        title=hostile,
        blocks=(hostile,),
        fields=(Field(hostile, hostile),),
        citation=Citation(hostile, "t"),
        footer=hostile,
        buttons=(Button("x", hostile, disabled=True),),
    )
    message = render_message(reply, LABELS)
    mrkdwn = [message["text"]] + [
        t for block in message["blocks"] if block["type"] != "header" for t in _texts([block])
    ]
    for text in mrkdwn:
        assert "<" not in text and ">" not in text, text
        assert re.search(r"&(?!amp;|lt;|gt;)", text) is None, text
        assert "@here" not in text and "@channel" not in text
    assert "&lt;!everyone&gt; &lt;@U123&gt;" in message["blocks"][1]["text"]["text"]
    assert "A&amp;B" in message["text"]
    # plain_text (the header) is never parsed by Slack: it stays as typed.
    assert message["blocks"][0]["text"]["text"] == hostile
    assert all(
        block["text"].get("verbatim")
        for block in message["blocks"]
        if block["type"] == "section" and "text" in block
    )


def test_long_text_is_split_on_sentences_within_3000_characters() -> None:
    sentence = "我が国を取り巻く安全保障環境は、戦後最も厳しく複雑なものとなっている。"
    text = sentence * 200  # ~7,000 characters in one paragraph
    chunks = split_text(text)
    assert len(chunks) >= 3
    assert all(len(escape(c)) <= MAX_SECTION_TEXT for c in chunks)
    assert all(c.endswith("。") for c in chunks)
    assert "".join(chunks) == text


def test_splitting_prefers_paragraphs_and_measures_escaped_length() -> None:
    para = "A&B。" * 300  # 1,500 characters, 2,700 once escaped
    chunks = split_text(f"{para}\n\n{para}")
    assert chunks == [para, para]
    assert all(len(escape(c)) <= MAX_SECTION_TEXT for c in chunks)


def test_a_dotted_section_number_is_not_a_sentence_end() -> None:
    text = ("See 2.3.1 and 1.3 for details. " * 200).strip()
    chunks = split_text(text, limit=500)
    assert all(c.endswith("details.") for c in chunks)


def test_a_sentence_longer_than_the_limit_is_cut_as_a_last_resort() -> None:
    chunks = split_text("あ" * 7000)
    assert [len(c) for c in chunks] == [3000, 3000, 1000]


def test_many_blocks_are_trimmed_to_50_keeping_the_buttons() -> None:
    reply = Reply(
        title="長い",
        blocks=tuple(f"段落{i}。" for i in range(80)),
        fields=tuple(Field(f"f{i}", "v", inline=True) for i in range(25)),
        buttons=(Button("quiz:s:1:1", "1"), Button("quiz:s:1:2", "2")),
        pager=Pager(2, 5, "page:x:y:1", "page:x:y:3"),
    )
    blocks = render_blocks(reply, LABELS)
    assert len(blocks) == MAX_BLOCKS
    assert blocks[0]["type"] == "header"
    assert {"type": "mrkdwn", "text": "（省略）", "verbatim": True} in [
        e for b in blocks if b["type"] == "context" for e in b["elements"]
    ]
    actions = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["quiz:s:1:1", "quiz:s:1:2", "page:x:y:1", "page:x:y:3"]


def test_fields_hold_ten_per_section_and_2000_characters_each() -> None:
    reply = Reply(fields=tuple(Field(f"名前{i}", "値" * 2500, inline=True) for i in range(23)))
    blocks = render_blocks(reply, LABELS)
    assert [len(b["fields"]) for b in blocks] == [10, 10, 3]
    assert all(len(f["text"]) <= MAX_FIELD_TEXT for b in blocks for f in b["fields"])
    assert blocks[0]["fields"][0]["text"].startswith("*名前0*\n値")


def test_a_wide_field_gets_its_own_section() -> None:
    reply = Reply(
        fields=(
            Field("a", "1", inline=True),
            Field("説明", "長い説明"),
            Field("b", "2", inline=True),
        )
    )
    assert render_blocks(reply, LABELS) == [
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*a*\n1", "verbatim": True}]},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*説明*\n長い説明", "verbatim": True},
        },
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*b*\n2", "verbatim": True}]},
    ]


def test_header_and_button_text_are_clipped_to_slack_limits() -> None:
    reply = Reply(title="題" * 400, buttons=(Button("a", "長" * 100),))
    blocks = render_blocks(reply, LABELS)
    assert len(blocks[0]["text"]["text"]) == MAX_HEADER
    assert len(blocks[1]["elements"][0]["text"]["text"]) == 75


def test_buttons_25_per_actions_block_unique_ids_and_disabled_as_text() -> None:
    buttons = tuple(Button(f"quiz:s:1:{i}", str(i)) for i in range(30))
    buttons += (Button("quiz:s:1:0", "dup"), Button("quiz:s:1:99", "正解", disabled=True))
    blocks = render_blocks(Reply(blocks=("q",), buttons=buttons), LABELS)
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(b["elements"]) for b in actions] == [25, 5]
    ids = [e["action_id"] for b in actions for e in b["elements"]]
    assert len(ids) == len(set(ids)) == 30
    assert {"type": "mrkdwn", "text": "[正解]", "verbatim": True} in blocks[1]["elements"]


def test_error_tone_without_title_marks_the_text_and_fallback() -> None:
    message = render_message(Reply(blocks=("節が見つかりません",), tone=Tone.ERROR), LABELS)
    assert message["text"] == "❗ 節が見つかりません"
    assert message["blocks"][0]["text"]["text"] == "❗ 節が見つかりません"


def test_an_empty_reply_still_has_a_block() -> None:
    message = render_message(Reply(), LABELS)
    assert message["blocks"] and message["text"]


def test_home_view_holds_100_blocks_and_remembers_the_dm() -> None:
    reply = Reply(
        title="あなたの読書会",
        fields=(Field("#study", "5 / 18 日目"), Field("得点", "120")),
        blocks=tuple(f"行{i}" for i in range(150)),
        buttons=(Button("home:quiz", "クイズ"), Button("home:excerpt", "今日の抜粋")),
    )
    view = render_home(reply, LABELS, dm_channel="D0ALICE")
    assert view["type"] == "home" and view["private_metadata"] == "D0ALICE"
    assert len(view["blocks"]) == MAX_HOME_BLOCKS
    assert view["blocks"][-1]["elements"][0]["action_id"] == "home:quiz"
    json.dumps(view)  # serialisable as sent


def test_labels_come_from_the_catalog_in_both_languages(slack_catalog: Catalog) -> None:
    catalog = slack_catalog
    for lang in ("ja", "en"):
        labels = Labels.from_catalog(catalog, lang)
        assert "slack." not in labels.prev + labels.next + labels.trimmed
        assert labels.page.format(page=1, pages=2)
