"""Hostile spreadsheet files, small enough to upload, built part by part (no spreadsheet
library): each would cost a naive reader gigabytes of memory or minutes, and must be refused
quickly by ``core.tabular`` naming the limit.

``peak_memory_of_reading`` reads files in a fresh Python process and reports, for each, its
peak memory (``VmHWM``) above what the process held before that read, and the time it took.

Each file is built once a process (``functools.cache``: the bytes are the same every time, and
building the large ones, a few hundred MB of XML deflated, costs seconds of CPU): the tests that
upload them on both databases, and in several modules, share them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Target="xl/workbook.xml" '
    f'Type="{REL}/officeDocument"/></Relationships>'
)
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="单位" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{REL}/worksheet"/>'
    f'<Relationship Id="rId2" Target="sharedStrings.xml" Type="{REL}/sharedStrings"/>'
    "</Relationships>"
)
HEADER_SHEET = (
    f'<worksheet xmlns="{MAIN}"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
    "</sheetData></worksheet>"
)
STRINGS = ["单位编码", "单位名称", "U001", "县委办公室"]


def _chunks(parts: Iterable[str | bytes]) -> Iterator[bytes]:
    for part in parts:
        yield part.encode() if isinstance(part, str) else part


def workbook(sheet: Iterable[str | bytes] = (HEADER_SHEET,), shared: Iterable[str | bytes] | None = None) -> bytes:
    """An .xlsx of one sheet 单位 whose XML (and shared-string table) is streamed from the parts
    given, deflated as it goes (so a part of hundreds of MB is never held in memory)."""
    if shared is None:
        shared = [f'<sst xmlns="{MAIN}">', *(f"<si><t>{text}</t></si>" for text in STRINGS), "</sst>"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, parts in (("xl/sharedStrings.xml", shared), ("xl/worksheets/sheet1.xml", sheet)):
            with archive.open(name, "w", force_zip64=True) as target:
                for chunk in _chunks(parts):
                    target.write(chunk)
    return out.getvalue()


def _repeat(piece: str, count: int, batch: int = 100_000) -> Iterator[bytes]:
    block = (piece * batch).encode()
    full, rest = divmod(count, batch)
    for _ in range(full):
        yield block
    yield (piece * rest).encode()


@cache
def shared_string_bomb(entries: int = 11_000_000) -> bytes:
    """A small workbook whose shared-string table holds ``entries`` empty strings (about 460 KB
    for 11 million: openpyxl would hold them all before the first row)."""
    return workbook(shared=[f'<sst xmlns="{MAIN}">', *_repeat("<si><t/></si>", entries), "</sst>"])


@cache
def empty_rows(count: int = 1_000_000) -> bytes:
    """A header, a row, then ``count`` empty rows."""
    return workbook(
        sheet=[
            HEADER_SHEET.removesuffix("</sheetData></worksheet>"),
            *_repeat("<row/>", count),
            "</sheetData></worksheet>",
        ]
    )


@cache
def deep_nesting(depth: int = 5_000_000) -> bytes:
    """A cell whose XML nests ``depth`` elements (each a tree node a naive parser keeps)."""
    return workbook(
        sheet=[
            f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is>',
            *_repeat("<r>", depth),
            *_repeat("</r>", depth),
            "</is></c></row></sheetData></worksheet>",
        ]
    )


@cache
def zip_bomb(megabytes: int = 1_000) -> bytes:
    """A sheet whose one entry inflates to ``megabytes`` MB (of blanks between two rows)."""
    head, tail = HEADER_SHEET.split("</row>", 1)
    return workbook(sheet=[head + "</row>", *(b" " * (1024 * 1024) for _ in range(megabytes)), tail])


@cache
def wide_rows(rows: int = 200_000) -> bytes:
    """``rows`` rows with a value in column A and one in column ALL (the 1,000th): two cells a
    row in the file, a thousand in every row handed out."""
    return workbook(
        sheet=[
            f'<worksheet xmlns="{MAIN}"><sheetData>',
            *_repeat('<row><c t="s"><v>2</v></c><c r="ALL1" t="s"><v>3</v></c></row>', rows),
            "</sheetData></worksheet>",
        ]
    )


@cache
def dtd_bomb() -> bytes:
    """The classic entity expansion ("billion laughs") in the sheet."""
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    return workbook(
        sheet=[
            f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
            f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;'
            "</t></is></c></row></sheetData></worksheet>"
        ]
    )


@cache
def commas_row(columns: int = 5_000_000) -> bytes:
    """A CSV whose second row has ``columns`` empty cells."""
    return b"\xef\xbb\xbf" + "单位编码,单位名称\r\n".encode() + b"," * columns + b"\r\n"


@cache
def blank_lines(count: int = 5_000_000) -> bytes:
    """A CSV header then ``count`` empty lines."""
    return "单位编码,单位名称\r\n".encode() + b"\r\n" * count


READER = """
import gc, json, sys, time
from pathlib import Path
from core import tabular
from core.services.errors import ServiceError
from adapters.tabular_file import TabularFileOptions, read_file

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1])

