"""Reading CSV text: strict decoding (UTF-8, UTF-16 with a byte-order mark, GBK/GB18030, never
mixed), the delimiter, and rows within ``Limits``. See ``core.tabular``."""

from __future__ import annotations

import bisect
import codecs
import csv
import re
from collections.abc import Iterator
from functools import lru_cache

from core.services.errors import Invalid, TooLarge
from core.tabular.limits import (
    CSV_ROW_TOO_LONG,
    CSV_TOO_MANY_COLUMNS,
    CSV_TOO_MANY_LINES,
    CSV_TOO_MANY_ROWS,
    LIMITS,
    LINES_PER_ROW,
    MAX_NAMED,
    MORE_CHARACTERS,
    MORE_COLUMNS,
    NEITHER,
    NOT_LIKE_THE_REST,
    OVER_A_LIMIT,
    ROW_NEITHER,
    ROW_NOT_LIKE_THE_REST,
    Limits,
    _listed,
)

# --- the encoding of CSV text ----------------------------------------------------------------


@lru_cache(maxsize=1)
def _common_characters() -> frozenset[str]:
    """Every character of GB 2312: the 6,763 common hanzi, CJK punctuation, full-width forms,
    pinyin, Greek, Cyrillic, kana and the like; what Chinese office text is made of."""
    found = set()
    for lead in range(0xA1, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                found.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(found)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=1)
def _uncommon() -> re.Pattern[str]:
    return re.compile("[^\x00-\x7f" + "".join(re.escape(ch) for ch in sorted(_common_characters())) + "]")


def _commonness(text: str) -> float:
    """The share of the non-ASCII characters of ``text`` that are common Chinese office text."""
    total = sum(1 for _ in _NON_ASCII.finditer(text))
    return 1 - sum(1 for _ in _uncommon().finditer(text)) / total if total else 1.0


def _line_encoding(line: bytes) -> str | None:
    """Which encoding a line of a file without byte-order mark is in: "UTF-8", "GBK" or None.

    A line can decode both ways (UTF-8 text read as GBK gives mojibake; short GBK text can be
    valid UTF-8): then the decode made of the more common characters wins."""
    try:
        utf8: str | None = line.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    try:
        gbk: str | None = line.decode("gb18030")
    except UnicodeDecodeError:
        gbk = None
    if gbk is not None and _CONTROL.search(gbk):
        gbk = None  # control characters are not text: GB18030 maps odd byte sequences to them
    if utf8 is not None and gbk is not None:
        return "UTF-8" if _commonness(utf8) >= _commonness(gbk) else "GBK"
    return "UTF-8" if utf8 is not None else "GBK" if gbk is not None else None


class EncodingProblem(Exception):
    """Rows of a file that do not decode like the rest; ``text`` is the file decoded leniently
    (to count rows that span several lines)."""

    def __init__(self, message: str, row_message: str, lines: list[int], text: str):
        super().__init__(message)
        self.message, self.row_message, self.lines, self.text = message, row_message, lines, text


def _not_like_the_rest(encoding: str, lines: list[int], text: str) -> EncodingProblem:
    return EncodingProblem(
        NOT_LIKE_THE_REST.replace("{encoding}", encoding), ROW_NOT_LIKE_THE_REST.format(encoding=encoding), lines, text
    )


def _lenient(content: bytes, codec: str) -> str:
    return content.decode(codec, errors="replace")


def _bad_lines(content: bytes, codec: str) -> list[int]:
    """The line numbers (from 1) of a file with a byte-order mark that do not decode as ``codec``."""
    text = content.decode(codec, errors="kaoping.mark")
    lines, position, line = [], 0, 1
    while (found := text.find(_MARK, position)) >= 0:
        line += text.count("\n", position, found)
        lines.append(line)
        end = text.find("\n", found)
        if end < 0:
            break
        line, position = line + 1, end + 1
    return lines


_MARK = "\udcff"  # a lone surrogate: a strict decode never gives one
codecs.register_error("kaoping.mark", lambda exc: (_MARK, exc.end))


