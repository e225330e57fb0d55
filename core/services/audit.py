"""The audit log: who, when, locality, action, target, before/after summary; tamper-evident.

**The chain.** Every entry carries the hash of the one before it (``prev_hash``) and its own
``hash``: HMAC-SHA256 of its content and ``prev_hash``, under a key derived from the secret key
(``Keyring.audit_mac``), which is not in the database. Whoever can write to the database but
has not the key can delete or change entries, but cannot make the chain verify again: editing
an entry and recomputing the later hashes with plain SHA-256 (what the entries written before
migration 0008 used, ``hash_version`` 1) breaks at the edited entry. Writers are serialised
(BEGIN IMMEDIATE on SQLite, an advisory transaction lock on PostgreSQL) so the chain never forks.

**The checkpoint.** Deleting the *last* entries (or all of them) leaves a shorter chain that
still verifies. So the head of the chain (last id and hash) is also kept outside the database,
in ``var/audit-checkpoint.json`` (``core.audit_chain``, which keeps the file) and in every backup. It is written after
the COMMIT of each transaction that added entries, never before, so it is never ahead of the
database: what it records must still be there. It may be behind: when a process dies between
its COMMIT and the file, or when another app process (another host over one PostgreSQL
database) wrote the entries; the next write or verification on this host moves it forward.
Before moving it, a writer checks that the entry it records is still in the database with that
hash; if not, the checkpoint is kept (the evidence) and the alarm raised.

**Checking.** ``verify`` reads the checkpoint, then the whole chain in one read: it names the
first entry that does not match its hash or does not follow the one before it, or the missing
tail. ``kaoping audit verify`` prints it (exit code 1); the server verifies at start and every
``KAOPING_AUDIT_VERIFY_MINUTES`` (``AuditMonitor``) and shows platform admins a banner on
``/admin/`` while it fails.

**Old entries** (``hash_version`` 1, plain SHA-256) are re-keyed by ``rekey``, which first checks
their plain chain (and the checkpoint, if any): ``kaoping db upgrade`` runs it after the
migrations, the server at start, ``kaoping audit rekey`` by hand (``--force`` re-chains a log
whose old part is broken, recording where).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, text, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core.audit_chain import AuditChain, AuditReport, Checkpoint, CheckpointUnreadable, Head
from core.context import Actor, AppContext
from core.models import AuditEntry
from core.security import Keyring

log = logging.getLogger("kaoping.audit")

_PG_AUDIT_LOCK = 0x6B616F70  # "kaop"
HASH_VERSION = 2  # HMAC-SHA256 under Keyring.audit_mac; 1 was plain SHA-256
SESSION_KEY = "kaoping_audit"  # session.info: the database's AuditChain (set by Database.read/write)
HEAD_KEY = "kaoping_audit_head"  # session.info: the head this transaction wrote, for after its COMMIT

# Problems, as message ids with values (translated on the admin banner; see messages.po).
CHANGED = "Audit entry {id} does not match its hash: it was changed, or written without the secret key."
UNLINKED = "Audit entry {id} does not follow the entry before it: an entry before it was deleted or changed."
LEGACY_AFTER = "Audit entry {id} has a plain SHA-256 hash after keyed entries: the entries from there were rewritten."
TAIL_MISSING = (
    "The audit log ends at entry {last}, but the checkpoint of {at} records entry {checkpoint}: "
    "the entries after {last} were deleted."
)
ALL_MISSING = "The audit log is empty, but the checkpoint of {at} records entry {checkpoint}: every entry was deleted."
REWRITTEN = (
    "Audit entry {id} is not the one the checkpoint of {at} records: the log was rewritten from there "
    "(or restored from an older copy without its checkpoint)."
)
LEGACY = "{count} audit entries, from entry {id}, still have plain SHA-256 hashes: run `kaoping audit rekey`."
UNREADABLE = "The audit checkpoint {path} cannot be read: {reason}"


def _utc_iso(at: datetime) -> str:
    # SQLite hands stored UTC values back naive; PostgreSQL in the session's time zone.
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat()


def _payload(version: int, entry: Any, prev_hash: str) -> bytes:
    content = [
        prev_hash,
        entry.locality_id,
        _utc_iso(entry.at),
        entry.user_id,
        entry.actor,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.summary,
    ]
    if version >= 2:  # version 1 is exactly what was hashed before keys
        content.insert(0, version)
    return json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()


def entry_hash(keys: Keyring | None, entry: Any, prev_hash: str | None = None, version: int | None = None) -> str:
    """The hash ``entry`` (an AuditEntry or a row with its columns) should carry."""
    version = entry.hash_version if version is None else version
    payload = _payload(version, entry, entry.prev_hash if prev_hash is None else prev_hash)
    if version == 1:
        return hashlib.sha256(payload).hexdigest()
    if keys is None:
        raise RuntimeError("keyed audit hashes need the secret key")
    return keys.audit_mac(payload)


def _chain(session: Session) -> AuditChain:
    chain = session.info.get(SESSION_KEY)
    if chain is None:
        raise RuntimeError("the audit log is written in a session of Database.write() of an AppContext")
    return chain


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})


def _head_still_there(session: Session, chain: AuditChain, last: Any) -> bool:
    """Whether the checkpoint's entry is still in the database as recorded (else the checkpoint must
    not move: it is the evidence of a truncation or rewrite, and the alarm is raised)."""
    try:
        checkpoint = chain.read_checkpoint()
    except CheckpointUnreadable:
        return True  # replaced by a good one; verification reports unreadable files
    if checkpoint is None:
        return True
    if last is not None and checkpoint.last_id == last.id:
        found = last.hash
    elif last is None or checkpoint.last_id > last.id:
        found = None
    else:
        found = session.exec(select(AuditEntry.hash).where(AuditEntry.id == checkpoint.last_id)).first()
    if found == checkpoint.last_hash:
        return True
    at = checkpoint.written_at
    if last is None:
        report = AuditReport(
            ok=False, checkpoint=checkpoint, problem=ALL_MISSING, params={"at": at, "checkpoint": checkpoint.last_id}
        )
    elif found is None and checkpoint.last_id > last.id:
        report = AuditReport(
            ok=False,
            checkpoint=checkpoint,
            head_id=last.id,
            problem=TAIL_MISSING,
            params={"last": last.id, "at": at, "checkpoint": checkpoint.last_id},
        )
    else:
        report = AuditReport(
            ok=False,
            checkpoint=checkpoint,
            first_broken_id=checkpoint.last_id,
            problem=REWRITTEN,
            params={"id": checkpoint.last_id, "at": at},
        )
    chain.alarm(report)
    return False


def record(
    session: Session,
    actor: Actor,
    *,
    locality_id: int | None,
    action: str,
    target_type: str,
    target_id: Any = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add one entry to the audit log inside the caller's transaction."""
    chain = _chain(session)
    _lock(session)
    last = session.exec(select(AuditEntry.id, AuditEntry.hash).order_by(col(AuditEntry.id).desc()).limit(1)).first()
    pending: Head | None = session.info.get(HEAD_KEY)
    may_advance = pending.may_advance if pending is not None else _head_still_there(session, chain, last)
    summary: dict[str, Any] = {}
    if before is not None:
        summary["before"] = before
    if after is not None:
        summary["after"] = after
    entry = AuditEntry(
        locality_id=locality_id,
        user_id=actor.user_id,
        actor=actor.username,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        summary=json.loads(json.dumps(summary, ensure_ascii=False, default=str)),
        prev_hash=last.hash if last is not None else "",
        hash="",
        hash_version=HASH_VERSION,
    )
    entry.at = entry.at.replace(microsecond=(entry.at.microsecond // 1000) * 1000)
    entry.hash = entry_hash(chain.keys, entry)
    session.add(entry)
    session.flush()
    session.info[HEAD_KEY] = Head(entry.id, entry.hash, may_advance)
    return entry


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only what a change touched, for a short before/after summary."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


# --- verification -------------------------------------------------------------------------------------

_COLUMNS = [
    col(AuditEntry.id),
    col(AuditEntry.locality_id),
    col(AuditEntry.at),
    col(AuditEntry.user_id),
    col(AuditEntry.actor),
    col(AuditEntry.action),
    col(AuditEntry.target_type),
    col(AuditEntry.target_id),
    col(AuditEntry.summary),
    col(AuditEntry.prev_hash),
    col(AuditEntry.hash),
    col(AuditEntry.hash_version),
]


def _rows(session: Session) -> Iterable[Any]:
    query = sa_select(*_COLUMNS).order_by(col(AuditEntry.id)).execution_options(yield_per=2000)
    return session.execute(query)


def _check(keys: Keyring, rows: Iterable[Any], checkpoint: Checkpoint | None) -> AuditReport:
    """Walk the chain in id order; the first fault wins, then the checkpoint, then old hashes."""
    report = AuditReport(ok=True, checkpoint=checkpoint)
    prev, keyed, first_legacy, checkpoint_hash = "", False, None, None
    for row in rows:
        if report.first_broken_id is None:
            if row.hash_version == 1 and keyed:
                report.first_broken_id, report.problem = row.id, LEGACY_AFTER
            elif row.prev_hash != prev:
                report.first_broken_id, report.problem = row.id, UNLINKED
            elif row.hash_version not in (1, HASH_VERSION) or entry_hash(keys, row) != row.hash:
                report.first_broken_id, report.problem = row.id, CHANGED
            if report.first_broken_id is not None:
                report.params = {"id": row.id}
        keyed = keyed or row.hash_version != 1
        if row.hash_version == 1:
            report.legacy += 1
            first_legacy = first_legacy or row.id
        if checkpoint is not None and row.id == checkpoint.last_id:
            checkpoint_hash = row.hash
        prev = row.hash
        report.entries += 1
        report.head_id, report.head_hash = row.id, row.hash
    if report.first_broken_id is not None:
        report.ok = False
    elif checkpoint is not None and checkpoint_hash != checkpoint.last_hash:
        report.ok = False
        at = checkpoint.written_at
        if report.head_id is None:
            report.problem, report.params = ALL_MISSING, {"at": at, "checkpoint": checkpoint.last_id}
        elif report.head_id < checkpoint.last_id:
            report.problem = TAIL_MISSING
            report.params = {"last": report.head_id, "at": at, "checkpoint": checkpoint.last_id}
        else:
            report.first_broken_id = checkpoint.last_id
            report.problem, report.params = REWRITTEN, {"id": checkpoint.last_id, "at": at}
    elif report.legacy:
        report.ok = False
        report.problem, report.params = LEGACY, {"count": report.legacy, "id": first_legacy}
    return report


def verify(ctx: AppContext) -> AuditReport:
    """Check the whole chain against the checkpoint; the outcome is also kept for the banner.

    The checkpoint is read first: it is never ahead of the database, so whatever it records
    must be in the chain read after it."""
    chain = ctx.db.audit
    try:
        checkpoint = chain.read_checkpoint()
    except CheckpointUnreadable as exc:
        report = AuditReport(ok=False, problem=UNREADABLE, params={"path": str(chain.path), "reason": str(exc)})
        chain.alarm(report, logged=False)
        return report
    with ctx.db.read() as session:
        report = _check(ctx.keys, _rows(session), checkpoint)
    if report.ok:
        chain.report = report
        if report.head_id is not None:  # a checkpoint left behind (or none yet) catches up
            try:
                chain.write_checkpoint(report.head_id, report.head_hash)
            except OSError as exc:  # e.g. run by a user who may not write var/: it stays behind
                log.warning("could not move the audit checkpoint %s up: %s", chain.path, exc)
    else:
        chain.alarm(report, logged=False)  # the caller says it: the monitor logs, the command prints
    return report


def verify_chain(session: Session) -> int | None:
    """The id of the first entry that does not match its hash or does not follow the one before,
    or None (the chain alone, without the checkpoint)."""
    return _check(_chain(session).keys, _rows(session), None).first_broken_id


def describe(ctx: AppContext, entry_id: int) -> str:
    """One line about an entry, for the command line: when, who, what."""
    with ctx.db.read() as session:
        entry = session.get(AuditEntry, entry_id)
    if entry is None:
        return f"entry {entry_id}: not in the database"
    return (
        f"entry {entry.id}: {_utc_iso(entry.at)} {entry.actor} {entry.action} "
        f"{entry.target_type} {entry.target_id}".rstrip()
    )


@dataclass(frozen=True)
class RekeyResult:
    rekeyed: int
    broken: AuditReport | None = None  # what was wrong before a forced re-key


def rekey(ctx: AppContext, *, force: bool = False) -> RekeyResult:
    """Re-key entries that still have plain SHA-256 hashes (``hash_version`` 1): check the chain as
    it is (old entries with SHA-256, keyed ones with the key, and the checkpoint), then rewrite every
    hash from the first entry on as HMAC, in one transaction. A chain broken otherwise is refused
    (``force`` re-chains it anyway; the fault is logged and recorded in an ``audit.rekey`` entry).
    Needs UPDATE on ``audit_log``: the owner's role (see the README), not the app's."""
    chain = ctx.db.audit
    with ctx.db.write() as session:
        _lock(session)
        if not session.exec(select(AuditEntry.id).where(AuditEntry.hash_version == 1).limit(1)).first():
            return RekeyResult(0)
        try:
            checkpoint = chain.read_checkpoint()
        except CheckpointUnreadable:
            checkpoint = None
        rows = list(_rows(session))
        report = _check(ctx.keys, rows, checkpoint)
        broken = report if report.problem != LEGACY else None
        if broken is not None and not force:
            return RekeyResult(0, broken)
        prev, updates = "", []
        for row in rows:
            new = entry_hash(ctx.keys, row, prev_hash=prev, version=HASH_VERSION)
            updates.append({"entry_id": row.id, "prev": prev, "new": new})
            prev = new
        table = AuditEntry.__table__
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("entry_id"))
            .values(prev_hash=bindparam("prev"), hash=bindparam("new"), hash_version=HASH_VERSION),
            updates,
        )
        session.info[HEAD_KEY] = Head(rows[-1].id, prev, may_advance=True, force=True)
        if broken is not None:
            log.warning("re-keyed an audit log that did not verify: %s", broken.message)
            entry = record(
                session,
                Actor.system("rekey"),
                locality_id=None,
                action="audit.rekey",
                target_type="audit_log",
                after={"entries": len(rows), "was_broken": broken.message},
            )
            session.info[HEAD_KEY] = Head(entry.id, entry.hash, may_advance=True, force=True)
    chain.report = None
    return RekeyResult(len(rows), broken)


# --- the server's watch -----------------------------------------------------------------------------


class AuditMonitor:
    """Verifies the chain in a background thread of the server: at start (re-keying old entries
    first, when the database role may), then every ``every_seconds``."""

    def __init__(self, ctx: AppContext, every_seconds: float):
        self.ctx = ctx
        self.every_seconds = every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kaoping-audit", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            self._rekey_old_entries()
        except Exception:  # noqa: BLE001 - e.g. the app's role may not UPDATE audit_log
            log.exception("could not re-key the old audit entries: run `kaoping audit rekey` as the database owner")
        while True:
            try:
                report = verify(self.ctx)
                if report.ok:
                    log.info("audit log verified: %d entries", report.entries)
                else:
                    log.error("AUDIT LOG: %s", report.message)
            except Exception:  # noqa: BLE001 - the database may be away for a moment
                log.exception("verifying the audit log failed")
            if self._stop.wait(self.every_seconds):
                return

    def _rekey_old_entries(self) -> None:
        result = rekey(self.ctx)
        if result.rekeyed:
            log.warning("re-keyed %d audit entries (plain SHA-256 -> HMAC)", result.rekeyed)
        elif result.broken is not None:
            log.error("old audit entries were not re-keyed: %s", result.broken.message)