results = []
for name, mode in json.loads(sys.argv[1]):
    path = Path(name)
    content = path.read_bytes()  # held before the read, as the server holds an upload
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
    before = status("VmRSS:")
    started = time.perf_counter()
    outcome = {"rows": 0}
    try:
        if mode == "adapter":
            outcome["rows"] = len(read_file(path, TabularFileOptions()))
        else:
            for _row in tabular.read_rows(path.name, content, keep_types=mode == "typed"):
                outcome["rows"] += 1
    except ServiceError as exc:
        outcome.update(error=type(exc).__name__, message=exc.message)
    except Exception as exc:  # the adapter's PermanentFault
        outcome.update(error=type(exc).__name__, message=str(exc))
    outcome.update(seconds=time.perf_counter() - started, peak_mb=(status("VmHWM:") - before) / 1024)
    del content
    results.append(outcome)
print(json.dumps(results))
"""


def peak_memory_of_reading(files: list[tuple[Path, str]]) -> list[dict]:
    """Read each file (path, mode) in one fresh process, one after the other: for each
    {rows | error, message, seconds, peak_mb}, ``peak_mb`` how far its peak memory rose above
    what it held before that read (the file already loaded). ``mode``: "text" or "typed"
    (``core.tabular.read_rows``), or "adapter" (``adapters.tabular_file.read_file``)."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", READER, json.dumps([[str(path), mode] for path, mode in files])],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@cache
def lying_sizes(megabytes: int = 20) -> bytes:
    """A workbook whose sheet inflates to ``megabytes`` MB while the zip says 1 KB."""
    head, tail = HEADER_SHEET.split("</row>", 1)
    content = bytearray(workbook(sheet=[head + "</row>", *(b" " * (1024 * 1024) for _ in range(megabytes)), tail]))
    name = b"xl/worksheets/sheet1.xml"
    position = 0
    while (position := content.find(b"PK\x01\x02", position + 1)) >= 0:  # central directory entries
        length = int.from_bytes(content[position + 28 : position + 30], "little")
        if content[position + 46 : position + 46 + length] == name:
            extra = int.from_bytes(content[position + 30 : position + 32], "little")
            size_field = position + 24
            if content[size_field : size_field + 4] == b"\xff\xff\xff\xff":  # the size is in the zip64 extra field
                size_field = content.find(b"\x01\x00", position + 46 + length, position + 46 + length + extra) + 4
                content[size_field : size_field + 8] = (1024).to_bytes(8, "little")
            else:
                content[size_field : size_field + 4] = (1024).to_bytes(4, "little")
    return bytes(content)


@cache
def long_token(megabytes: int = 150) -> bytes:
    """A cell whose one attribute is ``megabytes`` MB long (a parser holds a whole tag)."""
    return workbook(
        sheet=[
            f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" s="',
            *(b"1" * (1024 * 1024) for _ in range(megabytes)),
            '"><v>1</v></c></row></sheetData></worksheet>',
        ]
    )


@cache
def long_comment(megabytes: int = 150) -> bytes:
    """A comment of ``megabytes`` MB (full of "<" and ">") in the shared-string table."""
    return workbook(
        shared=[
            f'<sst xmlns="{MAIN}"><!--',
            *(b"<a>" * (1024 * 1024 // 3) for _ in range(megabytes)),
            "--><si><t>x</t></si></sst>",
        ]
    )
