"""Files on any target of a plugin (a work record, later a goal).

**Who may do what** is the owning plugin's decision, with the same contract as the discussion
(``core.services.discussion.Access``/``Resolver``): ``resolve(session, actor)`` raises
``NotFound`` when the actor may not read the target; ``may_write`` says whether it may upload.
Files are listed and served only to those who may read the target. A file is deleted by its
uploader or the office of the target's locality (audited), or with its target
(``delete_for_target``).

**Storage**: ``<var_dir>/attachments/<locality id>/<storage key>``, the key 32 random hex
digits; the uploader's file name is kept in the database only (shown, and sent back in
``Content-Disposition``), never used as a path.

**Limits**: at most ``KAOPING_ATTACHMENT_MAX_MB`` (default 20) MB a file (413), at most
``MAX_PER_TARGET`` files a target (409); the kinds ``pdf``, ``docx``, ``xlsx``, ``jpg``
(``.jpeg``), ``png`` and ``txt``, each recognised by its content, which must match the name's
extension (422 otherwise): ``%PDF-``; a zip whose ``[Content_Types].xml`` names a Word document
or an Excel workbook; the JPEG and PNG signatures; UTF-8 (or GB18030) text without control
characters. An ``.exe`` renamed ``.pdf`` is refused.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Attachment
from core.services import audit
from core.services.discussion import Resolver, display_name, is_office
from core.services.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge

log = logging.getLogger("kaoping.attachments")

MAX_PER_TARGET = 20
MAX_NAME = 200
CHUNK = 64 * 1024
# kind -> (extensions, the media type it is served as)
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "pdf": ((".pdf",), "application/pdf"),
    "docx": ((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jpg": ((".jpg", ".jpeg"), "image/jpeg"),
    "png": ((".png",), "image/png"),
    "txt": ((".txt",), "text/plain; charset=utf-8"),
}
ALLOWED = ", ".join(ext for exts, _ in KINDS.values() for ext in exts)
_OOXML = {"docx": "wordprocessingml.document.main+xml", "xlsx": "spreadsheetml.sheet.main+xml"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class AttachmentOut(BaseModel):
    id: int
    file_name: str
    kind: str
    size: int  # bytes
    author_name: str
    created_at: datetime
    may_delete: bool


@dataclass(frozen=True)
class Download:
    """A file to send: its row's facts and where it lies."""

    path: Path
    file_name: str
    media_type: str
    size: int


def max_bytes(ctx: AppContext) -> int:
    """The size limit of one file, in bytes."""
    return ctx.settings.attachment_max_mb * 1024 * 1024


