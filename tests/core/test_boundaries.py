"""The core knows nothing of Discord or Slack: only adapters import them."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
PLATFORM_LIBS = ("discord", "slack_bolt", "slack_sdk", "aiohttp")
NEUTRAL = ("content", "core", "services", "scheduling", "storage")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_neutral_layers_import_no_platform_library() -> None:
    offenders = []
    for layer in NEUTRAL:
        for path in (BOT / layer).rglob("*.py"):
            for name in imported_modules(path):
                if name.split(".")[0] in PLATFORM_LIBS or name.startswith("bot.adapters"):
                    offenders.append(f"{path.relative_to(BOT)} imports {name}")
    assert not offenders


def test_only_scheduling_imports_apscheduler() -> None:
    offenders = [
        str(path.relative_to(BOT))
        for path in BOT.rglob("*.py")
        if path.relative_to(BOT).parts[0] != "scheduling"
        and any(n.split(".")[0] == "apscheduler" for n in imported_modules(path))
    ]
    assert not offenders
