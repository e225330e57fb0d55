"""The parts of an .xlsx workbook, read as bounded streams: the zip's declared sizes first, then
each XML part through expat within ``Limits`` (no DTD, bounded nesting and tokens), the
workbook's sheets, relationships, styles and shared strings. See ``core.tabular``."""

from __future__ import annotations

import io
import itertools
import posixpath
import re
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from typing import Any

from core.services.errors import Invalid, TooLarge
from core.tabular.limits import (
    DTD,
    MAX_UNCOMPRESSED_BYTES,
    MB,
    OVER_A_LIMIT,
    PART_TOO_LARGE,
    STRING_TOO_LONG,
    STRINGS_PART_TOO_LARGE,
    STRINGS_TOO_LONG,
    TOKEN_TOO_LONG,
    TOO_DEEP,
    TOO_MANY_PARTS,
    TOO_MANY_STRINGS,
    TOO_MANY_STYLES,
    Limits,
)

# --- XLSX ------------------------------------------------------------------------------------
#
# An .xlsx is a zip of XML parts. openpyxl loads the whole shared-string table and the styles
# into memory before the first row, even in read-only mode, and pads every row to the sheet's
# declared dimension: a 500 KB file can hold millions of shared strings, a sheet that claims
# 16,384 columns or a million empty rows. So the parts are read here, streamed through expat
# (no tree is built), with the limits of ``Limits`` checked while reading: the sizes the zip
# declares before anything is inflated (Python's zipfile never inflates an entry past its
# declared size), then rows, columns, cells, shared strings, characters and nesting depth as the
# XML goes by. A document type declaration (the way to an entity bomb) is refused outright.

_MAIN_RELATIONSHIP = "/officeDocument"
_XML_CHUNK = 256 * 1024
MAX_ZIP_ENTRIES = 10_000  # parts of one workbook (Excel writes a few dozen)
MAX_ZIP_DIRECTORY_BYTES = 4 * 1024 * 1024  # the zip's central directory, read before anything else
MAX_TOKEN_BYTES = 1024 * 1024  # expat holds a whole tag (or comment) before reporting it: at most this


class _Stop(Exception):
    """Ends the parse of a part early (enough was seen)."""


def _damaged_workbook() -> Invalid:
    return Invalid(
        "file: not a valid .xlsx workbook (damaged or not a spreadsheet)",
        errors=[{"row": 0, "column": "", "message": "not a spreadsheet"}],
    )


def _damaged_row(row: int) -> Invalid:
    return Invalid(
        f"file: row {row} of the workbook cannot be read (damaged file?)",
        errors=[{"row": row, "column": "", "message": "damaged row"}],
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}" if size >= 1024 * 1024 else f"{size / (1024 * 1024):.1f}"


def _local(tag: str) -> str:
    return tag.rpartition(":")[2]


