"""Golden tests of the renderer: Reply → the JSON bodies Discord receives, limits held."""

from __future__ import annotations

from typing import Any

from bot.adapters.discord.render import (
    EPHEMERAL,
    MAX_CONTENT,
    MAX_DESCRIPTION,
    MAX_EMBED_TOTAL,
    embed_size,
    render_reply,
    render_single,
    render_text,
    split_text,
    thread_name,
)
from bot.core.reply import Button, ButtonStyle, Citation, Field, Pager, Reply, Tone

SENTENCE = "日本の防衛政策は、同盟と外交の両輪で考える必要があると論文は述べる。"


def ids(payload: dict[str, Any]) -> list[list[str]]:
    return [[b["custom_id"] for b in row["components"]] for row in payload["components"]]


def test_a_small_reply_renders_exactly() -> None:
    reply = Reply(
        title="第２部 ３（１） 地位協定",
        blocks=("一つ目。", "二つ目。"),
        fields=(Field("読み", "ちいきょうてい", inline=True),),
        citation=Citation("第２部 ３（１）", "地位協定", "ND 2025"),
        buttons=(
            Button("quiz:1:0:0", "○ 正しい", ButtonStyle.SUCCESS),
            Button("quiz:1:0:1", "× 誤り", ButtonStyle.DANGER),
        ),
        pager=Pager(2, 3, "page:section:2.3.1:1", "page:section:2.3.1:3"),
        footer="難易度 ★",
        tone=Tone.QUIZ,
        ephemeral=True,
    )
    assert render_reply(reply) == [
        {
            "embeds": [
                {
                    "color": 0x8B5CF6,
                    "title": "第２部 ３（１） 地位協定",
                    "description": "一つ目。\n\n二つ目。",
                    "fields": [{"name": "読み", "value": "ちいきょうてい", "inline": True}],
                    "footer": {"text": "ND 2025 第２部 ３（１） 地位協定 · 難易度 ★ · 2/3"},
                }
            ],
            "components": [
                {
                    "type": 1,
                    "components": [
                        {
                            "type": 2,
                            "style": 3,
                            "label": "○ 正しい",
                            "custom_id": "quiz:1:0:0",
                            "disabled": False,
                        },
                        {
                            "type": 2,
                            "style": 4,
                            "label": "× 誤り",
                            "custom_id": "quiz:1:0:1",
                            "disabled": False,
                        },
                    ],
                },
                {
                    "type": 1,
                    "components": [
                        {
                            "type": 2,
                            "style": 2,
                            "label": "◀",
                            "custom_id": "page:section:2.3.1:1",
                            "disabled": False,
                        },
                        {
                            "type": 2,
                            "style": 2,
                            "label": "▶",
                            "custom_id": "page:section:2.3.1:3",
                            "disabled": False,
                        },
                    ],
                },
            ],
            "allowed_mentions": {"parse": []},
            "flags": EPHEMERAL,
        }
    ]


def test_text_is_plain_text_never_markdown() -> None:
    (payload,) = render_reply(Reply(blocks=("# 見出し *強調* @everyone",)))
    assert payload["embeds"][0]["description"] == "\\# 見出し \\*強調\\* @everyone"
    assert payload["allowed_mentions"] == {"parse": []}
    assert "flags" not in payload


def test_long_text_splits_between_sentences_into_several_messages() -> None:
    paragraphs = tuple(SENTENCE * 12 for _ in range(40))  # about 17,000 characters
    payloads = render_reply(
        Reply(title="長文", blocks=paragraphs, buttons=(Button("nav:d:1", "1"),))
    )
    assert len(payloads) >= 3
    seen = ""
    for payload in payloads:
        assert len(payload["embeds"]) <= 10
        assert sum(embed_size(e) for e in payload["embeds"]) <= MAX_EMBED_TOTAL
        for e in payload["embeds"]:
            assert len(e["description"]) <= MAX_DESCRIPTION
            assert e["description"].endswith("。")
            seen += e["description"]
    assert seen.replace("\n", "") == "".join(paragraphs)
    assert payloads[0]["embeds"][0]["title"] == "長文"
    assert [bool(p["components"]) for p in payloads] == [False] * (len(payloads) - 1) + [True]


def test_one_paragraph_longer_than_an_embed_splits_between_sentences() -> None:
    text = SENTENCE * 200  # one paragraph, about 7,000 characters
    chunks = split_text(text, MAX_DESCRIPTION)
    assert len(chunks) == 2 and "".join(chunks) == text
    assert all(len(c) <= MAX_DESCRIPTION and c.endswith("。") for c in chunks)


