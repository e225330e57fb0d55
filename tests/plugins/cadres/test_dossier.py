"""Dossier files (档案材料) and the form downloads over HTTP, on both databases: the department
uploads, lists, downloads (each download in the view log) and deletes; the attachments
service's limits and content sniffing hold; every other role, another locality's department and
a locality without the plugin get 404 on the page and in the API; the profile page offers the
form as PDF, Word and .lrmx."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from core.models import Attachment, AuditEntry
from plugins.cadres import service
from plugins.cadres.dossier import TARGET
from tests.plugins.cadres.setup import ROLES, enable
from tests.plugins.cadres.test_pages import BASE

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
API = "/api/localities/ca/cadres/people"


def _files(ctx, person_id: int) -> list[Attachment]:
    with ctx.db.read() as session:
        return list(
            session.exec(select(Attachment).where(Attachment.target_type == TARGET, Attachment.target_id == person_id))
        )


def test_the_department_keeps_dossier_files_and_every_download_is_logged(site, ctx):
    world, session, api = site
    person = world.people["李镇长"]
    with session("org_dept") as dept:
        url = f"{BASE}/people/{person}/dossier"
        assert dept.post(url, files={"file": ("考察材料.pdf", PDF)}).status_code == 403  # no CSRF token
        added = dept.post(url, data={"_csrf": dept.csrf}, files={"file": ("考察材料.pdf", PDF)})
        assert added.status_code == 303 and added.headers["location"].endswith("#dossier")
        page = dept.get(f"{BASE}/people/{person}")
        assert "档案材料" in page.text and "考察材料.pdf" in page.text
        [row] = _files(ctx, person)
        got = dept.get(f"{url}/{row.id}")
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert "attachment" in got.headers["content-disposition"] and got.headers["x-content-type-options"] == "nosniff"

        renamed = dept.post(url, data={"_csrf": dept.csrf}, files={"file": ("履历.pdf", b"MZ\x90\x00program")})
        assert renamed.status_code == 422 and "不是" in renamed.text  # sniffed: not a PDF
        exe = dept.post(url, data={"_csrf": dept.csrf}, files={"file": ("tool.exe", b"MZ")})
        assert exe.status_code == 422
    with api("org_dept_head") as head:
        listed = head.get(f"{API}/{person}/dossier")
        assert listed.status_code == 200 and [f["file_name"] for f in listed.json()] == ["考察材料.pdf"]
        assert listed.json()[0]["may_delete"] is False  # not the uploader
        assert head.get(f"{API}/{person}/dossier/{row.id}").content == PDF
        assert head.delete(f"{API}/{person}/dossier/{row.id}").status_code == 403
        note = head.post(f"{API}/{person}/dossier", files={"file": ("谈话记录.txt", "谈话记录".encode())})
        assert note.status_code == 201 and note.json()["kind"] == "txt"
        assert head.delete(f"{API}/{person}/dossier/{note.json()['id']}").status_code == 204

    log = service.view_log(ctx, world.actors["org_dept_head"], "ca")
    downloads = [(r.username, r.person_ids, r.detail) for r in log.items if r.action == "dossier"]
    assert downloads == [
        ("org_dept_head-ca", [person], f"#{row.id} 考察材料.pdf"),
        ("org_dept-ca", [person], f"#{row.id} 考察材料.pdf"),
    ]
    with ctx.db.read() as db:
        actions = list(db.exec(select(AuditEntry.action).where(col(AuditEntry.action).like("%attachment%"))))
        actions += list(db.exec(select(AuditEntry.action).where(col(AuditEntry.action).like("cadres.dossier%"))))
    assert sorted(actions) == ["attachment.delete", "cadres.dossier.add", "cadres.dossier.add"]


def test_a_file_over_the_limit_is_refused(site, ctx):
    world, _session, api = site
    person = world.people["李镇长"]
    limit = ctx.settings.attachment_max_mb * 1024 * 1024
    with api("org_dept") as dept:
        big = dept.post(f"{API}/{person}/dossier", files={"file": ("big.pdf", b"%PDF-" + b"0" * limit)})
        assert big.status_code == 413
    assert _files(ctx, person) == []


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("org_dept", "org_dept_head")] + ["other_dept"])
def test_every_other_role_gets_404_for_dossiers_and_forms(site, ctx, role):
    world, session, api = site
    person = world.people["李镇长"]
    with api("org_dept") as dept:
        row = dept.post(f"{API}/{person}/dossier", files={"file": ("a.pdf", PDF)}).json()
    with api(role) as other:
        assert other.get(f"{API}/{person}/dossier").status_code == 404
        assert other.get(f"{API}/{person}/dossier/{row['id']}").status_code == 404
        assert other.post(f"{API}/{person}/dossier", files={"file": ("b.pdf", PDF)}).status_code == 404
        assert other.delete(f"{API}/{person}/dossier/{row['id']}").status_code == 404
        assert other.get(f"{API}/{person}/form").status_code == 404
    if role != "other_dept":  # a console session of the role
        with session(role) as browser:
            for path in ("dossier/" + str(row["id"]), "form.pdf", "form.lrmx"):
                assert browser.get(f"{BASE}/people/{person}/{path}").status_code == 404
            upload = browser.post(
                f"{BASE}/people/{person}/dossier", data={"_csrf": browser.csrf}, files={"file": ("b.pdf", PDF)}
            )
            assert upload.status_code == 404
    assert len(_files(ctx, person)) == 1


def test_another_locality_s_person_and_a_locality_without_the_plugin_get_404(site, ctx):
    world, _session, api = site
    with api("org_dept") as dept:
        assert dept.get(f"{API}/{world.other_person}/dossier").status_code == 404
        assert dept.post(f"{API}/{world.other_person}/dossier", files={"file": ("a.pdf", PDF)}).status_code == 404
        enable(ctx, "ca", False)
        assert dept.get(f"{API}/{world.people['李镇长']}/dossier").status_code == 404


def test_the_profile_page_offers_the_form_in_three_files(site):
    world, session, api = site
    person = world.people["王局长"]
    with session("org_dept") as dept:
        page = dept.get(f"{BASE}/people/{person}")
        for suffix in ("form.pdf", "form.docx", "form.lrmx"):
            assert f"/people/{person}/{suffix}" in page.text
        pdf = dept.get(f"{BASE}/people/{person}/form.pdf", params={"proposed_post": "县教育局党组书记"})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        assert "filename*=UTF-8''%E7%8E%8B" in pdf.headers["content-disposition"]  # 王局长-任免审批表.pdf
        word = dept.get(f"{BASE}/people/{person}/form.docx")
        assert word.status_code == 200 and word.content.startswith(b"PK")
        form = dept.get(f"{BASE}/people/{person}/form.lrmx", params={"proposed_post": "县教育局党组书记"})
        assert form.status_code == 200 and "<NiRenZhiWu>县教育局党组书记</NiRenZhiWu>" in form.text
        assert dept.get(f"{BASE}/people/{person}/form.exe").status_code == 404
    with api("org_dept") as dept:
        lrmx = dept.get(f"{API}/{person}/form", params={"format": "lrmx"})
        assert lrmx.status_code == 200 and "<XingMing>王局长</XingMing>" in lrmx.text
        assert dept.get(f"{API}/{person}/form", params={"format": "exe"}).status_code == 400


def test_a_deleted_person_s_dossier_files_are_removed_by_the_periodic_pass(ctx):
    from core.schemas.org import PersonIn
    from core.services import org
    from plugins.cadres.dossier import add_dossier_file, list_dossier
    from plugins.cadres.watch import run_watch
    from tests.plugins.cadres.setup import SYSTEM, make_world

    world = make_world(ctx)
    dept = world.actors["org_dept"]
    kept, gone = world.people["李镇长"], org.create_person(ctx, SYSTEM, "ca", PersonIn(name="离任者")).id
    add_dossier_file(ctx, dept, "ca", kept, "a.pdf", PDF)
    add_dossier_file(ctx, dept, "ca", gone, "b.pdf", PDF)
    [row] = _files(ctx, gone)
    path = ctx.settings.var_dir / "attachments" / str(row.locality_id) / row.storage_key
    assert path.is_file()
    org.delete_person(ctx, SYSTEM, "ca", gone)
    run_watch(ctx)
    assert _files(ctx, gone) == [] and not path.exists()
    assert [f.file_name for f in list_dossier(ctx, dept, "ca", kept)] == ["a.pdf"]
