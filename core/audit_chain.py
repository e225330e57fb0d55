"""The audit chain's state outside the database: its checkpoint file (the head of the chain,
last id and hash, under ``var/``) and the last verification, one ``AuditChain`` per
``AppContext`` (``ctx.db.audit``). What the chain is and how it is checked:
``core.services.audit``, which writes and verifies the entries on top of this."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.security import Keyring

log = logging.getLogger("kaoping.audit")

CHECKPOINT_FILE = "audit-checkpoint.json"


# --- the checkpoint ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    last_id: int
    last_hash: str
    written_at: datetime


class CheckpointUnreadable(Exception):
    pass


@dataclass(frozen=True)
class Head:
    id: int
    hash: str
    may_advance: bool = True
    force: bool = False


@dataclass
class AuditReport:
    """The outcome of a verification. ``problem`` is a message id, ``params`` its values."""

    ok: bool
    entries: int = 0
    head_id: int | None = None
    head_hash: str = ""
    checkpoint: Checkpoint | None = None
    first_broken_id: int | None = None
    legacy: int = 0
    problem: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def message(self) -> str:
        """The problem in English (logs, the command line)."""
        return self.problem.format(**{k: _plain(v) for k, v in self.params.items()}) if self.problem else ""


def _plain(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    return str(value)


class AuditChain:
    """The keys and the checkpoint file of one database's audit chain, and its last known state.

    One per ``AppContext`` (``ctx.db.audit``); sessions of ``Database.read``/``write`` carry it in
    ``session.info`` so ``record`` can key entries and the COMMIT can move the checkpoint."""

    def __init__(self, keys: Keyring, path: Path):
        self.keys = keys
        self.path = path
        self._lock = threading.Lock()
        self.report: AuditReport | None = None  # the last verification (or an alarm raised by a writer)

    # The file is replaced atomically (a temporary file, fsync, rename) under an exclusive lock on a
    # lock file, so processes of one host never interleave, and it only moves forward.

    def read_checkpoint(self) -> Checkpoint | None:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CheckpointUnreadable(str(exc)) from None
        try:
            data = json.loads(raw)
            return Checkpoint(
                last_id=int(data["last_id"]),
                last_hash=str(data["last_hash"]),
                written_at=datetime.fromisoformat(data["written_at"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointUnreadable(f"not a checkpoint ({exc})") from None

    def write_checkpoint(
        self, last_id: int, last_hash: str, *, force: bool = False, written_at: datetime | None = None
    ) -> bool:
        """Record (last_id, last_hash) unless the file already records a later entry (``force``:
        in any case, after a re-key or a restore, which keeps its ``written_at``). Return whether
        it was written."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not force:
                try:
                    current = self.read_checkpoint()
                except CheckpointUnreadable:
                    current = None  # replaced by a good one
                if current is not None and current.last_id >= last_id:
                    return False
            data = {
                "last_id": last_id,
                "last_hash": last_hash,
                "written_at": (written_at or datetime.now(UTC)).isoformat(timespec="seconds"),
            }
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}")
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
            return True

    def forget(self) -> None:
        """Remove the checkpoint (a database emptied on purpose: tests, a restore)."""
        self.path.unlink(missing_ok=True)
        self.report = None

    def committed(self, head: Head) -> None:
        """Called after the COMMIT of a transaction that added entries (``Database.write``)."""
        if not head.may_advance:
            return
        try:
            self.write_checkpoint(head.id, head.hash, force=head.force)
        except OSError:  # the entries are committed; the checkpoint stays behind, which is allowed
            log.exception("could not write the audit checkpoint %s", self.path)

    def alarm(self, report: AuditReport, *, logged: bool = True) -> None:
        self.report = report
        if logged:
            log.error("AUDIT LOG: %s", report.message)

    @property
    def failing(self) -> AuditReport | None:
        """The last verification, when it failed (shown on the admin dashboard)."""
        return self.report if self.report is not None and not self.report.ok else None
