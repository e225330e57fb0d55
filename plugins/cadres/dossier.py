"""A cadre's dossier files (档案材料): files on a person, kept by the core's attachments service
(``core.services.attachments``: its size limit, the kinds it takes recognised by their content,
at most 20 files a person, storage outside the web root under random names).

The strictest access of the cadre cloud: the organisation department of the person's locality
(``org_dept`` and ``org_dept_head``) lists, uploads and downloads; everyone else — the office,
platform admins, the person themselves — gets 404, as for a person that does not exist. Every
download is written to the view log (``dossier``, with the file's id and name), every upload
and deletion to the audit chain; a file is deleted by its uploader."""

from __future__ import annotations

from sqlmodel import Session

from core.context import Actor, AppContext
from core.services import attachments, audit
from core.services.attachments import AttachmentOut, Download
from core.services.discussion import Access, Resolver
from plugins.cadres.access import cadre_locality
from plugins.cadres.models import ViewAction
from plugins.cadres.service import _person, record_view

TARGET = "cadre_dossier"
PHOTO_TARGET = "cadre_photo"  # the photo (``photo``): one a person, apart from the 20 files


def resolver(code: str, person_id: int) -> Resolver:
    """The attachments service's check: a person of the locality ``code`` whose organisation
    department the actor is of (404 otherwise); the department may upload."""

    def resolve(session: Session, actor: Actor) -> Access:
        locality = cadre_locality(session, actor, code)
        _person(session, locality.id, person_id)
        return Access(locality_id=locality.id, may_write=True)

    return resolve


def list_dossier(ctx: AppContext, actor: Actor, code: str, person_id: int) -> list[AttachmentOut]:
    return attachments.list_files(ctx, actor, TARGET, person_id, resolver(code, person_id))


def add_dossier_file(
    ctx: AppContext, actor: Actor, code: str, person_id: int, file_name: str, content: bytes
) -> AttachmentOut:
    """Attach a file (the attachments service's limits and checks); audited."""
    added = attachments.add_file(ctx, actor, TARGET, person_id, resolver(code, person_id), file_name, content)
    with ctx.db.write() as session:
        locality = cadre_locality(session, actor, code)
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="cadres.dossier.add",
            target_type=TARGET,
            target_id=f"{person_id}/attachment/{added.id}",
            after={"file_name": added.file_name, "kind": added.kind, "size": added.size},
        )
    return added


def open_dossier_file(ctx: AppContext, actor: Actor, code: str, person_id: int, attachment_id: int) -> Download:
    """A file to send; the download is written to the view log first."""
    download = attachments.open_file(ctx, actor, TARGET, person_id, resolver(code, person_id), attachment_id)
    with ctx.db.write() as session:
        locality = cadre_locality(session, actor, code)
        record_view(
            session, actor, locality.id, ViewAction.dossier, [person_id], f"#{attachment_id} {download.file_name}"
        )
    return download


def delete_dossier_file(ctx: AppContext, actor: Actor, code: str, person_id: int, attachment_id: int) -> None:
    """Delete a file: its uploader (403 for another of the department); audited by the service."""
    attachments.delete_file(ctx, actor, TARGET, person_id, resolver(code, person_id), attachment_id)


def prune_orphans(ctx: AppContext) -> int:
    """Remove the dossier files and photos of people deleted since (the core deletes a person
    without knowing of this plugin's files): their rows, then their files after the COMMIT. How
    many people's files went. Run by the periodic pass (``watch``)."""
    from sqlalchemy import exists
    from sqlmodel import col, select

    from core.models import Attachment, Person

    with ctx.db.write() as session:
        gone = sorted(
            set(
                session.exec(
                    select(Attachment.target_type, Attachment.target_id).where(
                        col(Attachment.target_type).in_((TARGET, PHOTO_TARGET)),
                        ~exists().where(col(Person.id) == Attachment.target_id),
                    )
                ).all()
            )
        )
        paths = [
            path for kind, target_id in gone for path in attachments.delete_for_target(ctx, session, kind, target_id)
        ]
    attachments.remove_files(paths)
    return len({target_id for _kind, target_id in gone})
