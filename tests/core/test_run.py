"""`studybot run` as a service: console fallback, clean shutdown, one daily post per day.

These start real processes and use the real clock: the daily post test waits for the
next whole minute, as a user would (about a minute of wall time).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from queue import Empty, Queue
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[2]
STARTED = "コンソールで起動しました"
EXCERPT = "今日の抜粋（1日目"


class Service:
    def __init__(self, tmp: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "SLACK"))}
        env["PYTHONUNBUFFERED"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(tmp / "config.toml")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=tmp,
            env=env,
        )
        self.lines: Queue[str] = Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except Empty:
                if self.proc.poll() is not None:
                    return False
                continue
            self.seen.append(line)
            if text in line:
                return True
        return False

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return "".join(self.seen)


def write_config(tmp: Path) -> None:
    (tmp / "config.toml").write_text(
        f'[bot]\ndata_dir = "{tmp / "data"}"\ncontent_dir = "{REPO / "content"}"\n',
        encoding="utf-8",
    )


def console(tmp: Path, script: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--config", str(tmp / "config.toml")],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_runs_on_the_console_until_sigterm_even_with_stdin_closed(tmp_path: Path) -> None:
    write_config(tmp_path)
    service = Service(tmp_path)
    assert service.wait_for(STARTED, 60), "".join(service.seen)
    assert service.proc.poll() is None  # stdin is closed, and it still serves
    out = service.stop()
    assert service.proc.returncode == 0
    assert "停止しました。" in out
    assert "Traceback" not in out
    assert (tmp_path / "data" / "studybot.sqlite3").exists()


def test_scheduled_minute_posts_once_and_a_restart_does_not_repost(tmp_path: Path) -> None:
    write_config(tmp_path)
    tokyo = datetime.now(ZoneInfo("Asia/Tokyo"))
    # The next whole minute, with a margin so the schedule is set before it arrives.
    at = (tokyo + timedelta(minutes=2 if tokyo.second > 45 else 1)).replace(second=0)
    shown = console(tmp_path, f"/schedule set {at:%H:%M} Asia/Tokyo\n/schedule show\n")
    assert f"{at:%H:%M}" in shown and "Asia/Tokyo" in shown

    first = Service(tmp_path)
    assert first.wait_for(STARTED, 60), "".join(first.seen)
    assert first.wait_for(EXCERPT, 150), "".join(first.seen)
    out = first.stop()
    assert out.count(EXCERPT) == 1
    assert "遅れて" not in out  # it went out on time

    second = Service(tmp_path)
    # The start line is printed after recovery has run: anything owed would be posted by now.
    assert second.wait_for(STARTED, 60), "".join(second.seen)
    again = second.stop()
    assert EXCERPT not in again and "今日の抜粋" not in again
    assert "次は 2 日目" in console(tmp_path, "/schedule show\n")
