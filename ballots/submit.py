"""Casting a ballot, once: ``submit`` for the event loop, and its SQLite path (group commit,
then one ``BEGIN IMMEDIATE`` transaction on the driver's connection). The PostgreSQL path is in
``ballots.submit_pg``.

A cast ballot has a random id, no link to its account and no time of its own. Submitting
claims the account with a conditional UPDATE, so a code votes once however many requests race.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import weakref
from datetime import datetime
from typing import Any

from anyio import to_thread

from ballots.login import BallotSession
from ballots.sheet import (
    _LOAD_SQL,
    AccountRow,
    BallotContext,
    BallotIn,
    CampaignRow,
    SubmitOut,
    _cached_prepared,
    _check_items,
    _claim_lost,
    _prepare,
    _Prepared,
    _receipt,
    _replay,
    _rows,
    _verdict,
)
from ballots.submit_pg import _submit_postgres
from core.context import AppContext
from core.db import SQLITE_BUSY_TIMEOUT_MS
from core.models import AccountStatus
from core.services import ballot_box
from core.services.errors import ServiceError


def _submit_sqlite_waiting(ctx: AppContext, ballot: BallotSession, data: BallotIn) -> SubmitOut:
    """The SQLite submission in a thread, waiting for the write lock as any write does (when
    another process has held it for long)."""
    prepared = None
    while True:
        result = _submit_sqlite(ctx, ballot, data, wait=True, prepared=prepared)
        if not isinstance(result, _NeedsSheet):
            return result
        prepared = _prepare(ctx, result.account, result.campaign)


async def submit(ctx: AppContext, ballot: BallotSession, data: BallotIn) -> SubmitOut:
    """Cast the ballot, once, in one transaction: claim the account with a conditional UPDATE,
    write the ballot and its items, drop the draft. For the event loop (the JSON API and the
    /b/ pages): what a meeting submitting at once goes through.

    The work is a few statements of well under a millisecond, so handing each request to a
    thread (and the threads fighting over the GIL) costs more than the work. On SQLite the
    statements run on the loop whenever the write lock is free at once, in a group commit
    (``_SqliteBatcher``) or alone, and the COMMIT (an fsync) always in a thread; while another
    thread or process holds the lock, this process's submissions queue on an asyncio lock and
    the first one retries (the loop is never blocked). Campaigns with distribution policies take
    the same path once their policies are cached. On PostgreSQL it is one statement on an
    asyncio connection of psycopg."""
    if not ctx.db.is_sqlite:
        return await _submit_postgres(ctx, ballot, data)
    result = await _sqlite_batcher(ctx).submit(ballot, data)
    if isinstance(result, SubmitOut):
        return result
    async with _sqlite_gate(ctx):
        delay, waited, prepared_once = 0.0005, 0.0, False
        while waited < SQLITE_BUSY_TIMEOUT_MS / 1000:
            # A batch of one: the statements on the loop, the COMMIT (an fsync) in a thread.
            (result,) = await _submit_sqlite_batch(ctx, [(ballot, data)], raise_errors=True)
            if isinstance(result, ServiceError):
                raise result
            if isinstance(result, SubmitOut):
                return result
            if isinstance(result, _NeedsSheet) and not prepared_once:
                # cached by _prepare for every later ballot of this category (while the campaign is open)
                await to_thread.run_sync(_prepare, ctx, result.account, result.campaign)
                prepared_once = True
            elif isinstance(result, _NeedsSheet):
                break  # not cacheable (e.g. the campaign is no longer open): the waiting path answers it
            else:
                await asyncio.sleep(delay)
                waited += delay
                delay = min(delay * 2, 0.01)
    return await to_thread.run_sync(_submit_sqlite_waiting, ctx, ballot, data)  # still locked: wait as any write


SQLITE_BATCH = 32  # ballots per group commit at most


class _SqliteBatcher:
    """Group commit on SQLite: the submissions that arrive together (a meeting) are written in
    one transaction, each in its own SAVEPOINT, so one refused ballot (401/403/409/422) is rolled
    back alone and the others are kept; every answer is sent only after the COMMIT. One commit
    and one pass over the same index pages for many ballots, instead of one each. A submission
    the batch cannot take (write lock busy, sheet not cached, distribution policies, an
    unexpected error) gets None and goes through the single path.

    The COMMIT (an fsync of the WAL, ``synchronous=FULL``: milliseconds, at times tens) runs in a
    thread, so the event loop reads and checks the next ballots meanwhile; they form the next
    batch. One batch is written at a time (``_drain``)."""

    def __init__(self, ctx: AppContext, loop: asyncio.AbstractEventLoop):
        self._ctx, self._loop = ctx, loop
        self._pending: list[tuple[BallotSession, BallotIn, asyncio.Future]] = []
        self._task: asyncio.Task | None = None

    def submit(self, ballot: BallotSession, data: BallotIn) -> asyncio.Future:
        future = self._loop.create_future()
        self._pending.append((ballot, data, future))
        if self._task is None:
            self._task = self._loop.create_task(self._drain())
        return future

    async def _drain(self) -> None:
        try:
            await asyncio.sleep(0)  # the requests read in this turn of the loop join the first batch
            while self._pending:
                batch, self._pending = self._pending[:SQLITE_BATCH], self._pending[SQLITE_BATCH:]
                try:
                    results = await _submit_sqlite_batch(self._ctx, [(b, d) for b, d, _ in batch])
                except Exception:  # noqa: BLE001 - e.g. no connection: the single path meets (and answers) it
                    results = [None] * len(batch)
                for (_, _, future), result in zip(batch, results):
                    if future.done():
                        continue
                    if isinstance(result, ServiceError):
                        future.set_exception(result)
                    else:  # a _NeedsSheet or None: the single path takes it
                        future.set_result(result if isinstance(result, SubmitOut) else None)
        finally:
            self._task = None
            leftover, self._pending = self._pending, []
            for _, _, future in leftover:  # only when cancelled (the server stops): the single path answers them
                if not future.done():
                    future.set_result(None)


_SQLITE_BATCHERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _SqliteBatcher]] = (
    weakref.WeakKeyDictionary()
)


def _sqlite_batcher(ctx: AppContext) -> _SqliteBatcher:
    loop = asyncio.get_running_loop()
    batchers = _SQLITE_BATCHERS.setdefault(loop, {})
    batcher = batchers.get(ctx.db.url)
    if batcher is None or batcher._ctx is not ctx:
        batcher = batchers[ctx.db.url] = _SqliteBatcher(ctx, loop)
    return batcher


async def _submit_sqlite_batch(
    ctx: AppContext, batch: list[tuple[BallotSession, BallotIn]], *, raise_errors: bool = False
) -> list[Any]:
    """One transaction for the batch: per ballot a SubmitOut, a ServiceError (its savepoint
    rolled back), a _NeedsSheet (not written: its sheet or policies are not cached yet) or None
    (not written: the write lock was busy, or an unexpected error). Never waits for a lock; the
    statements run on the event loop, the COMMIT in a thread (the writer lock is held, by this
    loop's thread, until it returns).

    This loop's batches take turns (``_sqlite_turn``): while one COMMITs in a thread the next
    waits for it rather than finding the write lock busy and sending its ballots, one by one,
    down the single path (a burst of 500 then went at 600/s instead of 1,000 and more)."""
    nothing: list[Any] = [None] * len(batch)
    async with _sqlite_turn(ctx):
        with ctx.db.sqlite_writer(wait=False) as connection:
            if connection is None:  # another thread or process writes
                return nothing
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return nothing
            try:
                results: list[Any] = []
                for ballot, data in batch:
                    connection.execute("SAVEPOINT ballot")
                    try:
                        results.append(_sqlite_transaction(ctx, connection, ballot, data, None))
                    except (ServiceError, _NeedsSheet) as exc:
                        connection.execute("ROLLBACK TO ballot")
                        results.append(exc)
                    connection.execute("RELEASE ballot")
                await to_thread.run_sync(connection.execute, "COMMIT")
                return results
            except Exception as exc:  # noqa: BLE001 - nothing was written; each goes the single path and meets its error there
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                if raise_errors and not (isinstance(exc, sqlite3.OperationalError) and _is_locked(exc)):
                    raise
                return nothing


_SQLITE_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _sqlite_gate(ctx: AppContext) -> asyncio.Lock:
    gates = _SQLITE_GATES.setdefault(asyncio.get_running_loop(), {})
    return gates.setdefault(ctx.db.url, asyncio.Lock())


_SQLITE_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _sqlite_turn(ctx: AppContext) -> asyncio.Lock:
    """This loop's writers of ballots (the group commit and the single path) one at a time."""
    turns = _SQLITE_TURNS.setdefault(asyncio.get_running_loop(), {})
    return turns.setdefault(ctx.db.url, asyncio.Lock())


# SQLite: raw statements on the driver's connection (the ORM's per-statement work was most of
# the cost of a submission). Columns as in _LOAD_SQL.
_SQLITE_LOAD = _LOAD_SQL.element.text.replace(":account_id", "?")
_SQLITE_CLAIM = (
    "UPDATE ballot_accounts SET status = 'submitted', receipt = ?"
    " WHERE id = ? AND status NOT IN ('submitted', 'revoked')"
)
_SQLITE_STATUS = "SELECT status, receipt FROM ballot_accounts WHERE id = ?"
_SQLITE_STAGE = "INSERT INTO ballot_staging (id, locality_id, campaign_id, head, body) VALUES (?, ?, ?, ?, ?)"
_SQLITE_DELETE_DRAFT = "DELETE FROM ballot_drafts WHERE account_id = ?"


def _sqlite_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _is_locked(exc: BaseException) -> bool:
    message = str(getattr(exc, "orig", None) or exc)
    return "database is locked" in message or "database is busy" in message


class _NeedsSheet(Exception):
    """The ballot sheet, or the campaign's distribution policies, are not cached yet: they are
    read with the ORM on another connection, outside the write lock (``_prepare``), then the
    transaction is run again with them."""

    def __init__(self, account: AccountRow, campaign: CampaignRow):
        self.account, self.campaign = account, campaign


def _submit_sqlite(
    ctx: AppContext, ballot: BallotSession, data: BallotIn, *, wait: bool, prepared: _Prepared | None
) -> SubmitOut | _NeedsSheet | None:
    """The submission on SQLite, in one ``BEGIN IMMEDIATE`` transaction on the driver's
    connection. With ``wait=False`` (on the event loop) it never waits for a lock: if another
    thread or process holds the write lock, nothing is written and the answer is None."""
    with ctx.db.sqlite_writer(wait=wait) as connection:
        if connection is None:
            return None
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = _sqlite_transaction(ctx, connection, ballot, data, prepared)
                connection.execute("COMMIT")
                return result
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except _NeedsSheet as needs:
            return needs
        except sqlite3.OperationalError as exc:
            if wait or not _is_locked(exc):
                raise
            return None  # another process is writing: nothing was written


def _sqlite_transaction(
    ctx: AppContext, connection: sqlite3.Connection, ballot: BallotSession, data: BallotIn, prepared: _Prepared | None
) -> SubmitOut:
    row = connection.execute(_SQLITE_LOAD, (ballot.account_id,)).fetchone()
    if row is not None:
        row = (
            *row[:8],
            _sqlite_time(row[8]),
            _sqlite_time(row[9]),
            _sqlite_time(row[10]),
            json.loads(row[11]) if isinstance(row[11], str) else row[11],
            row[12],
        )
    account, campaign = _rows(ballot, row, replayable=True)
    if prepared is None:
        prepared = _cached_prepared(ctx.db.engine.url, campaign, account.category_id)
        if prepared is None:
            raise _NeedsSheet(account, campaign)
    sheet, policies = prepared.sheet, prepared.policies
    bc = BallotContext(account=account, campaign=campaign, sheet=sheet)
    if account.status == AccountStatus.submitted:
        return _replay(ctx, ballot, bc, policies, data, account.receipt)
    triples = _check_items(bc, data, complete=True)
    valid, reason = _verdict(bc, policies, triples)
    receipt = _receipt(ctx, ballot, triples, data.comment)
    if connection.execute(_SQLITE_CLAIM, (receipt, account.id)).rowcount != 1:
        return _claim_lost(*connection.execute(_SQLITE_STATUS, (account.id,)).fetchone(), receipt, valid, reason)
    staged_id = ballot_box.new_ballot_id()
    head, body = ballot_box.seal_ballot(
        ctx.keys,
        campaign.id,
        staged_id,
        category_id=account.category_id,
        valid=valid,
        reason=reason,
        comment=data.comment,
        items=triples,
    )
    connection.execute(_SQLITE_STAGE, (staged_id, campaign.locality_id, campaign.id, head, body))
    connection.execute(_SQLITE_DELETE_DRAFT, (account.id,))
    return SubmitOut(status="submitted", valid=valid, reason=reason)
