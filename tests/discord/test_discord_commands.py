"""The command set as Discord sees it: catalog keys, localizations, arguments, invite URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import discord
import pytest
from discord import app_commands

from bot.adapters.discord import invite_url, required_permissions
from bot.adapters.discord.slash import catalog_keys, join_args
from bot.adapters.discord.translator import CatalogTranslator, catalog_str
from bot.core.catalog import Catalog
from bot.core.commands import command_spec


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_every_command_text_exists_in_both_languages(catalog: Catalog) -> None:
    missing = sorted(k for k in catalog_keys() if not catalog.has(k))
    assert missing == []


def test_every_command_text_fits_discord(catalog: Catalog) -> None:
    for key in catalog_keys():
        for lang in ("ja", "en"):
            assert 1 <= len(catalog.text(key, lang)) <= 100, (key, lang)


async def test_the_translator_serves_ja_and_en_only(catalog: Catalog) -> None:
    translator = CatalogTranslator(catalog)
    text = catalog_str(catalog, "command.quiz.description", "ja")
    context: app_commands.TranslationContextTypes = app_commands.TranslationContext(
        app_commands.TranslationContextLocation.other, None
    )
    assert text.message == catalog.text("command.quiz.description", "ja")
    english = await translator.translate(text, discord.Locale.british_english, context)
    assert english == catalog.text("command.quiz.description", "en")
    assert await translator.translate(text, discord.Locale.french, context) is None
    plain = app_commands.locale_str("quiz")
    assert await translator.translate(plain, discord.Locale.japanese, context) is None


def test_arguments_read_as_typed() -> None:
    quiz = command_spec("quiz")
    assert quiz is not None
    options = quiz.options
    assert join_args(options, {"section": "1.3", "count": 5, "mode": "group"}, ()) == (
        "1.3 group count=5"
    )
    assert join_args(options, {"count": 2, "mode": "solo"}, ()) == "solo count=2"
    # A count on its own is never read as a section number.
    assert join_args(options, {"count": 1}, ()) == "count=1"
    assert join_args(options, {"section": "第２部 ３（１）", "mode": "solo"}, ()) == (
        "第２部３（１） solo"
    )
    section = command_spec("section")
    assert section is not None
    assert join_args(section.options, {"ref": " 第２部 ３（１） "}, ()) == "第２部 ３（１）"
    schedule = command_spec("schedule")
    assert schedule is not None
    set_ = schedule.subcommands[0]
    values = {"time": "07:30", "timezone": None, "days": "mon, wed"}
    assert join_args(set_.options, values, ("set",)) == "set 07:30 mon, wed"
    assert join_args((), {}, ("show",)) == "show"


def test_the_invite_asks_for_the_least_permissions() -> None:
    url = invite_url(123456789012345678)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "discord.com", "/oauth2/authorize")
    assert query["client_id"] == ["123456789012345678"]
    assert query["scope"] == ["bot applications.commands"]
    granted = discord.Permissions(int(query["permissions"][0]))
    assert granted == required_permissions()
    assert {name for name, on in granted if on} == {
        "send_messages",
        "embed_links",
        "create_public_threads",
        "send_messages_in_threads",
        "read_message_history",
    }
    assert query["permissions"] == ["309237729280"]
    with pytest.raises(ValueError):
        invite_url(0)