def test_closing_brackets_stay_with_their_sentence() -> None:
    text = "彼は「そうだ。」と言った。次の文。"
    assert split_text(text, 10) == ["彼は「そうだ。」", "と言った。次の文。"]


def test_a_sentence_longer_than_an_embed_is_cut_at_a_comma_or_hard() -> None:
    commas = "あ" * 3000 + "、" + "い" * 3000
    assert split_text(commas, MAX_DESCRIPTION) == ["あ" * 3000 + "、", "い" * 3000]
    solid = "あ" * 9000
    chunks = split_text(solid, MAX_DESCRIPTION)
    assert [len(c) for c in chunks] == [4096, 4096, 808]


def test_more_than_25_fields_go_on_into_another_embed() -> None:
    fields = tuple(Field(f"名前{i}", f"値{i}") for i in range(30))
    (payload,) = render_reply(Reply(title="多い", fields=fields, footer="足"))
    first, second = payload["embeds"]
    assert len(first["fields"]) == 25 and len(second["fields"]) == 5
    assert "footer" not in first and second["footer"] == {"text": "足"}


def test_field_and_title_limits() -> None:
    reply = Reply(
        title="題" * 300,
        fields=(Field("名" * 300, SENTENCE * 40), Field("", "")),
    )
    (payload,) = render_reply(reply)
    e = payload["embeds"][0]
    assert len(e["title"]) == 256 and e["title"].endswith("…")
    big, empty = e["fields"]
    assert len(big["name"]) == 256
    assert len(big["value"]) <= 1024 and big["value"].endswith("。…")
    assert empty["name"] and empty["value"]  # Discord rejects empty ones


def test_buttons_fill_five_rows_of_five_at_most() -> None:
    many = tuple(Button(f"nav:d:{i}", f"{i}") for i in range(30))
    (payload,) = render_reply(Reply(blocks=("x",), buttons=many))
    assert [len(r) for r in ids(payload)] == [5, 5, 5, 5, 5]
    pager = Pager(1, 4, None, "page:search:t:2")
    (paged,) = render_reply(Reply(blocks=("x",), buttons=many, pager=pager))
    rows = ids(paged)
    assert [len(r) for r in rows] == [5, 5, 5, 5, 2]
    assert rows[-1] == ["noop:prev", "page:search:t:2"]
    assert paged["components"][-1]["components"][0]["disabled"]


def test_unusable_custom_ids_are_dropped_and_labels_clipped() -> None:
    buttons = (
        Button("nav:d:" + "x" * 100, "long id"),
        Button("nav:d:1", "ok"),
        Button("nav:d:1", "duplicate"),
        Button("nav:d:2", "ラベル" * 40),
    )
    (payload,) = render_reply(Reply(blocks=("x",), buttons=buttons))
    assert ids(payload) == [["nav:d:1", "nav:d:2"]]
    label = payload["components"][0]["components"][1]["label"]
    assert len(label) == 80 and label.endswith("…")


def test_a_single_page_pager_shows_no_buttons() -> None:
    (payload,) = render_reply(Reply(blocks=("x",), pager=Pager(1, 1)))
    assert payload["components"] == []
    assert "footer" not in payload["embeds"][0]


def test_an_edit_fits_one_message() -> None:
    reply = Reply(title="結果", blocks=(SENTENCE * 300,), fields=(Field("正解者", "Bob"),))
    payload = render_single(reply)
    embeds = payload["embeds"]
    assert sum(embed_size(e) for e in embeds) <= MAX_EMBED_TOTAL
    description = embeds[0]["description"]
    assert len(description) <= MAX_DESCRIPTION and description.endswith("。…")
    assert embeds[0]["fields"] == [{"name": "正解者", "value": "Bob", "inline": False}]
    short = Reply(title="結果", blocks=("短い。",))
    assert render_single(short) == render_reply(short)[0]


def test_an_empty_reply_still_renders_a_valid_embed() -> None:
    (payload,) = render_reply(Reply())
    assert payload["embeds"][0]["description"]


def test_plain_content_keeps_to_2000_characters() -> None:
    payloads = render_text(SENTENCE * 100)
    assert len(payloads) == 2
    assert all(len(p["content"]) <= MAX_CONTENT and p["content"].endswith("。") for p in payloads)
    assert all(p["allowed_mentions"] == {"parse": []} for p in payloads)


def test_thread_names_fit() -> None:
    assert len(thread_name("議" * 150)) == 100
    assert thread_name("  1日目\n第１部  ") == "1日目 第１部"