def decode_text(content: bytes) -> str:
    """The text of a CSV file, decoded strictly as a whole (see the module docstring).

    Raises ``EncodingProblem`` naming the lines that do not decode like the rest, ``Invalid``
    for binary content."""
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[3:].decode("utf-8")
        except UnicodeDecodeError:
            body = content[3:]
            raise _not_like_the_rest("UTF-8", _bad_lines(body, "utf-8"), _lenient(body, "utf-8")) from None
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_like_the_rest("UTF-16", _bad_lines(content, "utf-16"), _lenient(content, "utf-16")) from None
    if b"\x00" in content:
        raise Invalid("file: not an .xlsx or .csv file", errors=[{"row": 0, "column": "", "message": "binary content"}])
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Short GBK text can be valid UTF-8 ("女" is "Ů"): then the decode of common characters wins.
        if not content.isascii():
            try:
                gbk = content.decode("gb18030")
            except UnicodeDecodeError:
                return text
            if not _CONTROL.search(gbk) and _commonness(gbk) > _commonness(text):
                return gbk
        return text
    # Not UTF-8 as a whole: GBK, or a mixture. Each line is judged on its own (a line break is
    # never part of a UTF-8 or GB18030 character), then the file must be one encoding. Only the
    # counts and the first lines of each kind are kept (memory stays flat whatever the file).
    counts: dict[str | None, int] = {"UTF-8": 0, "GBK": 0, None: 0}
    lines: dict[str | None, list[int]] = {"UTF-8": [], "GBK": [], None: []}
    for number, line in _non_ascii_lines(content):
        encoding = _line_encoding(line)
        counts[encoding] += 1
        if len(lines[encoding]) < MAX_NAMED:
            lines[encoding].append(number)
    if counts["UTF-8"] and counts["UTF-8"] >= counts["GBK"]:
        raise _not_like_the_rest("UTF-8", sorted(lines["GBK"] + lines[None])[:MAX_NAMED], _lenient(content, "utf-8"))
    if counts["UTF-8"]:
        raise _not_like_the_rest("GBK", sorted(lines["UTF-8"] + lines[None])[:MAX_NAMED], _lenient(content, "gb18030"))
    if counts[None]:
        raise EncodingProblem(NEITHER, ROW_NEITHER, lines[None], _lenient(content, "gb18030"))
    return content.decode("gb18030")  # GBK files from Excel and WPS on Chinese Windows


_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _non_ascii_lines(content: bytes) -> Iterator[tuple[int, bytes]]:
    """The lines (split at "\\n", numbered from 1) that are not ASCII, found at C speed."""
    position, number = 0, 1
    while (found := _HIGH_BYTE.search(content, position)) is not None:
        start = content.rfind(b"\n", 0, found.start()) + 1
        number += content.count(b"\n", position, start)
        end = content.find(b"\n", found.start())
        end = len(content) if end < 0 else end
        yield number, content[start:end]
        position = end


_LEADING_BLANKS = re.compile("[\ufeff\r\n]*")


def _delimiter(text: str, utf16: bool = False) -> str:
    # Only the delimiter is guessed: the quoting is always Excel's ("" inside "..."), which the
    # sniffer often gets wrong, and then silently changes the text of the cells.
    start = _LEADING_BLANKS.match(text).end()
    end = text.find("\n", start)
    first = text[start : end if end >= 0 else len(text)]
    if utf16 and "\t" in first:
        return "\t"  # Excel's "Unicode text"
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


class _Lines:
    """The lines of ``text`` for ``csv.reader``, without copying the text (as ``io.StringIO``
    would, four bytes a character); refuses a row of more than ``limit`` characters before
    the reader splits it into cells."""

    def __init__(self, text: str, limit: int | None = None):
        self.text, self.limit, self.position, self.row_chars = text, limit, 0, 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        start = self.position
        if start >= len(self.text):
            raise StopIteration
        end = self.text.find("\n", start)
        end = len(self.text) if end < 0 else end + 1
        self.row_chars += end - start
        if self.limit is not None and self.row_chars > self.limit:
            raise _RowTooLong
        self.position = end
        return self.text[start:end]


