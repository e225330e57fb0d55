"""Backup and restore: ``kaoping backup FILE``, ``kaoping restore FILE``, scheduled backups.

A backup is one gzip'd tar file:

- ``manifest.json`` first: the format and its version, when, the backend, the migration, the
  **fingerprint** of the secret key (HKDF under its own label: it names the key, it does not
  reveal it; the key itself is never in a backup), the audit checkpoint (``core.services.audit``),
  the size and SHA-256 of every other member, and an HMAC of all that under a key derived from
  the secret key, so a changed archive is refused;
- ``database.sqlite`` (SQLite's online backup API, ``sqlite3.Connection.backup``: one
  consistent copy while the app keeps writing) or ``database.pgdump`` (``pg_dump`` custom format,
  which dumps one consistent snapshot);
- ``files/adapter-files/...``: the files of ``tabular_file`` adapter sources under ``var/``.

The checkpoint is read *before* the database is copied: it is never ahead of the database, so
the copy holds every entry it records, and a restore checks the restored chain against it.

Restoring goes only into an empty database (no tables) and an empty ``var/adapter-files``, with
the same secret key (its fingerprint must match): the restored tokens, ballot codes, ID-card
numbers, sealed ballots and audit hashes are keyed by it.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from core.context import AppContext
from core.services import audit, planner_stats

log = logging.getLogger("kaoping.backup")

FORMAT = "kaoping-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
FILES = "files"
FILE_FOLDERS = ("adapter-files", "attachments")  # the folders under var/ a backup carries
SCHEDULED_PREFIX = "kaoping-"
SCHEDULED_SUFFIX = ".tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in one line."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    backend: str
    migration: str | None
    files: int
    audit_checkpoint: dict | None


@dataclass(frozen=True)
class RestoreInfo:
    backend: str
    migration: str | None
    files: int
    created_at: str
    audit: audit.AuditReport | None  # None when the restored database needs `kaoping db upgrade` first
    needs_upgrade: bool


def _backend(ctx: AppContext) -> str:
    return "sqlite" if ctx.db.is_sqlite else "postgresql"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _canonical(manifest: dict) -> bytes:
    return json.dumps({k: v for k, v in manifest.items() if k != "mac"}, sort_keys=True, ensure_ascii=False).encode()


def _sqlite_path(ctx: AppContext) -> Path:
    database = make_url(ctx.db.url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _libpq(ctx: AppContext) -> tuple[str, dict[str, str]]:
    """A libpq URI for pg_dump/pg_restore, its password in the environment (not the command line)."""
    url = make_url(ctx.db.url)
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client programs "
            f"(Debian: apt-get install postgresql-client)"
        ) from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"{command[0]} failed: {lines[-1] if lines else f'exit code {result.returncode}'}")


def _migration(connection) -> str | None:
    try:
        # one revision per branch (the core's and each plugin's), as core.migrate.current_revision
        return " ".join(sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())) or None
    except Exception:  # noqa: BLE001 - no such table: an empty database
        return None


# --- backup -------------------------------------------------------------------------------------------


def _copy_database(ctx: AppContext, folder: Path) -> tuple[str, str | None]:
    """Copy the database into ``folder``; return (member name, migration of the copy)."""
    if ctx.db.is_sqlite:
        target = folder / DATABASE_MEMBER["sqlite"]
        source = sqlite3.connect(_sqlite_path(ctx), timeout=30)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # every page in one step: one consistent read of the database
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            migration = [" ".join(sorted(r[0] for r in copy.execute("SELECT version_num FROM alembic_version")))]
        finally:
            copy.close()
            source.close()
        return target.name, migration[0] or None
    target = folder / DATABASE_MEMBER["postgresql"]
    with ctx.db.engine.connect() as connection:
        migration = _migration(connection)
    uri, env = _libpq(ctx)
    _run(["pg_dump", "--format=custom", "--no-password", f"--file={target}", f"--dbname={uri}"], env)
    return target.name, migration


def _copy_files(ctx: AppContext, folder: Path) -> list[str]:
    """Copy the var/ folders a backup carries; return the members (relative POSIX paths)."""
    members = []
    var_dir = Path(ctx.settings.var_dir)
    for name in FILE_FOLDERS:
        root = var_dir / name
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            relative = path.relative_to(var_dir).as_posix()
            target = folder / FILES / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(path, target)
            except FileNotFoundError:  # moved by an adapter run meanwhile: it is wherever it went
                continue
            members.append(f"{FILES}/{relative}")
    return members


def backup(ctx: AppContext, path: Path) -> BackupInfo:
    """Write a backup of the database, the audit checkpoint and the adapter files to ``path``."""
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a folder: name the backup file")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        checkpoint = ctx.db.audit.read_checkpoint()  # before the copy: never ahead of it
    except audit.CheckpointUnreadable as exc:
        raise BackupError(f"the audit checkpoint {ctx.db.audit.path} cannot be read: {exc}") from None
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with tempfile.TemporaryDirectory(prefix=".kaoping-backup-", dir=path.parent) as scratch:
        folder = Path(scratch)
        database, migration = _copy_database(ctx, folder)
        files = _copy_files(ctx, folder)
        members = {
            name: {"size": (folder / name).stat().st_size, "sha256": _sha256(folder / name)}
            for name in [database, *files]
        }
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "backend": _backend(ctx),
            "migration": migration,
            "secret_key_fingerprint": ctx.keys.fingerprint,
            "audit_checkpoint": {
                "last_id": checkpoint.last_id,
                "last_hash": checkpoint.last_hash,
                "written_at": checkpoint.written_at.isoformat(),
            }
            if checkpoint
            else None,
            "members": members,
        }
        manifest["mac"] = ctx.keys.backup_mac(_canonical(manifest))
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the whole database
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive:
                    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                    archive.addfile(info, io.BytesIO(data))
                    for name in members:
                        archive.add(folder / name, arcname=name, recursive=False)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return BackupInfo(
        path=path,
        size=path.stat().st_size,
        backend=manifest["backend"],
        migration=migration,
        files=len(files),
        audit_checkpoint=manifest["audit_checkpoint"],
    )


# --- restore ------------------------------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read())
    except (KeyError, AttributeError, ValueError):
        raise BackupError("not a Kaoping backup: it has no manifest.json") from None
    if manifest.get("format") != FORMAT:
        raise BackupError("not a Kaoping backup: its manifest is of another format")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"a backup of format version {manifest.get('version')}, which this version of Kaoping "
            f"does not read (it reads {VERSION})"
        )
    return manifest


def _check_manifest(ctx: AppContext, manifest: dict) -> None:
    fingerprint = manifest.get("secret_key_fingerprint")
    if fingerprint != ctx.keys.fingerprint:
        raise BackupError(
            f"the backup was made with another secret key (fingerprint {fingerprint}); this KAOPING_SECRET_KEY "
            f"has fingerprint {ctx.keys.fingerprint}. Restore with the key the backup was made with "
            f"(KAOPING_SECRET_KEY, or var/secret.key): without it "
            f"the restored codes, tokens, ID-card numbers, sealed ballots and audit log cannot be read"
        )
    if not hmac.compare_digest(str(manifest.get("mac", "")), ctx.keys.backup_mac(_canonical(manifest))):
        raise BackupError("the backup's manifest does not match its signature: the archive was changed")
    if manifest.get("backend") != _backend(ctx):
        raise BackupError(
            f"a backup of a {manifest.get('backend')} database restores only into a "
            f"{manifest.get('backend')} database (KAOPING_DATABASE_URL is {_backend(ctx)})"
        )


def _check_empty(ctx: AppContext) -> None:
    if ctx.db.is_sqlite and not _sqlite_path(ctx).exists():
        tables = []
    else:
        with ctx.db.engine.connect() as connection:
            tables = inspect(connection).get_table_names()
    if tables:
        raise BackupError(
            f"the database is not empty (it has {len(tables)} tables, e.g. {sorted(tables)[0]}): "
            f"restore only into a new, empty database"
        )
    var_dir = Path(ctx.settings.var_dir)
    for name in FILE_FOLDERS:
        folder = var_dir / name
        if folder.is_dir() and any(folder.iterdir()):
            raise BackupError(f"{folder} is not empty: restore only into a var folder without {name}")


def _safe_member(name: str, manifest: dict) -> bool:
    if name == DATABASE_MEMBER.get(manifest.get("backend", "")) and name in manifest["members"]:
        return True
    parts = PurePosixPath(name).parts
    return (
        name in manifest["members"]
        and len(parts) >= 3
        and parts[0] == FILES
        and parts[1] in FILE_FOLDERS
        and not PurePosixPath(name).is_absolute()
        and ".." not in parts
    )


def _extract(archive: tarfile.TarFile, manifest: dict, folder: Path) -> None:
    seen = set()
    for member in archive:
        if member.name == MANIFEST:
            continue
        if not member.isfile() or not _safe_member(member.name, manifest):
            raise BackupError(f"the backup holds {member.name!r}, which its manifest does not list")
        target = folder / member.name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with archive.extractfile(member) as source, target.open("wb") as handle:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                handle.write(block)
        expected = manifest["members"][member.name]
        if digest.hexdigest() != expected["sha256"] or target.stat().st_size != expected["size"]:
            raise BackupError(f"{member.name} in the backup does not match its manifest: the archive was changed")
        seen.add(member.name)
    missing = set(manifest["members"]) - seen
    if missing:
        raise BackupError(f"the backup lacks {sorted(missing)[0]}, which its manifest lists: it is incomplete")


def _restore_database(ctx: AppContext, source: Path) -> None:
    ctx.db.dispose()
    if ctx.db.is_sqlite:
        target = _sqlite_path(ctx)
        target.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):  # an empty database's own files
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        partial = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(source, partial)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
        return
    uri, env = _libpq(ctx)
    # Objects are owned by the restoring role; grants are not restored (see the README's
    # PostgreSQL roles: apply them again after a restore).
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={uri}",
            str(source),
        ],
        env,
    )


def restore(ctx: AppContext, path: Path) -> RestoreInfo:
    """Restore the backup at ``path`` into the (empty) database and var folder of ``ctx``."""
    from core.migrate import head_revision

    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    try:
        archive = tarfile.open(path, mode="r:*")
    except tarfile.TarError as exc:
        raise BackupError(f"{path} is not a Kaoping backup: {exc}") from None
    var_dir = Path(ctx.settings.var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    with archive, tempfile.TemporaryDirectory(prefix=".kaoping-restore-", dir=var_dir) as scratch:
        manifest = read_manifest(archive)
        _check_manifest(ctx, manifest)
        _check_empty(ctx)
        folder = Path(scratch)
        try:
            _extract(archive, manifest, folder)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"the backup cannot be read: {exc}") from None
        _restore_database(ctx, folder / DATABASE_MEMBER[manifest["backend"]])
        files = [name for name in manifest["members"] if name.startswith(FILES + "/")]
        for name in files:
            target = var_dir / PurePosixPath(name).relative_to(FILES)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(folder / name, target)
    planner_stats.refresh_all(ctx.db)  # a dump carries no planner statistics (PostgreSQL), a copy stale ones
    checkpoint = manifest.get("audit_checkpoint")
    chain = ctx.db.audit
    chain.forget()
    if checkpoint:
        chain.write_checkpoint(
            int(checkpoint["last_id"]),
            str(checkpoint["last_hash"]),
            force=True,
            written_at=datetime.fromisoformat(checkpoint["written_at"]),
        )
    migration = manifest.get("migration")
    needs_upgrade = migration != head_revision(ctx.db.url)
    report = None if needs_upgrade else audit.verify(ctx)
    return RestoreInfo(
        backend=manifest["backend"],
        migration=migration,
        files=len(files),
        created_at=manifest["created_at"],
        audit=report,
        needs_upgrade=needs_upgrade,
    )


# --- scheduled backups ----------------------------------------------------------------------------------


def scheduled_backup(ctx: AppContext, now: datetime | None = None) -> Path | None:
    """The backup of one firing of ``KAOPING_BACKUP_CRON`` into ``KAOPING_BACKUP_DIR``, then keep
    the newest ``KAOPING_BACKUP_KEEP``. Named after the firing's minute (UTC) and claimed with a
    file created exclusively, so of several processes firing together (``serve --workers``, a
    worker) one writes it; return its path, or None when another process has it."""
    folder = ctx.settings.backup_dir
    if folder is None:
        return None
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    path = folder / f"{SCHEDULED_PREFIX}{now:%Y%m%dT%H%MZ}{SCHEDULED_SUFFIX}"
    claim = path.with_name(path.name + ".claim")
    try:
        os.close(os.open(claim, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return None
    try:
        if path.exists():
            return None
        info = backup(ctx, path)
        log.info("scheduled backup written: %s (%d bytes)", info.path, info.size)
    finally:
        claim.unlink(missing_ok=True)
    prune(folder, ctx.settings.backup_keep)
    return path


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete scheduled backups but the newest ``keep`` (by name: their time), and leftovers of
    backups interrupted more than a day ago. Other files in the folder are left alone."""
    backups = sorted(p for p in folder.glob(f"{SCHEDULED_PREFIX}*{SCHEDULED_SUFFIX}") if p.is_file())
    removed = backups[:-keep] if keep > 0 else backups
    stale = time.time() - 86400
    for leftover in [*folder.glob(".*.partial"), *folder.glob(".kaoping-backup-*"), *folder.glob("*.claim")]:
        try:
            if leftover.stat().st_mtime < stale:
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        except FileNotFoundError:
            pass
    for path in removed:
        path.unlink(missing_ok=True)
        log.info("removed old backup %s (KAOPING_BACKUP_KEEP=%d)", path, keep)
    return removed