def _zip_directory_size(content: bytes) -> int | None:
    """The size of the zip's central directory as its end records declare it (None if none is
    found: zipfile then says the file is damaged)."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or end + 22 > len(content):
        return None
    size = int.from_bytes(content[end + 12 : end + 16], "little")
    locator = end - 20
    if locator >= 56 and content[locator : locator + 4] == b"PK\x06\x07":  # zip64: the real sizes are there
        record = locator - 56
        if content[record : record + 4] == b"PK\x06\x06":
            size = max(size, int.from_bytes(content[record + 40 : record + 48], "little"))
    return size


class _Part:
    """One XML part of the workbook, streamed through expat with a depth limit and no DTD.

    ``too_large`` is the message (with ``{size}`` and ``{limit}``, in MB) of a part that inflates
    beyond ``limit`` bytes: refused before anything of it is inflated."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits, path: str, limit: int, too_large: str):
        self.archive, self.limits, self.path, self.limit, self.too_large = archive, limits, path, limit, too_large
        try:
            self.info = archive.getinfo(path)
        except KeyError:
            raise _damaged_workbook() from None
        if self.info.file_size > limit:
            raise self._too_large(self.info.file_size)

    def _too_large(self, size: int) -> TooLarge:
        return TooLarge(
            self.too_large.format(part=self.path, size=_mb(size), limit=_mb(self.limit)),
            errors=[{"row": 0, "column": "", "message": OVER_A_LIMIT}],
        )

    def events(self, start, end, text=None) -> Iterator[None]:
        """Feed the part to expat calling ``start(name, attributes)``, ``end(name)`` and
        ``text(data)`` (local names); yields after each chunk so a caller can stream."""
        from xml.parsers import expat

        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = 64 * 1024
        depth = 0
        max_depth = self.limits.depth
        reported = 0  # where the last event was: expat holds what follows until it is complete

        def on_start(name: str, attributes: dict[str, str]) -> None:
            nonlocal depth, reported
            depth += 1
            reported = parser.CurrentByteIndex
            if depth > max_depth:
                raise Invalid(
                    TOO_DEEP.format(part=self.path, limit=max_depth),
                    errors=[{"row": 0, "column": "", "message": "not a spreadsheet"}],
                )
            start(_local(name), attributes)

        def on_end(name: str) -> None:
            nonlocal depth, reported
            depth -= 1
            reported = parser.CurrentByteIndex
            end(_local(name))

        def on_text(data: str) -> None:
            nonlocal reported
            reported = parser.CurrentByteIndex
            if text is not None:
                text(data)

        def on_other(*_args: Any) -> None:
            nonlocal reported
            reported = parser.CurrentByteIndex

        def no_dtd(*_args: Any) -> None:
            raise Invalid(DTD.format(part=self.path), errors=[{"row": 0, "column": "", "message": "not a spreadsheet"}])

        parser.StartElementHandler = on_start
        parser.EndElementHandler = on_end
        parser.CharacterDataHandler = on_text
        parser.CommentHandler = parser.ProcessingInstructionHandler = on_other
        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        read = 0
        try:
            with self.archive.open(self.info) as source:
                while chunk := source.read(_XML_CHUNK):
                    read += len(chunk)
                    if read > self.limit:  # zipfile never inflates past the declared size; cheap to be sure
                        raise self._too_large(read)
                    parser.Parse(chunk, False)
                    if read - reported > MAX_TOKEN_BYTES:  # a tag or comment that does not end
                        raise Invalid(
                            TOKEN_TOO_LONG.format(part=self.path, limit=MAX_TOKEN_BYTES // MB),
                            errors=[{"row": 0, "column": "", "message": "not a spreadsheet"}],
                        )
                    yield
                parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise _Broken(str(exc)) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise _Broken(str(exc)) from None
        yield

    def parse(self, start, end, text=None) -> None:
        try:
            for _ in self.events(start, end, text):
                pass
        except _Stop:
            pass


class _Broken(Exception):
    """A part that is not well-formed XML, or a damaged zip entry."""


def _too_large(message: str, **params: Any) -> TooLarge:
    return TooLarge(message.format(**params), errors=[{"row": 0, "column": "", "message": OVER_A_LIMIT}])


class _Workbook:
    """The structure of a workbook: its sheets, shared strings and number formats."""

    def __init__(self, content: bytes, limits: Limits):
        self.limits = limits
        directory = _zip_directory_size(content)
        if directory is not None and directory > MAX_ZIP_DIRECTORY_BYTES:
            raise _too_large(TOO_MANY_PARTS, limit=MAX_ZIP_ENTRIES)
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(content))
            entries = self.archive.infolist()
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError):
            raise _damaged_workbook() from None
        if len(entries) > MAX_ZIP_ENTRIES:
            raise _too_large(TOO_MANY_PARTS, limit=MAX_ZIP_ENTRIES)
        inflated = sum(info.file_size for info in entries)  # as declared: zipfile never inflates more
        if inflated > MAX_UNCOMPRESSED_BYTES:
            raise TooLarge(
                f"file: the workbook inflates to {inflated // (1024 * 1024)} MB; the limit is "
                f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB. Split it into several files.",
                errors=[{"row": 0, "column": "", "message": OVER_A_LIMIT}],
            )
        try:
            self._read_structure()
        except _Broken:
            raise _damaged_workbook() from None
        self.shared: _StringTable | None = None
        self.formats: list[int] | None = None
        self.custom_formats: dict[int, str] = {}
        self._kinds: dict[int, tuple[str, bool, bool]] = {}

    def part(self, path: str, limit: int | None = None, too_large: str = PART_TOO_LARGE) -> _Part:
        return _Part(self.archive, self.limits, path, self.limits.part_bytes if limit is None else limit, too_large)

    # -- structure -----------------------------------------------------------------------------

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """The relationships of ``part``: id -> (type, target path inside the zip)."""
        folder, _, name = part.rpartition("/")
        rels_path = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
        if rels_path not in self.archive.NameToInfo:
            return {}
        found: dict[str, tuple[str, str]] = {}

        def start(tag: str, attributes: dict[str, str]) -> None:
            if tag == "Relationship" and attributes.get("TargetMode") != "External":
                target = attributes.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                found[attributes.get("Id", "")] = (attributes.get("Type", ""), posixpath.normpath(path))
                if len(found) > MAX_ZIP_ENTRIES:
                    raise _too_large(TOO_MANY_PARTS, limit=MAX_ZIP_ENTRIES)

        self.part(rels_path).parse(start, lambda tag: None)
        return found

    def _read_structure(self) -> None:
        main = next(
            (target for kind, target in self._relationships("").values() if kind.endswith(_MAIN_RELATIONSHIP)),
            "xl/workbook.xml",
        )
        relationships = self._relationships(main)
        sheets: list[tuple[str, str, str]] = []  # name, relationship id, part
        self.date1904 = False

        def start(tag: str, attributes: dict[str, str]) -> None:
            if tag == "sheet":
                rid = next((value for key, value in attributes.items() if _local(key) == "id"), "")
                sheets.append((attributes.get("name", ""), rid, ""))
                if len(sheets) > MAX_ZIP_ENTRIES:
                    raise _too_large(TOO_MANY_PARTS, limit=MAX_ZIP_ENTRIES)
            elif tag == "workbookPr":
                self.date1904 = attributes.get("date1904", "").lower() in ("1", "true")

        self.part(main).parse(start, lambda tag: None)
        self.sheet_names = [name for name, _rid, _ in sheets]
        # (name, part) of the worksheets; chart sheets and dialog sheets have no cells
        self.worksheets = [
            (name, relationships[rid][1])
            for name, rid, _ in sheets
            if rid in relationships and relationships[rid][0].endswith("/worksheet")
        ]
        by_type = {kind.rpartition("/")[2]: target for kind, target in relationships.values()}
        self.shared_path = by_type.get("sharedStrings")
        self.styles_path = by_type.get("styles")

    # -- shared strings ------------------------------------------------------------------------

    def shared_strings(self) -> _StringTable:
        if self.shared is None:
            self.shared = self._read_shared_strings() if self.shared_path else _StringTable()
        return self.shared

    def _count_entries(self, part: _Part) -> None:
        """Count the entries of the shared-string table at C speed before parsing it, so a table
        of millions of (empty) strings is refused in a fraction of a second."""
        limit = self.limits.shared_strings
        count, tail = 0, b""
        with self.archive.open(part.info) as source:
            while chunk := source.read(_XML_CHUNK):
                block = tail + chunk
                cut = block.rfind(b"<")
                cut = len(block) if cut < 0 else cut
                count += len(_SHARED_ENTRY.findall(block, 0, cut))
                tail = block[cut:]
                if len(tail) > 4096:
                    tail = tail[-4096:]
                if count > limit:
                    raise _too_large(TOO_MANY_STRINGS, limit=f"{limit:,}")

    def _read_shared_strings(self) -> _StringTable:
        part = self.part(self.shared_path, self.limits.shared_string_bytes, STRINGS_PART_TOO_LARGE)
        try:
            self._count_entries(part)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
            raise _damaged_workbook() from None
        limits = self.limits
        strings = _StringTable()
        pieces: list[str] = []
        state = {"in_si": False, "in_t": False, "phonetic": 0, "length": 0, "total": 0}

        def start(tag: str, _attributes: dict[str, str]) -> None:
            if tag == "si":
                state["in_si"], state["length"] = True, 0
                pieces.clear()
            elif tag == "t" and state["in_si"] and not state["phonetic"]:
                state["in_t"] = True
            elif tag == "rPh":
                state["phonetic"] += 1

        def end(tag: str) -> None:
            if tag == "t":
                state["in_t"] = False
            elif tag == "rPh":
                state["phonetic"] -= 1
            elif tag == "si" and state["in_si"]:
                state["in_si"] = False
                strings.append("".join(pieces).replace("x005F_", ""))  # as openpyxl reads them
                pieces.clear()
                if len(strings) > limits.shared_strings:
                    raise _too_large(TOO_MANY_STRINGS, limit=f"{limits.shared_strings:,}")

        def text(data: str) -> None:
            if state["in_t"]:
                state["length"] += len(data)
                state["total"] += len(data)
                if state["length"] > limits.cell_chars:
                    raise _too_large(STRING_TOO_LONG, index=len(strings) + 1, limit=f"{limits.cell_chars:,}")
                if state["total"] > limits.shared_string_chars:
                    raise _too_large(STRINGS_TOO_LONG, limit=f"{limits.shared_string_chars:,}")
                pieces.append(data)

        try:
            part.parse(start, end, text)
        except _Broken:
            raise _damaged_workbook() from None
        strings.close()
        return strings

    # -- number formats ------------------------------------------------------------------------

    def _read_styles(self) -> None:
        self.formats = []
        if not self.styles_path:
            return
        formats = self.formats
        custom = self.custom_formats
        state = {"cell_xfs": False}
        limit = self.limits.styles

        def start(tag: str, attributes: dict[str, str]) -> None:
            if tag == "numFmt":
                try:
                    custom[int(attributes.get("numFmtId", ""))] = attributes.get("formatCode", "")
                except ValueError:
                    pass
                if len(custom) > limit:
                    raise _too_large(TOO_MANY_STYLES, limit=f"{limit:,}")
            elif tag == "cellXfs":
                state["cell_xfs"] = True
            elif tag == "xf" and state["cell_xfs"]:
                try:
                    formats.append(int(attributes.get("numFmtId") or 0))
                except ValueError:
                    formats.append(0)
                if len(formats) > limit:
                    raise _too_large(TOO_MANY_STYLES, limit=f"{limit:,}")

        def end(tag: str) -> None:
            if tag == "cellXfs":
                state["cell_xfs"] = False

        try:
            self.part(self.styles_path).parse(start, end)
        except _Broken:
            raise _damaged_workbook() from None

    def style(self, index: int) -> tuple[str, bool, bool]:
        """The number format of cell style ``index``: (format code, is a date, is a duration)."""
        found = self._kinds.get(index)
        if found is None:
            from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

            if self.formats is None:
                self._read_styles()
            assert self.formats is not None
            number_format_id = self.formats[index] if 0 <= index < len(self.formats) else 0
            code = self.custom_formats.get(number_format_id) or BUILTIN_FORMATS.get(number_format_id, "General")
            found = self._kinds[index] = (code, is_date_format(code), is_timedelta_format(code))
        return found


