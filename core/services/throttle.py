"""Counts of failed sign-ins, shared by every app instance through the database.

A *key* names who failed: a client network (``ballot-client:203.0.113.7``), a user name at a
network (``user:alice|client:203.0.113.7``), the whole platform (``ballot-all``). Failures are
counted per key and minute (``login_failure_counts``); a key's count is the sum of its minutes
in the last ``WINDOW``, a sliding window that costs at most 15 rows per key to read, however
many failures there were. Only failures are ever counted: a success is never throttled by its
own kind, and never recorded.

An IPv6 client counts by its /64 network (one household or office gets a whole /64, so one
attacker could otherwise take a fresh address for every guess); IPv4 by its address.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, text
from sqlmodel import col, select

from core.context import AppContext
from core.models import LoginFailureCount

log = logging.getLogger("kaoping.auth")

WINDOW = timedelta(minutes=15)
BUCKET_SECONDS = 60
BUCKETS = int(WINDOW.total_seconds()) // BUCKET_SECONDS
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` failures under ``key`` in ``WINDOW``."""

    key: str
    failures: int


def client_network(address: str) -> str:
    """What one client is counted as: an IPv4 address, the /64 of an IPv6 address."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def _bucket(now: float) -> int:
    return int(now // BUCKET_SECONDS)


def _counts(ctx: AppContext, keys: list[str], now: float) -> dict[str, list[tuple[int, int]]]:
    """Each key's buckets in the window, oldest first."""
    first = _bucket(now) - BUCKETS + 1
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    with ctx.db.read() as session:
        rows = session.exec(
            select(LoginFailureCount.key, LoginFailureCount.bucket, LoginFailureCount.failures)
            .where(col(LoginFailureCount.key).in_(keys), LoginFailureCount.bucket >= first)
            .order_by(col(LoginFailureCount.bucket))
        ).all()
    for key, bucket, failures in rows:
        found[key].append((bucket, failures))
    return found


def failures(ctx: AppContext, key: str, now: float | None = None) -> int:
    """The failures under ``key`` in the window."""
    now = time.time() if now is None else now
    return sum(n for _bucket_, n in _counts(ctx, [key], now).get(key, []))


def _wait(counts: dict[str, list[tuple[int, int]]], limits: list[Limit], now: float) -> int | None:
    wait = 0.0
    for limit in limits:
        buckets = counts.get(limit.key, [])
        total = sum(n for _b, n in buckets)
        if total < limit.failures:
            continue
        for bucket, n in buckets:  # the oldest minutes leave first
            total -= n
            if total < limit.failures:
                wait = max(wait, (bucket + BUCKETS) * BUCKET_SECONDS - now)
                break
    return max(1, math.ceil(wait)) if wait else None


def retry_after(ctx: AppContext, limits: list[Limit], now: float | None = None) -> int | None:
    """None while every key is under its limit; otherwise the seconds until all are again
    (the oldest failures leave the window minute by minute)."""
    now = time.time() if now is None else now
    return _wait(_counts(ctx, [limit.key for limit in limits], now), limits, now)


def record(ctx: AppContext, keys: list[str], now: float | None = None) -> None:
    """Count one failure under each key (and forget the minutes that left the window)."""
    now = time.time() if now is None else now
    bucket = _bucket(now)
    upsert = text(
        'INSERT INTO login_failure_counts ("key", bucket, failures) VALUES (:key, :bucket, 1) '
        'ON CONFLICT ("key", bucket) DO UPDATE SET failures = login_failure_counts.failures + 1'
    )
    with ctx.db.write() as session:
        session.execute(delete(LoginFailureCount).where(col(LoginFailureCount.bucket) <= bucket - BUCKETS))
        for key in dict.fromkeys(keys):
            session.execute(upsert, {"key": key[:MAX_KEY_LENGTH], "bucket": bucket})


def charge(ctx: AppContext, limits: list[Limit], now: float | None = None) -> int | None:
    """A failure that is only counted while every key is under its limit.

    Under the limits: counted under every key; returns None. At a limit: nothing is written
    (a flood of failures costs the database reads only, and cannot grow the table); returns
    the seconds until every key is under its limit again. Several instances may each count
    one more at the very edge: the limits are exact to within the requests in flight."""
    now = time.time() if now is None else now
    counts = _counts(ctx, [limit.key for limit in limits], now)
    wait = _wait(counts, limits, now)
    if wait is not None:
        return wait
    totals = {limit.key: sum(n for _b, n in counts.get(limit.key, [])) for limit in limits}
    record(ctx, [limit.key for limit in limits], now)
    for limit in limits:
        if totals[limit.key] + 1 == limit.failures:
            log.warning(
                "%s reached %d failed sign-ins in %d minutes: its further failures are refused (429)",
                limit.key,
                limit.failures,
                BUCKETS * BUCKET_SECONDS // 60,
            )
    return None
