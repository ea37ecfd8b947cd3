"""discord.py's translator backed by our catalog: command descriptions in ja and en.

A string is translatable when it was made with `catalog_str(catalog, key, lang)`: its
default text is the catalog text in the bot's default language, and `key` travels in the
`locale_str` extras, so Discord gets the other languages as localizations at sync time.
"""

from __future__ import annotations

from discord import Locale
from discord.app_commands import TranslationContextTypes, Translator, locale_str

from bot.core.catalog import Catalog, language_of

# Discord's limit for command, option and choice descriptions and names.
MAX_LOCALIZED = 100


def _fit(text: str) -> str:
    return text if len(text) <= MAX_LOCALIZED else text[: MAX_LOCALIZED - 1] + "…"


def catalog_str(catalog: Catalog, key: str, lang: str) -> locale_str:
    return locale_str(_fit(catalog.text(key, lang)), key=key)


class CatalogTranslator(Translator):
    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    async def translate(
        self, string: locale_str, locale: Locale, context: TranslationContextTypes
    ) -> str | None:
        key = string.extras.get("key")
        lang = language_of(locale.value)
        if not isinstance(key, str) or lang is None or key not in self._catalog.keys(lang):
            return None
        return _fit(self._catalog.text(key, lang))
