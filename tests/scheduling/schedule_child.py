"""A separate bot process for the crash and two-process tests (run with sys.executable).

schedule_child.py crash DB NOW   claim the due post, then SIGKILL itself before sending
schedule_child.py post DB NOW OUT  recover + run every due post; append message ids to OUT
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scheduling_support import FakeTransport, make_world


def _die() -> None:
    # The claim is committed; the process dies before the platform sees anything.
    os.kill(os.getpid(), signal.SIGKILL)


async def main(mode: str, db: str, now: str) -> list[str]:
    transport = FakeTransport(
        before_send=_die if mode == "crash" else None, prefix=f"p{os.getpid()}-"
    )
    world = make_world(db, datetime.fromisoformat(now), transport=transport)
    try:
        if mode == "post":
            await world.poster.recover()
        for sub in world.subs.list():
            await world.poster.run_due(sub.id)
    finally:
        world.close()
    return [post.message_id for post in transport.posts]


if __name__ == "__main__":
    args = sys.argv[1:]
    posted = asyncio.run(main(args[0], args[1], args[2]))
    if len(args) > 3:
        with open(args[3], "a", encoding="utf-8") as f:
            f.writelines(message_id + "\n" for message_id in posted)