class _RowTooLong(Exception):
    pass


def _rows_of_lines(text: str, delimiter: str, lines: list[int]) -> list[int]:
    """The CSV row numbers of file lines (a quoted cell may span several lines)."""
    ends: list[int] = []  # the last line of each row
    reader = csv.reader(_Lines(text), delimiter=delimiter)
    last = max(lines, default=0)
    try:
        for _row in reader:
            ends.append(reader.line_num)
            if reader.line_num >= last:
                break
    except csv.Error:
        pass
    rows: list[int] = []
    for line in lines:
        index = bisect.bisect_left(ends, line)
        row = index + 1 if index < len(ends) else len(ends) + (line - (ends[-1] if ends else 0))
        if row not in rows:
            rows.append(row)
    return rows


def csv_rows(content: bytes, limits: Limits | None = None) -> Iterator[list[str]]:
    """The rows of CSV (or tab-separated) text, cells as stripped text, numbered from 1;
    refused (``TooLarge``) beyond ``limits``: rows, columns and characters of a row."""
    limits = limits or LIMITS
    # Lines are judged one by one for their encoding: a file of millions of short lines (more
    # than a few lines for each row allowed) is refused before that, at C speed.
    if content.count(b"\n") > limits.rows * LINES_PER_ROW:
        raise TooLarge(
            CSV_TOO_MANY_LINES.format(limit=f"{limits.rows * LINES_PER_ROW:,}"),
            errors=[{"row": 0, "column": "", "message": OVER_A_LIMIT}],
        )
    try:
        text = decode_text(content)
    except EncodingProblem as problem:
        rows = _rows_of_lines(problem.text, _delimiter(problem.text), problem.lines)
        raise Invalid(
            problem.message.format(rows=_listed(rows)),
            errors=[{"row": row, "column": "", "message": problem.row_message} for row in rows[:MAX_NAMED]],
        ) from None
    if "\x00" in text:
        raise Invalid("file: not an .xlsx or .csv file", errors=[{"row": 0, "column": "", "message": "binary content"}])
    delimiter = _delimiter(text, utf16=content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)))
    # strict: a quote that is never closed is an error, not the rest of the file read as one cell
    lines = _Lines(text, limits.row_chars)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    number = 0
    while True:
        line = reader.line_num + 1  # where the next row starts in the file
        lines.row_chars = 0
        try:
            row = next(reader)
        except StopIteration:
            return
        except _RowTooLong:
            raise TooLarge(
                CSV_ROW_TOO_LONG.format(row=number + 1, limit=f"{limits.row_chars:,}"),
                errors=[
                    {"row": number + 1, "column": "", "message": MORE_CHARACTERS.format(limit=f"{limits.row_chars:,}")}
                ],
            ) from None
        except csv.Error as exc:  # an unclosed or stray quote, a cell beyond the field size limit
            reason = str(exc)
            if "unexpected end of data" in reason or "EOF" in reason:
                reason = f'a quote (") opened on line {line} is never closed'
            elif "expected after" in reason:
                reason = f'a quote (") on line {line} is followed by more text in the same cell'
            raise Invalid(
                f"file: row {number + 1} cannot be read as CSV: {reason}",
                errors=[{"row": number + 1, "column": "", "message": reason}],
            ) from None
        number += 1
        if number > limits.rows:
            raise TooLarge(
                CSV_TOO_MANY_ROWS.format(limit=f"{limits.rows:,}"),
                errors=[{"row": 0, "column": "", "message": OVER_A_LIMIT}],
            )
        if len(row) > limits.columns:
            raise TooLarge(
                CSV_TOO_MANY_COLUMNS.format(row=number, limit=f"{limits.columns:,}"),
                errors=[{"row": number, "column": "", "message": MORE_COLUMNS.format(limit=f"{limits.columns:,}")}],
            )
        yield [cell.strip() for cell in row]
