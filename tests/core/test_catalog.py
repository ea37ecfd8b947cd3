"""Every user-facing string exists in Japanese and English, with the same fields."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.catalog import LANGUAGES, Catalog
from bot.core.commands import COMMANDS

BOT = Path(__file__).resolve().parents[2] / "bot"
KEY_USE = re.compile(r"""(?:\.text|\bt)\(\s*["']([a-z_]+(?:\.[a-z_0-9]+)+)["']""")


def test_both_languages_have_the_same_keys_and_fields() -> None:
    catalog = Catalog.load()
    ja, en = catalog.keys("ja"), catalog.keys("en")
    assert ja - en == set(), f"missing in en: {sorted(ja - en)}"
    assert en - ja == set(), f"missing in ja: {sorted(en - ja)}"
    for key in ja:
        assert catalog.fields("ja", key) == catalog.fields("en", key), key


def test_every_key_used_in_code_exists() -> None:
    catalog = Catalog.load()
    missing = set()
    for path in BOT.rglob("*.py"):
        for key in KEY_USE.findall(path.read_text(encoding="utf-8")):
            if not catalog.has(key):
                missing.add(f"{path.relative_to(BOT)}: {key}")
    assert not missing, sorted(missing)


def test_every_command_is_described_in_both_languages() -> None:
    catalog = Catalog.load()
    for spec in COMMANDS:
        assert catalog.has(f"command.{spec.name}.description")
        assert catalog.has(f"command.{spec.name}.usage")
        for option in spec.options:
            assert catalog.has(f"command.{spec.name}.option.{option.name}"), option.name
        for sub in spec.subcommands:
            assert catalog.has(f"command.{spec.name}.{sub.name}.description")
            for option in sub.options:
                assert catalog.has(f"command.{spec.name}.{sub.name}.option.{option.name}")


def test_japanese_is_the_default_and_english_differs() -> None:
    catalog = Catalog.load()
    assert catalog.text("help.title") == catalog.text("help.title", "ja")
    for lang in LANGUAGES:
        assert catalog.text("help.title", lang)
    assert catalog.text("help.title", "ja") != catalog.text("help.title", "en")
