"""A cadre's photo (照片): the one an appointment form (``.lrmx``, ``ZhaoPian``) carries, kept by
the core's attachments service as the dossier files are (``core.services.attachments``: stored
outside the web root under a random name, its content recognised as JPEG or PNG and within the
size limits — the form's own, ``lrmx.LIMITS.photo_bytes``, and the attachments' one).

One photo a person (the target ``cadre_photo``, apart from the dossier's 20 files): a form with a
photo replaces the one kept, a form without one leaves it. The same strictest access as the
dossier: the organisation department of the person's locality (``org_dept``, ``org_dept_head``);
everyone else gets 404, as for a person without a photo. It is shown on the profile page, printed
on the 任免审批表 (PDF and Word) and written back into the exported ``.lrmx``."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Attachment
from core.services import attachments
from core.services.attachments import Download
from core.services.errors import NotFound
from plugins.cadres.access import cadre_locality
from plugins.cadres.dossier import PHOTO_TARGET, resolver
from plugins.cadres.service import _person

KINDS = ("jpg", "png")
NO_PHOTO = "no photo of person {person_id}"


def kind_of(content: bytes) -> str | None:
    """``jpg`` or ``png`` by the content's signature, else None."""
    found = attachments.sniff(content[:16]) if content else None
    return found if found in KINDS else None


def _row(session: Session, person_id: int) -> Attachment | None:
    return session.exec(
        select(Attachment)
        .where(Attachment.target_type == PHOTO_TARGET, Attachment.target_id == person_id)
        .order_by(col(Attachment.id).desc())
    ).first()


def store_photo(
    ctx: AppContext, session: Session, actor: Actor, locality_id: int, person_id: int, content: bytes
) -> tuple[Path, list[Path]]:
    """Keep ``content`` as the person's photo in the caller's transaction, in place of the one
    kept: ``(new, old)``, the new file's path (the caller removes it if its transaction fails)
    and the old ones' (the caller removes them after its COMMIT, ``attachments.remove_files``).
    ``Invalid``/``TooLarge`` for content that is not a JPEG or PNG or is over the limits."""
    old = attachments.delete_for_target(ctx, session, PHOTO_TARGET, person_id)
    kind = kind_of(content) or "jpg"  # anything else is refused by the attachments' check
    _stored, path = attachments.store_in(
        ctx,
        session,
        actor,
        locality_id=locality_id,
        target_type=PHOTO_TARGET,
        target_id=person_id,
        file_name=f"photo-{person_id}.{kind}",
        content=content,
        kinds=KINDS,
    )
    return path, old


def photo_of(ctx: AppContext, session: Session, person_id: int) -> bytes | None:
    """The person's photo as kept, or None (the caller has checked who may see it)."""
    row = _row(session, person_id)
    return attachments.read_content(ctx, row) if row is not None else None


def has_photo(ctx: AppContext, actor: Actor, code: str, person_id: int) -> bool:
    with ctx.db.read() as session:
        locality = cadre_locality(session, actor, code)
        _person(session, locality.id, person_id)
        return _row(session, person_id) is not None


def open_photo(ctx: AppContext, actor: Actor, code: str, person_id: int) -> Download:
    """The photo to send: the organisation department only; 404 for everyone else and for a
    person without one. Seeing it is part of seeing the profile (which the view log records)."""
    with ctx.db.read() as session:
        locality = cadre_locality(session, actor, code)
        _person(session, locality.id, person_id)
        row = _row(session, person_id)
        if row is None:
            raise NotFound(NO_PHOTO, params={"person_id": person_id})
    return attachments.open_file(ctx, actor, PHOTO_TARGET, person_id, resolver(code, person_id), row.id)
