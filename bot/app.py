"""The composition root: the one place that builds store, clock, content, services, adapters."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.content.loader import load_library
from bot.content.models import Library
from bot.core.catalog import Catalog
from bot.core.clock import Clock, SystemClock
from bot.core.router import Router
from bot.core.transport import Transport
from bot.scheduling import DailyPoster, Scheduler
from bot.services.schedules import ScheduleService
from bot.storage.database import Database
from bot.storage.positions import SqlitePositionStore
from bot.storage.quizzes import SqliteQuizStore
from bot.storage.settings import SqliteChannelSettingsStore
from bot.storage.subscriptions import SqliteSubscriptionStore


def resolve_content_dir(settings: Settings) -> Path:
    """The content directory: as configured, else the repository's own `content/`."""
    configured = settings.bot.content_dir
    if configured.is_dir():
        return configured
    bundled = Path(__file__).resolve().parent.parent / "content"
    return bundled if not configured.is_absolute() and bundled.is_dir() else configured


def build_core(
    settings: Settings,
    *,
    clock: Clock | None = None,
    library: Library | None = None,
    catalog: Catalog | None = None,
    fire_jobs: bool = True,
) -> Router:
    clock = clock or SystemClock()
    catalog = catalog or Catalog.load()
    library = library or load_library(resolve_content_dir(settings))
    db = Database(settings.bot.database_path)
    transports: dict[str, Transport] = {}
    positions = SqlitePositionStore(db)
    router = Router(
        settings=settings,
        library=library,
        catalog=catalog,
        clock=clock,
        quiz_repo=SqliteQuizStore(db),
        positions=positions,
        channel_settings=SqliteChannelSettingsStore(db),
        transports=transports,
        on_close=db.close,
    )
    subscriptions = SqliteSubscriptionStore(db)
    poster = DailyPoster(
        subscriptions,
        positions,
        library,
        settings,
        catalog,
        clock,
        transports,
        language=lambda channel: router.language(channel, None),
    )
    # Jobs exist from the start (so `schedule set` can register one at once), but no timer
    # fires until `studybot run` starts the scheduler.
    scheduler = Scheduler(subscriptions, poster, settings, clock, fire_jobs=fire_jobs)
    router.schedule = ScheduleService(
        subscriptions=subscriptions,
        positions=positions,
        poster=poster,
        scheduler=scheduler,
        library=library,
        settings=settings,
        catalog=catalog,
        clock=clock,
    )
    router.scheduler = scheduler
    router.reading.subscriptions = subscriptions
    return router
