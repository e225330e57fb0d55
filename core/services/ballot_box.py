"""The ballot box (投票箱): cast ballots wait here, sealed, until their campaign closes.

Why (DESIGN section 4): the transaction that casts a ballot also claims its account, so
whatever it writes carries the same transaction id (PostgreSQL ``xmin``) and lands next to the
claim (``ctid``, SQLite ``rowid``). Whoever reads the database could pair the two. So the
submitting transaction writes only a *sealed* row (AES-GCM under a key derived from the secret
key and the campaign, which is not in the database): a reader learns that account 17 cast
*some* ballot, not which. When the campaign closes, ``move_staged`` takes every staged row of
the campaign in one random order, gives each ballot a new random id and writes it into
``ballots``, its items packed into one value (``core.services.ballot_grades``); the staged rows
are deleted in the same transactions. At that
point every account of the campaign has voted or never will, so the transaction ids, the row
order and the ids of the written ballots tell nothing about which account cast which.

Layout of a sealed ballot (all integers little-endian):

- ``head`` = seal("<IB": category_id, valid): what turnout reads while the campaign is open;
- ``body`` = seal("<IBIIH": category_id, valid, n items, text length, reserved) + n × u32 subject
  ids + n × u32 indicator ids + n × u8 grades + msgpack([comment, reason]) zero-padded to
  ``TEXT_BLOCK`` bytes. A category's ballots all have the same items (the ballot is complete),
  so every ballot of a category has the same length: a long comment does not stand out.

Both are bound to the staged row's id and the campaign (AES-GCM associated data).
"""

from __future__ import annotations

import logging
import os
import secrets
import struct
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import delete, insert, select
from sqlmodel import Session

from core.context import AppContext
from core.models import Ballot, StagedBallot
from core.security import Keyring
from core.services import ballot_grades

TEXT_BLOCK = 10240  # bytes: a 2,000-character comment (4 bytes each at most) and a 500-character reason
MAX_REASON = 500  # characters, as ballots.reason
DRAFT_BLOCK = 4096  # drafts are padded to a multiple of this: their length tells little about progress
MOVE_CHUNK = 500  # ballots per transaction when moving (a chunk is a random subset of the whole box)

logger = logging.getLogger(__name__)
_HEAD = struct.Struct("<IB")
_BODY = struct.Struct("<IBIIH")


class SealError(ValueError):
    """A sealed row that does not open with this secret key (or was altered)."""


@dataclass(frozen=True)
class OpenedBallot:
    category_id: int
    valid: bool
    reason: str
    comment: str
    items: list[tuple[int, int, int]]  # (subject_id, indicator_id, grade index)


def new_ballot_id() -> str:
    return secrets.token_hex(16)