async def read_bounded(upload, limit: int) -> bytes:
    """Read an uploaded file (anything with ``async read(n)``) in chunks, refusing (413) as
    soon as it is over ``limit`` bytes, so a large file is never held whole."""
    parts, size = [], 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise TooLarge("the file is over {mb} MB", params={"mb": limit // (1024 * 1024)})
        parts.append(chunk)
    return b"".join(parts)


def clean_name(name: str) -> str:
    """The file's own name, as shown: no folders, no control characters, at most 200 characters
    (the extension kept)."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _CONTROL.sub("", name).replace('"', "'").strip().strip(".") if name.strip(".") else ""
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:MAX_NAME]
    return name


def _extension_kind(name: str) -> str | None:
    lower = name.lower()
    return next((kind for kind, (exts, _) in KINDS.items() if lower.endswith(exts)), None)


def _ooxml_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                return None
            types = archive.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, RuntimeError, ValueError, NotImplementedError, OSError, EOFError):
        return None
    return next((kind for kind, marker in _OOXML.items() if marker in types), None)


def _is_text(content: bytes) -> bool:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not _CONTROL.search(text)
    return False


def sniff(content: bytes) -> str | None:
    """The kind the content is (``pdf``, ``docx``, ``xlsx``, ``jpg``, ``png``, ``txt``), or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"PK\x03\x04"):
        return _ooxml_kind(content)
    return "txt" if _is_text(content) else None


def check_file(ctx: AppContext, file_name: str, content: bytes) -> tuple[str, str]:
    """The cleaned name and the kind of an upload, or the error a user reads: 413 over the size
    limit, 422 an empty file, a refused extension or content that is not what the name says."""
    if len(content) > max_bytes(ctx):
        raise TooLarge("the file is over {mb} MB", params={"mb": ctx.settings.attachment_max_mb})
    name = clean_name(file_name)
    wanted = _extension_kind(name)
    if wanted is None:
        raise Invalid(
            "{name}: only these kinds of file may be attached: {allowed}",
            params={"name": name or "?", "allowed": ALLOWED},
            errors=[{"field": "file", "message": "kind of file not allowed"}],
        )
    if not content:
        raise Invalid(
            "{name}: the file is empty", params={"name": name}, errors=[{"field": "file", "message": "empty"}]
        )
    found = sniff(content)
    if found != wanted:
        raise Invalid(
            "{name}: its content is not a {kind} file (it may have been renamed)",
            params={"name": name, "kind": wanted},
            errors=[{"field": "file", "message": "content does not match"}],
        )
    return name, wanted


def _folder(ctx: AppContext, locality_id: int) -> Path:
    return Path(ctx.settings.var_dir) / "attachments" / str(locality_id)


def _path(ctx: AppContext, row: Attachment) -> Path:
    return _folder(ctx, row.locality_id) / row.storage_key


def _out(actor: Actor, locality_id: int, row: Attachment) -> AttachmentOut:
    mine = actor.user_id is not None and row.user_id == actor.user_id
    return AttachmentOut(
        id=row.id,
        file_name=row.file_name,
        kind=row.kind,
        size=row.size,
        author_name=row.author_name,
        created_at=row.created_at,
        may_delete=mine or is_office(actor, locality_id),
    )


def list_files(
    ctx: AppContext, actor: Actor, target_type: str, target_id: int, resolve: Resolver
) -> list[AttachmentOut]:
    """The target's files, oldest first; 404 when the actor may not read the target."""
    with ctx.db.read() as session:
        access = resolve(session, actor)
        return [_out(actor, access.locality_id, row) for row in _rows(session, target_type, target_id)]


def _rows(session: Session, target_type: str, target_id: int) -> list[Attachment]:
    return list(
        session.exec(
            select(Attachment)
            .where(Attachment.target_type == target_type, Attachment.target_id == target_id)
            .order_by(col(Attachment.id))
        )
    )


def add_file(
    ctx: AppContext, actor: Actor, target_type: str, target_id: int, resolve: Resolver, file_name: str, content: bytes
) -> AttachmentOut:
    """Attach a file (``check_file``'s limits). 404 for a target the actor may not read, 403
    one it may not upload to, 409 when the target has ``MAX_PER_TARGET`` files already. The
    file is written before the row and removed again if the transaction fails."""
    with ctx.db.read() as session:  # who may not read the target learns nothing of it: 404 first
        resolve(session, actor)
    name, kind = check_file(ctx, file_name, content)
    key = secrets.token_hex(16)
    path: Path | None = None
    try:
        with ctx.db.write() as session:
            access = resolve(session, actor)
            if not access.may_write or actor.user_id is None:
                raise Forbidden("you may read this but not attach files to it")
            have = session.exec(
                select(func.count())
                .select_from(Attachment)
                .where(Attachment.target_type == target_type, Attachment.target_id == target_id)
            ).one()
            if have >= MAX_PER_TARGET:
                raise Conflict("at most {max} files may be attached", params={"max": MAX_PER_TARGET})
            path = _folder(ctx, access.locality_id) / key
            row = _write(session, actor, access.locality_id, target_type, target_id, name, kind, content, path)
            out = _out(actor, access.locality_id, row)
    except BaseException:
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    return out


def _write(
    session: Session,
    actor: Actor,
    locality_id: int,
    target_type: str,
    target_id: int,
    name: str,
    kind: str,
    content: bytes,
    path: Path,
) -> Attachment:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:
        handle.write(content)
    row = Attachment(
        locality_id=locality_id,
        target_type=target_type,
        target_id=target_id,
        user_id=actor.user_id,
        author_name=display_name(session, actor),
        file_name=name,
        kind=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_key=path.name,
    )
    session.add(row)
    session.flush()
    return row


def store_in(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    *,
    locality_id: int,
    target_type: str,
    target_id: int,
    file_name: str,
    content: bytes,
    kinds: tuple[str, ...] = tuple(KINDS),
) -> tuple[Attachment, Path]:
    """Store a file in the caller's transaction, for a plugin that checked who may write (an
    import that attaches what it reads): ``check_file``'s checks, the content one of ``kinds``.
    The file is on the disk when this returns; the caller unlinks the returned path if its
    transaction fails (``remove_files``). The per-target limit is the caller's."""
    name, kind = check_file(ctx, file_name, content)
    if kind not in kinds:
        raise Invalid(
            "{name}: only these kinds of file may be attached: {allowed}",
            params={"name": name, "allowed": ", ".join(kinds)},
            errors=[{"field": "file", "message": "kind of file not allowed"}],
        )
    path = _folder(ctx, locality_id) / secrets.token_hex(16)
    row = _write(session, actor, locality_id, target_type, target_id, name, kind, content, path)
    return row, path


def read_content(ctx: AppContext, row: Attachment) -> bytes | None:
    """A stored file's bytes (None when it is gone from the disk)."""
    try:
        return _path(ctx, row).read_bytes()
    except OSError:
        log.error("attachment %s is missing from the disk", row.id)
        return None


def open_file(
    ctx: AppContext, actor: Actor, target_type: str, target_id: int, resolve: Resolver, attachment_id: int
) -> Download:
    """A file of the target to send; 404 when the actor may not read the target, or for a file
    not on it (or gone from the disk)."""
    with ctx.db.read() as session:
        resolve(session, actor)
        row = _row(session, target_type, target_id, attachment_id)
        path = _path(ctx, row)
    if not path.is_file():
        log.error("attachment %s is missing from the disk: %s", row.id, path)
        raise NotFound("no file with id {attachment_id}", params={"attachment_id": attachment_id})
    return Download(path=path, file_name=row.file_name, media_type=KINDS[row.kind][1], size=row.size)


def _row(session: Session, target_type: str, target_id: int, attachment_id: int) -> Attachment:
    row = session.get(Attachment, attachment_id) if 0 < attachment_id < 2**31 else None
    if row is None or row.target_type != target_type or row.target_id != target_id:
        raise NotFound("no file with id {attachment_id}", params={"attachment_id": attachment_id})
    return row


def delete_file(
    ctx: AppContext, actor: Actor, target_type: str, target_id: int, resolve: Resolver, attachment_id: int
) -> None:
    """Delete a file: its uploader or the office (403 for another reader); audited. The file
    leaves the disk after the COMMIT."""
    with ctx.db.write() as session:
        access = resolve(session, actor)
        row = _row(session, target_type, target_id, attachment_id)
        if not _out(actor, access.locality_id, row).may_delete:
            raise Forbidden("only its uploader or the office may delete a file")
        path = _path(ctx, row)
        audit.record(
            session,
            actor,
            locality_id=access.locality_id,
            action="attachment.delete",
            target_type=target_type,
            target_id=f"{target_id}/attachment/{row.id}",
            before={"file_name": row.file_name, "size": row.size, "sha256": row.sha256, "author": row.author_name},
        )
        session.delete(row)
    path.unlink(missing_ok=True)


def delete_for_target(ctx: AppContext, session: Session, target_type: str, target_id: int) -> list[Path]:
    """Remove a target's files' rows in the caller's transaction that deletes the target; the
    caller unlinks the returned paths after its COMMIT (``remove_files``)."""
    rows = _rows(session, target_type, target_id)
    paths = [_path(ctx, row) for row in rows]
    for row in rows:
        session.delete(row)
    return paths


def remove_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
