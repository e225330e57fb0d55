"""Fires due adapter sources: APScheduler 3 ticks in the app process (or in ``kaoping worker``);
it also runs the plugins' periodic housekeeping tasks (``kaoping_periodic_tasks``) and, when
``KAOPING_BACKUP_DIR`` is set, the scheduled backups (``KAOPING_BACKUP_CRON``, see ``core.backup``).

Each tick reads the sources whose ``next_run_at`` has come and, for each, moves it to the next
firing with a conditional UPDATE (``core.services.adapters.start_run``): of several instances
over one database, only the one whose UPDATE changed the row runs it. Runs go to a small
thread pool so a slow source does not hold up the others; a source still running is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import col, select

from core.context import AppContext
from core.models import AdapterSource
from core.models.base import utcnow
from core.services.adapters import execute_run, next_fire, start_run

log = logging.getLogger("kaoping.scheduler")

# Sources looked at per tick (the rest wait for the next tick).
DUE_PER_TICK = 100


@dataclass(frozen=True)
class PeriodicTask:
    """A housekeeping task a plugin runs in the background (hook ``kaoping_periodic_tasks``)."""

    name: str
    every_seconds: float
    run: Callable[[AppContext], object]


def fire_due(
    ctx: AppContext, now: datetime | None = None, submit: Callable[[Callable[[], object]], object] | None = None
) -> list[int]:
    """Claim every due source this instance wins and start its run; return the run ids.

    ``submit(work)`` runs a run (e.g. a thread pool's ``submit``); by default it runs here.
    """
    now = now or utcnow()
    with ctx.db.read() as session:
        due = session.exec(
            select(AdapterSource.id, AdapterSource.next_run_at, AdapterSource.schedule)
            .where(
                AdapterSource.enabled == True,  # noqa: E712 - SQL expression
                col(AdapterSource.next_run_at).is_not(None),
                col(AdapterSource.next_run_at) <= now,
            )
            .order_by(col(AdapterSource.next_run_at))
            .limit(DUE_PER_TICK)
        ).all()
    started = []
    for source_id, due_at, schedule in due:
        # The next firing after now: firings missed while no instance ran are not made up.
        next_at = next_fire(schedule, ctx.settings.timezone, now)
        run_id = start_run(ctx, source_id, "schedule", due_at=due_at, next_at=next_at)
        if run_id is None:
            continue
        started.append(run_id)
        if submit is None:
            execute_run(ctx, run_id)
        else:
            submit(lambda rid=run_id: execute_run(ctx, rid))
    return started


def periodic_tasks() -> list[PeriodicTask]:
    from core.plugins import get_plugin_manager
    from core.services.people_slips import purge_expired as purge_activation_codes
    from core.services.signins import prune as prune_sign_ins

    core_tasks = [
        PeriodicTask(name="prune-sign-in-log", every_seconds=3600, run=prune_sign_ins),
        PeriodicTask(name="purge-expired-activation-codes", every_seconds=600, run=purge_activation_codes),
    ]
    return core_tasks + [task for tasks in get_plugin_manager().hook.kaoping_periodic_tasks() for task in tasks]


class AdapterScheduler:
    def __init__(self, ctx: AppContext, *, tick_seconds: float | None = None, max_workers: int = 4):
        self.ctx = ctx
        self.tick_seconds = tick_seconds or ctx.settings.scheduler_tick_seconds
        self.pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="kaoping-adapter")
        self.scheduler = BackgroundScheduler(timezone=ctx.settings.timezone)
        self.running: set[Future] = set()

    def _submit(self, work: Callable[[], object]) -> None:
        future = self.pool.submit(work)
        self.running.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future) -> None:
        self.running.discard(future)
        if future.exception() is not None:
            log.error("an adapter run failed outside its own error handling", exc_info=future.exception())

    def tick(self) -> None:
        try:
            fire_due(self.ctx, submit=lambda work: self._submit(work))
        except Exception:  # the database may be away for a moment; the next tick tries again
            log.exception("looking for due adapter sources failed")

    def start(self) -> None:
        self.scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.tick_seconds,
            id="kaoping-adapter-tick",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(self.scheduler.timezone),
        )
        for task in periodic_tasks():
            self.scheduler.add_job(
                self._run_task,
                "interval",
                args=[task],
                seconds=task.every_seconds,
                id=f"kaoping-task-{task.name}",
                max_instances=1,
                coalesce=True,
            )
        if self.ctx.settings.backup_dir is not None:
            from apscheduler.triggers.cron import CronTrigger

            trigger = CronTrigger.from_crontab(self.ctx.settings.backup_cron, timezone=self.ctx.settings.timezone)
            self.scheduler.add_job(
                self._backup, trigger, id="kaoping-backup", max_instances=1, coalesce=True, misfire_grace_time=600
            )
        self.scheduler.start()
        log.info("adapter scheduler started: looking for due sources every %s s", self.tick_seconds)

    def _run_task(self, task: PeriodicTask) -> None:
        try:
            task.run(self.ctx)
        except Exception:  # logged; the task runs again at its next interval
            log.exception("the periodic task %s failed", task.name)

    def _backup(self) -> None:
        from core.backup import scheduled_backup

        try:
            scheduled_backup(self.ctx)
        except Exception:  # logged; the next firing tries again
            log.exception("the scheduled backup into %s failed", self.ctx.settings.backup_dir)

    def shutdown(self, wait: bool = True) -> None:
        """Stop ticking; with ``wait``, let started runs finish (their claims are released)."""
        self.scheduler.shutdown(wait=wait)
        self.pool.shutdown(wait=wait)
