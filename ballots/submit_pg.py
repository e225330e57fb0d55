"""Casting a ballot on PostgreSQL: one statement on an autocommit psycopg connection of a small
pool per event loop (see ``ballots.submit.submit``).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from anyio import to_thread

from ballots.login import BallotSession, _check_open
from ballots.sheet import (
    _LOAD_SQL,
    BallotContext,
    BallotIn,
    SubmitOut,
    _cached_prepared,
    _check_items,
    _claim_lost,
    _prepare,
    _receipt,
    _replay,
    _rows,
    _verdict,
)
from core.context import AppContext
from core.models import AccountStatus
from core.models.base import utcnow
from core.services import ballot_box
from core.services.errors import Conflict, ServiceError

# PostgreSQL: the load, then claim + ballot + items + draft in ONE statement (data-modifying
# CTEs run in one snapshot and one implicit transaction: all or nothing). The campaign row is
# held FOR SHARE, so closing waits for ballots being written, and a closed campaign claims
# nothing. psycopg prepares both statements on a connection after a few uses.
_PG_LOAD = _LOAD_SQL.element.text.replace(":account_id", "%(account_id)s")  # as submit._SQLITE_LOAD
_PG_SUBMIT = """
WITH c AS (
    SELECT id FROM campaigns WHERE id = %(campaign_id)s AND status = 'open'
       AND (opens_at IS NULL OR opens_at <= %(now)s) AND (closes_at IS NULL OR closes_at > %(now)s)
    FOR SHARE
), claim AS (
    UPDATE ballot_accounts SET status = 'submitted', receipt = %(receipt)s
     WHERE id = %(account_id)s AND status NOT IN ('submitted', 'revoked') AND EXISTS (SELECT 1 FROM c)
    RETURNING id
), b AS (
    INSERT INTO ballot_staging (id, locality_id, campaign_id, head, body)
    SELECT %(id)s, %(locality_id)s, %(campaign_id)s, %(head)s, %(body)s FROM claim
), d AS (
    DELETE FROM ballot_drafts WHERE account_id IN (SELECT id FROM claim)
)
SELECT EXISTS (SELECT 1 FROM c), EXISTS (SELECT 1 FROM claim)
"""
_PG_CAMPAIGN = "SELECT status, opens_at, closes_at FROM campaigns WHERE id = %(campaign_id)s"
_PG_STATUS = "SELECT status, receipt FROM ballot_accounts WHERE id = %(account_id)s"
PG_ASYNC_CONNECTIONS = 10  # per process and event loop, like the engine's pool_size


@dataclass(frozen=True)
class _CampaignState:
    status: str
    opens_at: datetime | None
    closes_at: datetime | None


class _AsyncPool:
    """A few autocommit psycopg connections for one event loop. The queue holds a connection or
    None (a free slot: connect on use), so a broken connection just gives its slot back."""

    def __init__(self, conninfo: str, size: int):
        self._conninfo = conninfo
        self._free: asyncio.LifoQueue = asyncio.LifoQueue()
        for _ in range(size):
            self._free.put_nowait(None)

    async def get(self) -> Any:
        connection = await self._free.get()
        if connection is not None and not (connection.closed or connection.broken):
            return connection
        try:
            import psycopg

            return await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        except BaseException:
            self._free.put_nowait(None)
            raise

    async def put(self, connection: Any, *, healthy: bool) -> None:
        if healthy and not (connection.closed or connection.broken):
            self._free.put_nowait(connection)
            return
        self._free.put_nowait(None)
        with contextlib.suppress(Exception):
            await connection.close()


_PG_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _AsyncPool]] = weakref.WeakKeyDictionary()


def _pg_pool(ctx: AppContext) -> _AsyncPool:
    pools = _PG_POOLS.setdefault(asyncio.get_running_loop(), {})
    url = ctx.db.engine.url
    key = url.render_as_string(hide_password=False)
    pool = pools.get(key)
    if pool is None:
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        pool = pools[key] = _AsyncPool(conninfo, PG_ASYNC_CONNECTIONS)
    return pool


async def _submit_postgres(ctx: AppContext, ballot: BallotSession, data: BallotIn) -> SubmitOut:
    pool = _pg_pool(ctx)
    connection = await pool.get()
    healthy = False
    try:
        cursor = connection.cursor()
        await cursor.execute(_PG_LOAD, {"account_id": ballot.account_id})
        account, campaign = _rows(ballot, await cursor.fetchone(), replayable=True)
        prepared = _cached_prepared(ctx.db.engine.url, campaign, account.category_id)
        if prepared is None:  # the first ballot of the category: cached for the next ones
            prepared = await to_thread.run_sync(_prepare, ctx, account, campaign)
        sheet, policies = prepared.sheet, prepared.policies
        bc = BallotContext(account=account, campaign=campaign, sheet=sheet)
        if account.status == AccountStatus.submitted:
            healthy = True
            return _replay(ctx, ballot, bc, policies, data, account.receipt)
        triples = _check_items(bc, data, complete=True)
        valid, reason = _verdict(bc, policies, triples)
        receipt = _receipt(ctx, ballot, triples, data.comment)
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
        await cursor.execute(
            _PG_SUBMIT,
            {
                "campaign_id": campaign.id,
                "account_id": account.id,
                "now": utcnow(),
                "id": staged_id,
                "locality_id": campaign.locality_id,
                "receipt": receipt,
                "head": head,
                "body": body,
            },
        )
        is_open, claimed = await cursor.fetchone()
        if not claimed:
            if not is_open:
                await cursor.execute(_PG_CAMPAIGN, {"campaign_id": campaign.id})
                _check_open(_CampaignState(*await cursor.fetchone()))
                raise Conflict("this evaluation is closed")
            await cursor.execute(_PG_STATUS, {"account_id": account.id})
            healthy = True
            return _claim_lost(*await cursor.fetchone(), receipt, valid, reason)
        healthy = True
    except ServiceError:
        healthy = True
        raise
    finally:
        await pool.put(connection, healthy=healthy)
    return SubmitOut(status="submitted", valid=valid, reason=reason)
