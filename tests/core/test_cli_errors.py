"""Bad input to the command line gets a precise message and an exit code, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def studybot(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def test_broken_content_names_file_and_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO / "content" / "nd-2025-05", content / "nd-2025-05")
    glossary = content / "nd-2025-05" / "glossary.yaml"
    lines = glossary.read_text(encoding="utf-8").splitlines()
    lines[4] = "  - id: [broken"
    glossary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text(
        f'[bot]\ncontent_dir = "{content}"\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8"
    )
    result = studybot("console", "--config", "config.toml", cwd=tmp_path, stdin="/toc\n")
    assert result.returncode == 1
    assert "glossary.yaml:5:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_unusable_data_dir_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    (tmp_path / "config.toml").write_text(
        f'[bot]\ncontent_dir = "{REPO / "content"}"\ndata_dir = "{blocker / "data"}"\n',
        encoding="utf-8",
    )
    result = studybot("console", "--config", "config.toml", cwd=tmp_path, stdin="/toc\n")
    assert result.returncode == 1
    assert "cannot open database" in result.stderr and str(blocker) in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_config_and_bad_key(tmp_path: Path) -> None:
    missing = studybot("run", "--config", "nope.toml", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.toml: file not found" in missing.stderr
    (tmp_path / "bad.toml").write_text("[quiz]\npoints = 'ten'\n", encoding="utf-8")
    bad = studybot("run", "--config", "bad.toml", cwd=tmp_path)
    assert bad.returncode == 2 and "[quiz] points: must be an integer" in bad.stderr
    assert "Traceback" not in missing.stderr + bad.stderr