class _StringTable:
    """The shared strings, packed: each block of 4,096 joined into one text, with where each
    string ends in an array. A list of a million short strings would take over 100 MB; packed,
    they take their characters and 4 bytes each. Strings read more than once are kept (up to
    ``CACHED``), so that a column of the same few values holds those few objects."""

    BLOCK = 4096
    CACHED = 50_000

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.ends = array("I")  # where each string ends in its block
        self.pending: list[str] = []
        self.count = 0
        self.cache: dict[int, str] = {}
        self.seen: set[int] = set()

    def append(self, text: str) -> None:
        self.pending.append(text)
        self.count += 1
        if len(self.pending) == self.BLOCK:
            self._pack()

    def _pack(self) -> None:
        self.ends.extend(itertools.accumulate(map(len, self.pending)))
        self.blocks.append("".join(self.pending))
        self.pending = []

    def close(self) -> None:
        if self.pending:
            self._pack()

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> str:
        found = self.cache.get(index)
        if found is not None:
            return found
        block, within = divmod(index, self.BLOCK)
        start = self.ends[index - 1] if within else 0
        text = self.blocks[block][start : self.ends[index]]
        if index in self.seen:  # read a second time: keep it
            if len(self.cache) >= self.CACHED:
                self.cache.clear()
            self.cache[index] = text
        elif len(self.seen) < 4 * self.CACHED:
            self.seen.add(index)
        return text


_SHARED_ENTRY = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
_DIGITS = re.compile(r"\d{1,9}")


def _cast_number(text: str) -> int | float:
    """A number as Excel saved it (openpyxl's reading: an integer unless it has . or E)."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)
