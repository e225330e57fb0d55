"""Downloads of one issuing call's activation codes: cut-out slips (PDF, A4, 2 x 5 per page) and
a list for the office (.xlsx). Both read the batch's encrypted plaintext codes while it is held
(``people_accounts.HOLD``); afterwards the codes exist nowhere and the batch answers 409.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import update
from sqlmodel import col, select

from core import codes
from core.context import Actor, AppContext
from core.models import ActivationBatch, Person, Unit, User
from core.models.base import utcnow
from core.services.access import OFFICE_ROLES, locality_for, require_role
from core.services.errors import Conflict, NotFound

COLUMNS, ROWS = 2, 5
NO_LONGER_KEPT = "the codes of this issue are no longer kept: issue new codes for these people"


@dataclass(frozen=True)
class SlipRow:
    """One person's slip: ``code`` as printed (``XXXX-XXXX-XXXX``)."""

    name: str
    unit: str
    username: str
    code: str


@dataclass(frozen=True)
class BatchSlips:
    locality_name: str
    sign_in_url: str
    rows: list[SlipRow]


def batch_slips(ctx: AppContext, actor: Actor, code: str, batch_id: int) -> BatchSlips:
    """The slips of batch ``batch_id`` of locality ``code``, in person order. Office roles only;
    another locality's batch is ``NotFound``; an expired one ``Conflict`` (and its codes are
    erased on the spot)."""
    require_role(actor, OFFICE_ROLES, "download activation codes")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code)
        batch = session.get(ActivationBatch, batch_id) if 0 < batch_id < 2**31 else None
        if batch is None or batch.locality_id != locality.id:
            raise NotFound("no issue of codes with id {id}", params={"id": batch_id})
        expires = batch.expires_at if batch.expires_at.tzinfo else batch.expires_at.replace(tzinfo=UTC)
        cipher = batch.codes_cipher if expires > utcnow() else None
        pairs = json.loads(ctx.keys.decrypt(cipher)) if cipher else None
        if pairs is not None:
            ids = [pid for pid, _c in pairs]
            found = {}
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                found.update(
                    {
                        pid: (name, unit or "", username)
                        for pid, name, unit, username in session.exec(
                            select(Person.id, Person.name, Unit.name, User.username)
                            .outerjoin(Unit, Unit.id == Person.unit_id)
                            .join(User, (User.person_id == Person.id) & (User.locality_id == Person.locality_id))
                            .where(col(Person.id).in_(chunk))
                        )
                    }
                )
    if pairs is None:
        if batch.codes_cipher is not None:
            with ctx.db.write() as session:
                session.execute(update(ActivationBatch).where(ActivationBatch.id == batch.id).values(codes_cipher=None))
        raise Conflict(NO_LONGER_KEPT)
    rows = [SlipRow(*found[pid], code=codes.display(c)) for pid, c in pairs if pid in found]
    return BatchSlips(
        locality_name=locality.name, sign_in_url=ctx.settings.resolved_base_url.rstrip("/") + "/activate", rows=rows
    )


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    name = "STSong-Light"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    return name


def slips_pdf(slips: BatchSlips, gettext) -> bytes:
    """A4 pages of cut-out slips: the locality, the person's name and unit, their user name, the
    code in large type and where to activate. ``gettext``: the reader's translator."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(gettext("Activation codes"))
    width, height = A4
    margin = 28.0
    cell_w, cell_h = (width - 2 * margin) / COLUMNS, (height - 2 * margin) / ROWS
    per_page = COLUMNS * ROWS
    for index, row in enumerate(slips.rows):
        slot = index % per_page
        if slot == 0 and index:
            pdf.showPage()
        x = margin + (slot % COLUMNS) * cell_w
        y = height - margin - (slot // COLUMNS + 1) * cell_h
        pdf.setDash(3, 3)
        pdf.setLineWidth(0.5)
        pdf.rect(x, y, cell_w, cell_h)
        pdf.setDash()
        left, top = x + 14, y + cell_h - 22
        pdf.setFont(font, 10)
        pdf.drawString(left, top, f"{slips.locality_name} · {gettext('Account activation')}"[:60])
        pdf.setFont(font, 13)
        pdf.drawString(left, top - 22, row.name[:30])
        pdf.setFont(font, 9)
        pdf.drawString(left, top - 38, row.unit[:40])
        pdf.drawString(left, top - 54, gettext("User name: {name}", name=row.username))
        pdf.setFont("Courier-Bold", 17)
        pdf.drawString(left, top - 80, row.code)
        pdf.setFont(font, 8)
        pdf.drawString(left, top - 100, gettext("Open {url}", url=slips.sign_in_url)[:80])
        pdf.drawString(
            left, top - 112, gettext("and type your ID-card number or user name, this code and a new password.")[:80]
        )
    if not slips.rows:
        pdf.setFont(font, 12)
        pdf.drawString(margin, height - margin - 20, gettext("No codes in this issue."))
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def codes_xlsx(slips: BatchSlips, gettext) -> bytes:
    """The same as a workbook: name, unit, user name, code, where to activate; streamed (100,000
    rows in constant memory), every value a text cell (``org_lists``'s writer)."""
    from core.services.org_lists import _workbook

    header = [
        gettext("Full name"),
        gettext("Unit"),
        gettext("User name"),
        gettext("Activation code"),
        gettext("Activate at"),
    ]
    rows = ([row.name, row.unit, row.username, row.code, slips.sign_in_url] for row in slips.rows)
    return _workbook(gettext("Activation codes")[:31], header, rows)


def purge_expired(ctx: AppContext) -> int:
    """Erase the plaintext codes of every issue whose hold has ended (a periodic task of the
    core's scheduler); returns how many issues were erased."""
    with ctx.db.write() as session:
        result = session.execute(
            update(ActivationBatch)
            .where(col(ActivationBatch.codes_cipher).is_not(None), ActivationBatch.expires_at <= utcnow())
            .values(codes_cipher=None)
        )
        return result.rowcount or 0
