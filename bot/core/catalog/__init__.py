"""Every user-facing string, in Japanese (default) and English.

Strings live in `bot/core/catalog/<lang>/*.yaml` as flat `key: template` maps; the files
of one language are merged, so each area (core, schedule, discord, slack) keeps its own
file. Templates use `str.format` fields. A test fails if a key is missing in a language.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from string import Formatter
from typing import Any

import yaml

LANGUAGES: tuple[str, ...] = ("ja", "en")
DEFAULT_LANGUAGE = "ja"


def language_of(locale: str | None) -> str | None:
    """The catalog language for a platform locale (`en-US` → `en`), or None if unsupported."""
    if not locale:
        return None
    base = locale.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


class Catalog:
    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        self._messages = {lang: dict(m) for lang, m in messages.items()}

    @classmethod
    def load(cls) -> Catalog:
        messages: dict[str, dict[str, str]] = {}
        root = resources.files("bot.core.catalog")
        for lang in LANGUAGES:
            merged: dict[str, str] = {}
            folder = root / lang
            for entry in sorted(folder.iterdir(), key=lambda e: e.name):
                if not entry.name.endswith(".yaml"):
                    continue
                data = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
                for key, value in data.items():
                    if key in merged:
                        raise ValueError(f"catalog {lang}/{entry.name}: duplicate key {key}")
                    merged[str(key)] = str(value)
            messages[lang] = merged
        return cls(messages)

    def keys(self, lang: str) -> frozenset[str]:
        return frozenset(self._messages.get(lang, {}))

    def fields(self, lang: str, key: str) -> frozenset[str]:
        template = self._messages[lang][key]
        return frozenset(f for _, f, _, _ in Formatter().parse(template) if f)

    def text(self, key: str, lang: str = DEFAULT_LANGUAGE, /, **values: Any) -> str:
        table = self._messages.get(lang) or self._messages[DEFAULT_LANGUAGE]
        template = table.get(key)
        if template is None:
            template = self._messages[DEFAULT_LANGUAGE].get(key)
        if template is None:
            # A missing key is a bug the catalog test catches; never crash a user's command on it.
            return key
        return template.format(**values) if values else template

    def has(self, key: str) -> bool:
        return all(key in self._messages.get(lang, {}) for lang in LANGUAGES)
