"""The photo of an appointment form (ZhaoPian): kept from an import through the attachments
service, the same bytes written back into the exported .lrmx, printed in the photo box of the PDF
(pdfimages finds it) and the Word form, shown on the profile page; a new form's photo replaces it,
a form without one keeps it; only the organisation department sees it (404 for everyone else).
On both databases."""

from __future__ import annotations

import base64
import io
import random
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import col, select

from core.i18n import Translator
from core.models import Attachment, AuditEntry
from core.services import audit, org
from core.services.errors import NotFound
from plugins.cadres import lrmx
from plugins.cadres.appointment_form import Appointment, appointment_form
from plugins.cadres.dossier import PHOTO_TARGET, prune_orphans
from plugins.cadres.form_print import form_docx, form_pdf, photo_size
from plugins.cadres.imports import import_lrmx
from plugins.cadres.photo import open_photo
from tests.plugins.cadres.conftest import FIELDS, form
from tests.plugins.cadres.setup import ROLES, SYSTEM, make_world

PLUGIN_LOCALES = Path(__file__).resolve().parents[3] / "plugins" / "cadres" / "locales"


def picture(fmt: str = "JPEG", size=(90, 126), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


def with_photo(data: bytes) -> bytes:
    return form({**FIELDS, "ZhaoPian": base64.b64encode(data).decode()})


def _photos(ctx, person_id: int) -> list[Attachment]:
    with ctx.db.read() as session:
        return list(
            session.exec(
                select(Attachment).where(Attachment.target_type == PHOTO_TARGET, Attachment.target_id == person_id)
            )
        )


def noisy_jpeg(size=(360, 480)) -> bytes:
    """A photo of the size forms carry (a noisy 360 x 480 JPEG is about 150-250 KB)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, random.Random(7).randbytes(size[0] * size[1] * 3)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_an_lrmx_with_a_photo_goes_round_with_the_same_bytes(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    jpeg = noisy_jpeg()
    assert 100_000 < len(jpeg) < 2 * 1024 * 1024  # over the 50,000 characters of a text field in base64
    [report] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", with_photo(jpeg))
    assert report.status == "imported" and report.problems == []
    [row] = _photos(ctx, report.person_id)
    assert (row.kind, row.size) == ("jpg", len(jpeg))
    with ctx.db.read() as session:
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.action == "cadres.profile.import").order_by(col(AuditEntry.id).desc())
        ).first()
    assert entry.summary["after"]["photo_bytes"] == len(jpeg) and audit.verify(ctx).ok
    made = appointment_form(ctx, dept, "ca", report.person_id, Appointment(), on=date(2026, 11, 30))
    out = lrmx.to_lrmx(made.profile)
    assert base64.b64decode(out.split(b"<ZhaoPian>")[1].split(b"</ZhaoPian>")[0]) == jpeg
    again = lrmx.read_file("out.lrmx", out)
    assert again.profile.photo == jpeg and not [p for p in again.problems if p.field == "ZhaoPian"]


def test_the_pdf_and_word_forms_print_the_photo(ctx, tmp_path):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    png = picture("PNG", (120, 168))
    [report] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", with_photo(png))
    made = appointment_form(ctx, dept, "ca", report.person_id, Appointment(), on=date(2026, 11, 30))
    path = tmp_path / "form.pdf"
    path.write_bytes(form_pdf(made))
    listed = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    images = [line.split() for line in listed.splitlines()[2:] if line.strip()]
    assert [(i[0], i[3], i[4]) for i in images] == [("1", "120", "168")]  # page 1, the photo's pixels
    docx = zipfile.ZipFile(io.BytesIO(form_docx(made)))
    media = [name for name in docx.namelist() if name.startswith("word/media/")]
    assert [docx.read(name) for name in media] == [png]

    without = appointment_form(ctx, dept, "ca", world.people["张书记"], Appointment(), on=date(2026, 11, 30))
    path.write_bytes(form_pdf(without))
    listed = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    assert len(listed.splitlines()) == 2  # the header only: no photo, the box keeps its caption
    assert b"<ZhaoPian></ZhaoPian>" in lrmx.to_lrmx(without.profile) or b"<ZhaoPian />" in lrmx.to_lrmx(without.profile)


def test_a_photo_that_does_not_decode_or_is_a_bomb_is_left_out_of_the_print():
    assert photo_size(b"\xff\xd8\xff\xe0 not really a jpeg") is None
    assert photo_size(None) is None
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")  # 400 megapixels in a few KB
    assert len(buffer.getvalue()) < 200_000 and photo_size(buffer.getvalue()) is None
    width, height = photo_size(picture(size=(300, 300)))
    assert width == height == 26  # fits the box's width, proportions kept


def test_a_new_form_replaces_the_photo_and_a_form_without_one_keeps_it(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    [first] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", with_photo(picture()))
    old_path = open_photo(ctx, dept, "ca", first.person_id).path
    second = picture("PNG", colour=(0, 90, 200))
    [report] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", with_photo(second))
    assert report.person_id == first.person_id and not old_path.exists()
    [row] = _photos(ctx, report.person_id)
    assert row.kind == "png" and open_photo(ctx, dept, "ca", report.person_id).path.read_bytes() == second
    import_lrmx(ctx, dept, "ca", "zhang.lrmx", form({k: v for k, v in FIELDS.items() if k != "ZhaoPian"}))
    assert open_photo(ctx, dept, "ca", report.person_id).path.read_bytes() == second


def test_a_gif_photo_is_reported_and_not_kept(ctx):
    world = make_world(ctx)
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    [report] = import_lrmx(ctx, world.actors["org_dept"], "ca", "gif.lrmx", with_photo(buffer.getvalue()))
    assert report.status == "imported"
    assert [(p["field"], p["msgid"]) for p in report.problems] == [("ZhaoPian", lrmx.PHOTO_NOT_IMAGE)]
    assert _photos(ctx, report.person_id) == []


def test_only_the_organisation_department_sees_the_photo(ctx):
    world = make_world(ctx)
    [report] = import_lrmx(ctx, world.actors["org_dept"], "ca", "zhang.lrmx", with_photo(picture()))
    assert open_photo(ctx, world.actors["org_dept_head"], "ca", report.person_id).media_type == "image/jpeg"
    for role in [r for r in ROLES if not r.startswith("org_dept")] + ["other_dept"]:
        with pytest.raises(NotFound):
            open_photo(ctx, world.actors[role], "ca", report.person_id)
    with pytest.raises(NotFound):  # a person without a photo
        open_photo(ctx, world.actors["org_dept"], "ca", world.people["张书记"])


def test_the_photo_of_a_deleted_person_is_removed(ctx):
    world = make_world(ctx)
    [report] = import_lrmx(ctx, world.actors["org_dept"], "ca", "zhang.lrmx", with_photo(picture()))
    path = open_photo(ctx, world.actors["org_dept"], "ca", report.person_id).path
    org.delete_person(ctx, SYSTEM, "ca", report.person_id)
    assert prune_orphans(ctx) == 1 and not path.exists() and _photos(ctx, report.person_id) == []


def test_the_profile_page_and_the_api_show_the_photo(ctx, site):
    world, session, api = site
    jpeg = picture()
    [report] = import_lrmx(ctx, world.actors["org_dept"], "ca", "zhang.lrmx", with_photo(jpeg))
    person = report.person_id
    with session("org_dept") as dept:
        page = dept.get(f"/admin/localities/ca/cadres/people/{person}")
        assert page.status_code == 200 and f'src="/admin/localities/ca/cadres/people/{person}/photo"' in page.text
        assert 'alt="张三的照片"' in page.text
        shown = dept.get(f"/admin/localities/ca/cadres/people/{person}/photo")
        assert shown.status_code == 200 and shown.content == jpeg and shown.headers["content-type"] == "image/jpeg"
        other = dept.get(f"/admin/localities/ca/cadres/people/{world.people['张书记']}")
        assert "/photo" not in other.text
    with api("org_dept") as client:
        answer = client.get(f"/api/localities/ca/cadres/people/{person}/photo")
        assert answer.status_code == 200 and answer.content == jpeg
    with api("office") as client:
        assert client.get(f"/api/localities/ca/cadres/people/{person}/photo").status_code == 404
    with session("office") as office:
        assert office.get(f"/admin/localities/ca/cadres/people/{person}/photo").status_code == 404


def test_a_photo_over_the_attachment_limit_refuses_the_upload_and_leaves_no_file(ctx, monkeypatch):
    from core.services.errors import TooLarge
    from tests.plugins.cadres.conftest import zipped

    world = make_world(ctx)
    monkeypatch.setattr(ctx.settings, "attachment_max_mb", 1)
    big = picture("PNG", (1200, 1200)) + random.randbytes(1024 * 1024)  # a PNG with 1 MB of trailing bytes
    upload = zipped(
        [
            ("a.lrmx", with_photo(picture())),
            (
                "b.lrmx",
                form({**FIELDS, "XingMing": "李四", "ShenFenZheng": "", "ZhaoPian": base64.b64encode(big).decode()}),
            ),
        ]
    )
    folder = ctx.settings.var_dir / "attachments"
    before = sorted(folder.rglob("*")) if folder.exists() else []
    with pytest.raises(TooLarge) as refused:
        import_lrmx(ctx, world.actors["org_dept"], "ca", "forms.zip", upload)
    assert refused.value.params == {"file": "b.lrmx", "mb": 1}
    assert Translator("zh_CN", PLUGIN_LOCALES).error(refused.value).startswith("b.lrmx：照片（ZhaoPian）超过 1 MB")
    assert (sorted(folder.rglob("*")) if folder.exists() else []) == before or all(
        p.is_dir() for p in folder.rglob("*")
    )
    with ctx.db.read() as session:
        assert session.exec(select(Attachment).where(Attachment.target_type == PHOTO_TARGET)).all() == []
