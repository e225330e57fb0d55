"""Runs of adapter sources: claim, fetch with retries, map, write in one transaction, record the
run and tell the plugins. See ``core.services.adapters``."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import or_, update
from sqlmodel import Session, col, select
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from core.adapters import (
    MAX_RECORDS,
    AdapterContext,
    AdapterFault,
    Fetched,
    PermanentFault,
    TargetRun,
    TransientFault,
)
from core.context import Actor, AppContext
from core.models import AdapterRun, AdapterSource, RunStatus
from core.models.base import utcnow
from core.schemas.adapters import AdapterRunOut, Mapping, Retry
from core.services.access import OFFICE_ROLES, require_role
from core.services.adapters.mapping import Mapped, map_records, target_of
from core.services.adapters.reach import _prepare
from core.services.adapters.sources import MAX_REJECTED_KEPT, STALE_AFTER, _source_row, log, run_out
from core.services.campaigns import as_utc
from core.services.errors import Conflict, Invalid
from core.services.plugins import hooks_for
from core.services.values import Origin, upsert_values

RUNNER = f"{socket.gethostname()}:{os.getpid()}"[:100]


def start_run(
    ctx: AppContext, source_id: int, trigger: str, *, due_at: datetime | None = None, next_at: datetime | None = None
) -> int | None:
    """Claim the source and record a new run; return its id.

    For a scheduled firing (``due_at`` given), first move ``next_run_at`` from ``due_at`` to
    ``next_at`` with a conditional UPDATE: only the instance whose UPDATE changes the row fires,
    the others return None. A source still running is not started again: a firing is then
    skipped (None), a manual run answers 409.
    """
    now = utcnow()
    with ctx.db.write() as session:
        if due_at is not None:
            fired = session.execute(
                update(AdapterSource)
                .where(
                    AdapterSource.id == source_id,
                    AdapterSource.next_run_at == due_at,
                    AdapterSource.enabled == True,  # noqa: E712 - SQL expression
                )
                .values(next_run_at=next_at)
            )
            if fired.rowcount != 1:
                return None
        claimed = session.execute(
            update(AdapterSource)
            .where(
                AdapterSource.id == source_id,
                or_(col(AdapterSource.running_since).is_(None), AdapterSource.running_since < now - STALE_AFTER),
            )
            .values(running_since=now)
        )
        if claimed.rowcount != 1:
            if due_at is not None:
                log.info("adapter source %s is still running: this firing is skipped", source_id)
                return None  # the moved next_run_at commits: the firing is consumed
            since = session.exec(select(AdapterSource.running_since).where(AdapterSource.id == source_id)).first()
            raise Conflict(
                f"adapter source {source_id} is already running (since {as_utc(since):%Y-%m-%d %H:%M:%S} UTC)"
                if since
                else f"no adapter source with id {source_id}"
            )
        source = session.get(AdapterSource, source_id)
        # Runs left 'running' by a process that died: they wrote nothing (one transaction).
        session.execute(
            update(AdapterRun)
            .where(
                AdapterRun.source_id == source_id,
                AdapterRun.status == RunStatus.running,
            )
            .values(status=RunStatus.failed, finished_at=now, error="abandoned: the process running it stopped")
        )
        run = AdapterRun(
            locality_id=source.locality_id,
            source_id=source_id,
            trigger=trigger,
            runner=RUNNER,
            status=RunStatus.running,
            started_at=now,
        )
        session.add(run)
        session.flush()
        return run.id


class _Attempts:
    def __init__(self) -> None:
        self.count = 0


def _fetch_with_retries(
    adapter: Any, options: BaseModel, context: AdapterContext, retry: Retry, attempts: _Attempts, source_label: str
) -> Fetched:
    backoff = wait_random_exponential(multiplier=retry.initial_seconds, max=retry.max_backoff_seconds)

    def wait(state: RetryCallState) -> float:
        fault = state.outcome.exception() if state.outcome else None
        retry_after = getattr(fault, "retry_after", None) or 0.0
        return max(backoff(state), min(float(retry_after), retry.max_seconds))

    def before_sleep(state: RetryCallState) -> None:
        fault = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s: attempt %d failed (%s); retrying in %.1f s",
            source_label,
            state.attempt_number,
            fault,
            state.next_action.sleep if state.next_action else 0.0,
        )

    retrying = Retrying(
        retry=retry_if_exception_type(TransientFault),
        stop=stop_after_attempt(retry.attempts) | stop_before_delay(retry.max_seconds),
        wait=wait,
        before_sleep=before_sleep,
        reraise=True,
    )
    for attempt in retrying:
        with attempt:
            attempts.count += 1
            fetched = adapter.fetch(options, context)
            if len(fetched.records) > MAX_RECORDS:
                raise PermanentFault(f"{len(fetched.records)} records: more than {MAX_RECORDS} in one run")
            return fetched
    raise AssertionError("unreachable")  # pragma: no cover - reraise=True


def _finish(session: Session, run_id: int, **outcome: Any) -> AdapterRun:
    """Record the run's outcome and release the source's claim, in the caller's transaction
    (a successful run's: the one that wrote its values); the run, detached."""
    run = session.get(AdapterRun, run_id)
    for key, value in outcome.items():
        setattr(run, key, value)
    run.finished_at = utcnow()
    session.add(run)
    session.execute(update(AdapterSource).where(AdapterSource.id == run.source_id).values(running_since=None))
    session.flush()
    session.refresh(run)
    session.expunge(run)
    return run


def execute_run(ctx: AppContext, run_id: int) -> AdapterRunOut:
    """Carry out a claimed run (see ``start_run``) to its end; never raises for the source's
    faults: they end up in the run."""
    attempts = _Attempts()
    fetched: Fetched | None = None
    with ctx.db.read() as session:
        run = session.get(AdapterRun, run_id)
        source = session.get(AdapterSource, run.source_id)
        session.expunge(source)
        label = f"adapter source {source.id} ({source.name})"
        try:
            adapter, options, context = _prepare(ctx, session, source)
        except AdapterFault as exc:
            return _failed(ctx, run_id, source, str(exc), attempts)
    try:
        fetched = _fetch_with_retries(
            adapter, options, context, Retry.model_validate(source.retry or {}), attempts, label
        )
    except TransientFault as exc:
        return _failed(
            ctx,
            run_id,
            source,
            f"gave up after {attempts.count} attempt(s): {exc}",
            attempts,
            on_failure=exc.on_failure,
        )
    except AdapterFault as exc:
        rejected = getattr(exc, "rejected", [])
        return _failed(
            ctx,
            run_id,
            source,
            str(exc),
            attempts,
            rows_rejected=len({r["where"] for r in rejected}),
            rejected=rejected,
            on_failure=exc.on_failure,
        )
    except Exception as exc:  # a bug in the adapter: fail the run, keep the trace in the log
        log.exception("%s: the adapter failed unexpectedly", label)
        return _failed(ctx, run_id, source, f"the adapter failed unexpectedly: {type(exc).__name__}: {exc}", attempts)

    records = fetched.records
    try:
        with ctx.db.write() as session:
            spec = Mapping.model_validate(source.mapping)
            if spec.target is not None:  # a plugin's record target instead of indicator values
                written = _to_target(ctx, session, source, spec, records, run_id, context.run_date)
            else:
                mapped = map_records(session, source.locality_id, source.mapping, records, context.run_date)
                if mapped.rejected:
                    raise _Rejected(mapped)
                written = upsert_values(
                    session,
                    source.locality_id,
                    mapped.rows,
                    source=f"adapter:{source.name}"[:100],
                    actor=Actor.system(f"adapter:{source.name}"),
                    max_rows=len(mapped.rows),
                    origin=Origin("adapter", run_id=run_id),
                )
            run = _finish(
                session,
                run_id,
                status=RunStatus.succeeded,
                attempts=attempts.count,
                rows_read=len(records),
                rows_written=written,
                rows_rejected=0,
            )
    except _Rejected as exc:
        reason = f"{exc.mapped.rejected_records} of {len(records)} records cannot be used; nothing was written"
        on_rejected, origins = fetched.on_rejected, exc.mapped.rejected_origins
        details = "\n".join(
            [reason, *(f"{r['where']}: {r['field']}: {r['message']}" for r in exc.mapped.rejected[:MAX_REJECTED_KEPT])]
        )
        return _failed(
            ctx,
            run_id,
            source,
            reason,
            attempts,
            fetched=fetched,
            rows_read=len(records),
            rows_rejected=exc.mapped.rejected_records,
            rejected=exc.mapped.rejected,
            on_failure=(lambda _why: on_rejected(details, origins)) if on_rejected else None,
        )
    except Invalid as exc:
        rejected = [
            {
                "where": mapped.wheres[e["index"]] if "index" in e else "",
                "field": e.get("field", ""),
                "message": e["message"],
            }
            for e in exc.errors
        ]
        return _failed(
            ctx,
            run_id,
            source,
            f"{exc.message}",
            attempts,
            fetched=fetched,
            rows_read=len(records),
            rows_rejected=len({r["where"] for r in rejected}),
            rejected=rejected,
        )
    if fetched.on_success is not None:
        try:
            fetched.on_success()
        except Exception:  # the values are in; the next run reads the same data again, harmlessly
            log.exception("%s: values written, but finishing on the source failed", label)
    log.info(
        "%s: run %d succeeded: %d records read, %d values written, %d attempt(s)",
        label,
        run.id,
        run.rows_read,
        run.rows_written,
        run.attempts,
    )
    _notify(ctx, source, run)
    return run_out(run)


def _to_target(
    ctx: AppContext, session: Session, source: AdapterSource, spec: Mapping, records: list, run_id: int, run_date
) -> int:
    """Hand the records to the mapping's record target (``core.adapters.RecordTarget``): the
    rows it wrote; ``_Rejected`` when it could not use some records (the caller rolls back)."""
    target, options = target_of(session, source.locality_id, spec)
    run = TargetRun(source.locality_id, source.id, source.name, run_id, run_date)
    result = target.write(ctx, session, options, records, run)
    if result.rejected:
        raise _Rejected(
            Mapped(
                rows=[],
                wheres=[],
                rejected=result.rejected,
                rejected_records=result.rejected_records or len({r["where"] for r in result.rejected}),
                rejected_origins=result.rejected_origins,
            )
        )
    return result.written


class _Rejected(Exception):
    def __init__(self, mapped: Mapped):
        super().__init__("rejected records")
        self.mapped = mapped


def _failed(
    ctx: AppContext,
    run_id: int,
    source: AdapterSource,
    error: str,
    attempts: _Attempts,
    *,
    fetched: Fetched | None = None,
    rows_read: int = 0,
    rows_rejected: int = 0,
    rejected: list[dict[str, str]] | None = None,
    on_failure: Callable[[str], None] | None = None,
) -> AdapterRunOut:
    rejected = rejected or []
    with ctx.db.write() as session:
        run = _finish(
            session,
            run_id,
            status=RunStatus.failed,
            error=error[:4000],
            attempts=attempts.count,
            rows_read=rows_read,
            rows_written=0,
            rows_rejected=rows_rejected,
            rejected=rejected[:MAX_REJECTED_KEPT],
        )
    log.warning("adapter source %s (%s): run %d failed: %s", source.id, source.name, run_id, error)
    on_failure = on_failure or (fetched.on_failure if fetched is not None else None)
    if on_failure is not None:
        try:
            on_failure(error)
        except Exception:
            log.exception("adapter source %s: cleaning up after a failed run failed", source.id)
    _notify(ctx, source, run)
    return run_out(run)


def _notify(ctx: AppContext, source: AdapterSource, run: AdapterRun) -> None:
    try:
        with ctx.db.read() as session:
            hooks = hooks_for(session, source.locality_id)
        hooks.kaoping_adapter_run_finished(ctx=ctx, source=source, run=run)
    except Exception:
        log.exception("adapter source %s: a kaoping_adapter_run_finished hook failed", source.id)


def run_now(ctx: AppContext, actor: Actor, source_id: int, trigger: str = "manual") -> AdapterRunOut:
    """Run a source now, whatever its schedule (``POST /api/adapter-sources/{id}/run``, the CLI)."""
    require_role(actor, OFFICE_ROLES, "run adapter sources")
    with ctx.db.read() as session:
        _source_row(session, actor, source_id)
    run_id = start_run(ctx, source_id, trigger)
    return execute_run(ctx, run_id)
