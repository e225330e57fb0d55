"""Files on a worklog entry (core/services/attachments.py), on both databases: content sniffed
(a renamed .exe, an .xlsx named .docx and a bare zip are refused), the size limit, files kept
under var/attachments/<locality>/<random key>, served only to who may read the entry (404 for a
colleague without the option), deleted by the uploader or the office and audited."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from reportlab.pdfgen import canvas
from sqlmodel import select

from core.models import Attachment, AuditEntry
from core.periods import Period
from core.services import attachments
from core.services.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from plugins.worklog import service
from plugins.worklog.discussion import TARGET, resolver
from plugins.worklog.schemas import EntryIn
from tests.plugins.worklog.setup import make_world

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 50 + b"This program cannot be run in DOS mode"


def pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "report")
    page.save()
    return out.getvalue()


def xlsx() -> bytes:
    out = io.BytesIO()
    book = openpyxl.Workbook()
    book.active["A1"] = "数据"
    book.save(out)
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def bare_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    return out.getvalue()


@pytest.fixture
def world(ctx):
    return make_world(ctx)


@pytest.fixture
def entry(ctx, world) -> int:
    week = str(Period.from_date("week", service.today(ctx)))
    return service.write_entry(
        ctx, world.actors["author"], "wa", "weekly_record", week, EntryIn(body="本周工作", submit=True)
    ).id


def stored(ctx) -> set:
    folder = ctx.settings.var_dir / "attachments"
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def add(ctx, world, entry, name, content, who="author"):
    return attachments.add_file(ctx, world.actors[who], TARGET, entry, resolver("wa", entry, files=True), name, content)


@pytest.mark.parametrize(
    "content, kind",
    [
        (b"%PDF-1.4\n", "pdf"),
        (PNG, "png"),
        (JPG, "jpg"),
        ("会议纪要\n".encode(), "txt"),
        ("会议纪要".encode("gb18030"), "txt"),
        (EXE, None),
        (bare_zip(), None),
        (b"\x00\x01binary", None),
    ],
)
def test_sniff(content, kind):
    assert attachments.sniff(content) == kind


def test_every_allowed_kind_is_kept_under_a_random_key_and_served_back(ctx, world, entry):
    files = {
        "工作报告.pdf": pdf(),
        "数据.xlsx": xlsx(),
        "方案.docx": docx(),
        "照片.JPEG": JPG,
        "截图.png": PNG,
        "纪要.txt": "会议纪要".encode(),
    }
    for name, content in files.items():
        out = add(ctx, world, entry, name, content)
        assert out.file_name == name and out.size == len(content) and out.author_name == "李明"
    listed = attachments.list_files(ctx, world.actors["leader"], TARGET, entry, resolver("wa", entry, files=True))
    assert [a.kind for a in listed] == ["pdf", "xlsx", "docx", "jpg", "png", "txt"]
    assert not any(a.may_delete for a in listed)  # the leader uploaded none of them
    with ctx.db.read() as session:
        rows = session.exec(select(Attachment).order_by(Attachment.id)).all()
    for row, content in zip(rows, files.values(), strict=True):
        path = ctx.settings.var_dir / "attachments" / str(row.locality_id) / row.storage_key
        assert path.read_bytes() == content and len(row.storage_key) == 32
    download = attachments.open_file(
        ctx, world.actors["office"], TARGET, entry, resolver("wa", entry, files=True), rows[0].id
    )
    assert download.file_name == "工作报告.pdf" and download.media_type == "application/pdf"
    assert download.path.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("setup.pdf", EXE, "not a pdf file"),
        ("数据.docx", xlsx(), "not a docx file"),
        ("archive.xlsx", bare_zip(), "not a xlsx file"),
        ("photo.png", JPG, "not a png file"),
        ("tool.exe", EXE, "only these kinds"),
        ("noextension", b"%PDF-1.4", "only these kinds"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_kept(
    ctx, world, entry, name, content, message
):
    before = stored(ctx)
    with pytest.raises(Invalid) as error:
        add(ctx, world, entry, name, content)
    assert message in error.value.message
    with ctx.db.read() as session:
        assert session.exec(select(Attachment)).all() == []
    assert stored(ctx) == before


def test_the_size_limit(ctx, world, entry):
    limit = attachments.max_bytes(ctx)
    assert limit == 20 * 1024 * 1024
    with pytest.raises(TooLarge):
        add(ctx, world, entry, "big.txt", b"a" * (limit + 1))
    assert add(ctx, world, entry, "ok.txt", b"a" * 1000).size == 1000


def test_bounded_reading_stops_at_the_limit():
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    class Upload:
        def __init__(self, size):
            self.left, self.read_total = size, 0

        async def read(self, n):
            n = min(n, self.left)
            self.left -= n
            self.read_total += n
            return b"a" * n

    def run(upload, limit):  # a loop of its own, whatever else runs in this thread
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, attachments.read_bounded(upload, limit)).result()

    big = Upload(10 * 1024 * 1024)
    with pytest.raises(TooLarge):
        run(big, 1024 * 1024)
    assert big.read_total <= 1024 * 1024 + attachments.CHUNK  # stopped, not read to the end
    assert len(run(Upload(5000), 1024 * 1024)) == 5000


def test_names_are_never_paths(ctx, world, entry):
    out = add(ctx, world, entry, "..\\..\\etc/passwd\x07.txt", b"hello")
    assert out.file_name == "passwd.txt"  # sent as tests/core/web/test_downloads.py shows


def test_who_may_not_read_the_entry_gets_404_for_its_files(ctx, world, entry):
    file_id = add(ctx, world, entry, "a.pdf", pdf()).id
    for name in ("colleague", "leader_b", "unit_admin", "other", "other_office"):
        actor = world.actors[name]
        with pytest.raises(NotFound):
            attachments.list_files(ctx, actor, TARGET, entry, resolver("wa", entry, files=True))
        with pytest.raises(NotFound):
            attachments.open_file(ctx, actor, TARGET, entry, resolver("wa", entry, files=True), file_id)
        with pytest.raises(NotFound):
            attachments.delete_file(ctx, actor, TARGET, entry, resolver("wa", entry, files=True), file_id)
        with pytest.raises(NotFound):  # not "not a pdf": the entry is not theirs to know of
            attachments.add_file(ctx, actor, TARGET, entry, resolver("wa", entry, files=True), "x.pdf", EXE)
    with pytest.raises(NotFound):  # a file of another target
        attachments.open_file(
            ctx, world.actors["leader"], TARGET, entry + 1, resolver("wa", entry, files=True), file_id
        )
    with pytest.raises(Forbidden):  # the leader reads, only the author uploads
        add(ctx, world, entry, "b.pdf", pdf(), who="leader")


def test_deletion_by_the_uploader_or_the_office_is_audited_and_the_file_leaves_the_disk(ctx, world, entry):
    first = add(ctx, world, entry, "一.pdf", pdf())
    second = add(ctx, world, entry, "二.pdf", pdf())
    check = resolver("wa", entry, files=True)
    with pytest.raises(Forbidden):
        attachments.delete_file(ctx, world.actors["leader"], TARGET, entry, check, first.id)
    paths = [
        attachments.open_file(ctx, world.actors["author"], TARGET, entry, check, f.id).path for f in (first, second)
    ]
    attachments.delete_file(ctx, world.actors["author"], TARGET, entry, check, first.id)
    attachments.delete_file(ctx, world.actors["office"], TARGET, entry, check, second.id)
    assert not paths[0].exists() and not paths[1].exists()
    with ctx.db.read() as session:
        assert session.exec(select(Attachment)).all() == []
        logged = session.exec(
            select(AuditEntry).where(AuditEntry.action == "attachment.delete").order_by(AuditEntry.id)
        ).all()
    assert [(e.actor, e.summary["before"]["file_name"]) for e in logged] == [
        ("liming", "一.pdf"),
        ("office-wa", "二.pdf"),
    ]


def test_at_most_so_many_files_and_deleted_with_the_target(ctx, world, entry, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_PER_TARGET", 2)
    add(ctx, world, entry, "1.txt", b"1")
    add(ctx, world, entry, "2.txt", b"2")
    with pytest.raises(Conflict):
        add(ctx, world, entry, "3.txt", b"3")
    with ctx.db.write() as session:
        paths = attachments.delete_for_target(ctx, session, TARGET, entry)
    attachments.remove_files(paths)
    assert len(paths) == 2 and not any(p.exists() for p in paths)
    with ctx.db.read() as session:
        assert session.exec(select(Attachment)).all() == []


def test_an_entry_gone_with_its_person_leaves_no_comments_or_files(ctx, world, entry):
    from core.models import Comment
    from core.services import discussion
    from plugins.worklog.discussion import prune_orphans
    from plugins.worklog.models import WorkEntry

    add(ctx, world, entry, "a.txt", b"hello")
    discussion.add_comment(ctx, world.actors["leader"], TARGET, entry, resolver("wa", entry), "好")
    path = attachments.open_file(ctx, world.actors["author"], TARGET, entry, resolver("wa", entry, files=True), 1).path
    assert prune_orphans(ctx) == 0 and path.exists()  # the entry is there: nothing to do
    with ctx.db.write() as session:  # as when its person goes (their entries go with them, CASCADE)
        session.delete(session.get(WorkEntry, entry))
    assert prune_orphans(ctx) == 1
    assert not path.exists()
    with ctx.db.read() as session:
        assert session.exec(select(Attachment)).all() == [] and session.exec(select(Comment)).all() == []
    assert prune_orphans(ctx) == 0
    from core.scheduler import periodic_tasks

    [task] = [t for t in periodic_tasks() if t.name == "worklog-prune-discussion"]
    assert task.run is prune_orphans and task.every_seconds == 3600


def test_a_backup_carries_the_files(ctx, world, entry, tmp_path):
    from core import backup

    add(ctx, world, entry, "纪要.txt", "会议纪要".encode())
    with ctx.db.read() as session:
        row = session.exec(select(Attachment)).one()
    member = f"{backup.FILES}/attachments/{row.locality_id}/{row.storage_key}"
    members = backup._copy_files(ctx, tmp_path)
    assert member in members and (tmp_path / member).read_bytes() == "会议纪要".encode()
    assert backup._safe_member(member, {"members": members, "backend": "sqlite"})  # restored as well