def _seal(keys: Keyring, campaign_id: int, aad: bytes, plain: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + keys.ballot_box(campaign_id).encrypt(nonce, plain, aad)


def _open(keys: Keyring, campaign_id: int, aad: bytes, sealed: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag

    try:
        return keys.ballot_box(campaign_id).decrypt(bytes(sealed[:12]), bytes(sealed[12:]), aad)
    except InvalidTag as exc:
        raise SealError("a sealed ballot does not open with this secret key") from exc


def seal_ballot(
    keys: Keyring,
    campaign_id: int,
    staged_id: str,
    *,
    category_id: int,
    valid: bool,
    reason: str | None,
    comment: str,
    items: Sequence[tuple[int, int, int]],
) -> tuple[bytes, bytes]:
    """Seal one cast ballot: ``(head, body)`` for a ``ballot_staging`` row with id ``staged_id``."""
    text = msgspec.msgpack.encode([comment, (reason or "")[:MAX_REASON]])
    if len(text) > TEXT_BLOCK:  # cannot happen within MAX_COMMENT; refuse rather than leak a length
        raise ValueError("comment too long to seal")
    n = len(items)
    subjects = struct.pack(f"<{n}I", *(s for s, _, _ in items))
    indicators = struct.pack(f"<{n}I", *(i for _, i, _ in items))
    grades = bytes(g for _, _, g in items)
    body = b"".join(
        (
            _BODY.pack(category_id, 1 if valid else 0, n, len(text), 0),
            subjects,
            indicators,
            grades,
            text,
            bytes(TEXT_BLOCK - len(text)),
        )
    )
    aad = f"{campaign_id}:{staged_id}".encode()
    return (
        _seal(keys, campaign_id, b"head:" + aad, _HEAD.pack(category_id, 1 if valid else 0)),
        _seal(keys, campaign_id, b"body:" + aad, body),
    )


def open_head(keys: Keyring, campaign_id: int, staged_id: str, head: bytes) -> tuple[int, bool]:
    category_id, valid = _HEAD.unpack(_open(keys, campaign_id, f"head:{campaign_id}:{staged_id}".encode(), head))
    return category_id, bool(valid)


def open_body(keys: Keyring, campaign_id: int, staged_id: str, body: bytes) -> OpenedBallot:
    plain = _open(keys, campaign_id, f"body:{campaign_id}:{staged_id}".encode(), body)
    category_id, valid, n, text_len, _ = _BODY.unpack_from(plain)
    at = _BODY.size
    subjects = struct.unpack_from(f"<{n}I", plain, at)
    indicators = struct.unpack_from(f"<{n}I", plain, at + 4 * n)
    grades = plain[at + 8 * n : at + 9 * n]
    comment, reason = msgspec.msgpack.decode(plain[at + 9 * n : at + 9 * n + text_len])
    return OpenedBallot(
        category_id=category_id,
        valid=bool(valid),
        reason=reason,
        comment=comment,
        items=list(zip(subjects, indicators, grades)),
    )


def seal_draft(keys: Keyring, campaign_id: int, account_id: int, items: list[dict[str, Any]], comment: str) -> bytes:
    """A draft's items (``[{subject_id, indicator, grade}]``) and comment, sealed to its account."""
    packed = msgspec.msgpack.encode({"items": items, "comment": comment})
    plain = struct.pack("<I", len(packed)) + packed
    return _seal(
        keys, campaign_id, f"draft:{campaign_id}:{account_id}".encode(), plain + bytes(-len(plain) % DRAFT_BLOCK)
    )


def open_draft(keys: Keyring, campaign_id: int, account_id: int, sealed: bytes) -> tuple[list[dict[str, Any]], str]:
    plain = _open(keys, campaign_id, f"draft:{campaign_id}:{account_id}".encode(), sealed)
    (length,) = struct.unpack_from("<I", plain)
    data = msgspec.msgpack.decode(plain[4 : 4 + length])
    return data["items"], data["comment"]


def staged_counts(session: Session, keys: Keyring, campaign_id: int) -> Counter:
    """Counter of ``(category_id, valid)`` over the campaign's staged ballots (turnout while open)."""
    counts: Counter = Counter()
    for staged_id, head in session.execute(
        select(StagedBallot.id, StagedBallot.head).where(StagedBallot.campaign_id == campaign_id)
    ):
        counts[open_head(keys, campaign_id, staged_id, head)] += 1
    return counts


def staged_total(session: Session, campaign_id: int) -> int:
    from sqlalchemy import func

    return session.execute(
        select(func.count()).select_from(StagedBallot).where(StagedBallot.campaign_id == campaign_id)
    ).scalar_one()


def move_staged(ctx: AppContext, campaign_id: int, *, chunk: int = MOVE_CHUNK) -> int:
    """Move every staged ballot of a campaign into ``ballots``; returns how many.

    Call only once the campaign accepts no more ballots (closed): the box is shuffled as a whole
    (``secrets.SystemRandom``), then written ``chunk`` ballots per transaction, each with a new
    random id. Each transaction deletes the staged rows it writes (``DELETE ... RETURNING``),
    so a crash or a second mover running at the same time can neither lose nor double a ballot;
    calling it again moves whatever is left. Raises ``SealError`` if a row does not open with
    the secret key (nothing of that chunk is written).

    Each ballot's items are packed by its category's frozen item order
    (``ballot_grades.layout_for``: written with the category's first moved ballot)."""
    with ctx.db.read() as session:
        ids = list(session.execute(select(StagedBallot.id).where(StagedBallot.campaign_id == campaign_id)).scalars())
    secrets.SystemRandom().shuffle(ids)
    moved = 0
    layouts: dict[int, ballot_grades.Layout] = {}
    for start in range(0, len(ids), chunk):
        order = ids[start : start + chunk]
        with ctx.db.write() as session:
            taken = {
                row.id: row
                for row in session.execute(
                    delete(StagedBallot)
                    .where(StagedBallot.id.in_(order), StagedBallot.campaign_id == campaign_id)
                    .returning(StagedBallot.id, StagedBallot.locality_id, StagedBallot.body)
                )
            }
            ballots = []
            for staged_id in order:  # the shuffled order, not the order the database returned
                row = taken.get(staged_id)
                if row is None:
                    continue  # another mover took it
                opened = open_body(ctx.keys, campaign_id, staged_id, row.body)
                layout = layouts[opened.category_id] = ballot_grades.layout_for(
                    session,
                    campaign_id=campaign_id,
                    locality_id=row.locality_id,
                    category_id=opened.category_id,
                    needed=((s, i) for s, i, _g in opened.items),
                    known=layouts.get(opened.category_id),
                )
                ballots.append(
                    {
                        "id": new_ballot_id(),
                        "locality_id": row.locality_id,
                        "campaign_id": campaign_id,
                        "category_id": opened.category_id,
                        "valid": opened.valid,
                        "reason": opened.reason,
                        "comment": opened.comment,
                        "grades": ballot_grades.pack(layout, opened.items),
                    }
                )
            if ballots:
                _insert(session, ballots)
            moved += len(ballots)
    return moved


SNAPSHOT_WAIT_SECONDS = 60.0


def _wait_for_older_snapshots(connection: Any, timeout: float = SNAPSHOT_WAIT_SECONDS) -> None:
    """Wait until no other transaction of this database holds a snapshot taken before now.

    PostgreSQL's VACUUM keeps a deleted row while any transaction might still see it (its
    ``backend_xmin`` is older than the delete), and VACUUM FULL copies such rows into the new
    table: a report or a verification pass that happens to be reading when the box is moved would
    leave the sealed rows on disk. Every transaction running now began before this point; once
    they have ended, no snapshot can see the deleted rows. Short transactions end within
    milliseconds; a longer one is waited for up to ``timeout`` seconds, then logged by pid."""
    import time

    threshold = connection.exec_driver_sql("SELECT txid_snapshot_xmax(txid_current_snapshot())").scalar()
    query = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND backend_xmin IS NOT NULL AND age(backend_xmin) > age(%s::text::xid)"
    )
    deadline = time.monotonic() + timeout
    while True:
        older = connection.exec_driver_sql(query, (str(threshold % 2**32),)).scalars().all()
        if not older:
            return
        if time.monotonic() > deadline:
            logger.warning(
                "transactions %s held snapshots older than the ballot box's move for %.0f s; "
                "the scrub goes on, and may leave the moved rows on disk until the next VACUUM",
                older,
                timeout,
            )
            return
        time.sleep(0.2)


SCRUB_ATTEMPTS = 3


def _rewrite_staging(connection: Any) -> None:
    """VACUUM FULL the staging tables once no older snapshot can see the moved rows; when the box
    is empty (no other campaign is open) but pages remain, a snapshot taken between the check and
    the VACUUM kept some dead rows: wait and rewrite again (up to ``SCRUB_ATTEMPTS`` times)."""
    import time

    for attempt in range(SCRUB_ATTEMPTS):
        _wait_for_older_snapshots(connection)
        connection.exec_driver_sql("VACUUM (FULL) ballot_staging, ballot_drafts")
        left = connection.exec_driver_sql(
            "SELECT pg_relation_size('ballot_staging') > 0 AND NOT EXISTS (SELECT 1 FROM ballot_staging)"
        ).scalar()
        if not left:
            return
        logger.info("the ballot box's pages outlived a rewrite (attempt %s); rewriting again", attempt + 1)
        time.sleep(0.5 * (attempt + 1))


def scrub(ctx: AppContext, campaign_id: int) -> None:
    """After a campaign's box is moved: delete its remaining drafts (of evaluators who never
    submitted) and leave no readable trace of the deleted sealed rows, whose transaction ids
    still pair them with accounts and which the secret key opens. SQLite overwrites deleted
    rows with zeros (``secure_delete``, set on every connection) and the WAL, which still holds
    the pages as they were written, is checkpointed and truncated; PostgreSQL keeps deleted rows
    in the table's pages until they are vacuumed, so both tables are rewritten (``VACUUM FULL``:
    it briefly locks them, so other campaigns' submissions wait, never fail)."""
    from core.models import BallotDraft

    with ctx.db.write() as session:
        session.execute(delete(BallotDraft).where(BallotDraft.campaign_id == campaign_id))
    try:
        with ctx.db.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            if ctx.db.is_sqlite:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                _rewrite_staging(connection)
                # the moved rows are new to the planner: without statistics the first tally of a
                # large box chose a nested loop per ballot (minutes for 10,000 ballots)
                connection.exec_driver_sql("ANALYZE ballots, ballot_positions")
    except Exception:  # noqa: BLE001 - the ballots are counted already; say what is left to do
        logger.warning(
            "could not scrub the ballot box of campaign %s; run VACUUM (FULL) ballot_staging, "
            "ballot_drafts (PostgreSQL) or PRAGMA wal_checkpoint(TRUNCATE) (SQLite)",
            campaign_id,
            exc_info=True,
        )


_COLUMNS = ("id", "locality_id", "campaign_id", "category_id", "valid", "reason", "comment", "grades")


def _insert(session: Session, ballots: list[dict[str, Any]]) -> None:
    """Write moved ballots: one row each (PostgreSQL: COPY; SQLite: one executemany)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY ballots ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for b in ballots:
                copy.write_row(tuple(b[c] for c in _COLUMNS))
        return
    session.execute(insert(Ballot), ballots)
