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


QR_SIZE = 84.0


def slips_pdf(slips: BatchSlips, gettext, font_path: str | None = None) -> bytes:
    """A4 pages of cut-out slips (2 x 5): the locality, the person's name and unit, their user
    name, the code in large type, where to activate and a QR code of that address (a phone
    opens the activation page). ``gettext``: the reader's translator; ``font_path``: a
    TrueType CJK font to embed (default: ``KAOPING_PDF_FONT``, else this machine's, see
    ``core.slips_pdf``). Written by the streaming slip writer: 10,000 slips in seconds."""
    from core.slips_pdf import SlipSheet, fit, pdf_string, qr_ops, text_op, wrap

    out = io.BytesIO()
    sheet = SlipSheet(out, columns=COLUMNS, rows=ROWS, margin=28.0, header=0.0, font_path=font_path)
    font, pad = sheet.font, 14.0
    width = sheet.slip_width - QR_SIZE - 3 * pad
    top = sheet.slip_height - 22
    lines = [
        (9, top - 100, fit(gettext("Open {url}", url=slips.sign_in_url), font, 8, sheet.slip_width - 2 * pad)),
        *[
            (9, top - 112 - 10 * n, line)
            for n, line in enumerate(
                wrap(
                    gettext("and type your ID-card number or user name, this code and a new password."),
                    font,
                    8,
                    sheet.slip_width - 2 * pad,
                    2,
                )
            )
        ],
    ]
    title = fit(f"{slips.locality_name} · {gettext('Account activation')}", font, 10, width)
    static = [text_op("F1", 10, pad, top, sheet.show(title))]
    static += [text_op("F1", 8, pad, y, sheet.show(line)) for _size, y, line in lines]
    # the same address on every slip: its QR code is drawn once, in the form
    static.append(
        qr_ops(slips.sign_in_url, sheet.slip_width - QR_SIZE - pad, sheet.slip_height - QR_SIZE - 16, QR_SIZE)
    )
    sheet.form("".join(static))
    for row in slips.rows:
        x, y = sheet.next_slip()
        sheet.draw(
            text_op("F1", 13, x + pad, y + top - 22, sheet.show(fit(row.name, font, 13, width)))
            + text_op("F1", 9, x + pad, y + top - 38, sheet.show(fit(row.unit, font, 9, width)))
            + text_op(
                "F1",
                9,
                x + pad,
                y + top - 54,
                sheet.show(fit(gettext("User name: {name}", name=row.username), font, 9, width)),
            )
            + text_op("F2", 17, x + pad, y + top - 80, pdf_string(row.code))
        )
    if not slips.rows:
        x, y = sheet.next_slip()
        sheet.draw(text_op("F1", 12, x + pad, y + top - 22, sheet.show(gettext("No codes in this issue."))))
    sheet.close(gettext("Activation codes"))
    return out.getvalue()


def codes_xlsx(slips: BatchSlips, gettext) -> bytes:
    """The same as a workbook: name, unit, user name, code, where to activate; streamed (100,000
    rows in constant memory), every value a text cell (``core.tabular.one_sheet_workbook``)."""
    from core.tabular import one_sheet_workbook

    header = [
        gettext("Full name"),
        gettext("Unit"),
        gettext("User name"),
        gettext("Activation code"),
        gettext("Activate at"),
    ]
    rows = ([row.name, row.unit, row.username, row.code, slips.sign_in_url] for row in slips.rows)
    return one_sheet_workbook(gettext("Activation codes")[:31], header, rows)


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
