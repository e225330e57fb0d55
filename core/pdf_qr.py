"""QR codes for printed slips (ballot slips, activation codes), fast: ``qrcode`` is the source of truth, but not one code at a
time. Per (version, error level, mask) a layout is built once with qrcode itself (the matrix
with all-zero data, and where qrcode's own zig-zag placement puts each data bit, found by
placing a few probe streams). Per code, qrcode's segmenting and bit writing (``qrcode.util``)
give the data codewords, a table-driven Reed-Solomon over qrcode's GF(256) tables and block
structure adds the error correction, and the bits are XOR-ed onto the template with
precomputed tables. ``qr_matrix`` equals ``qrcode``'s ``get_matrix()`` (a test checks hundreds
of random URLs); ``qr_path`` is the matrix as one PDF vector path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import getitem, xor

import qrcode
from qrcode import LUT, base, util
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white around the code

# --- the encoder ----------------------------------------------------------------------------------

ERROR_CORRECTION = ERROR_CORRECT_M
FIXED_MASK = 2  # any mask decodes; choosing one skips qrcode's 8-way mask search
OPTIMIZE = 20  # qrcode's default segmenting (QRCode.add_data)


class _IntBitBuffer(util.BitBuffer):
    """qrcode's bit buffer with the bits kept in one integer (``put`` is bit by bit upstream)."""

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length

    def put_bit(self, bit: bool) -> None:
        self.value = (self.value << 1) | (1 if bit else 0)
        self.length += 1


_LONG_ALPHA_NUM = re.compile(b"[" + re.escape(util.ALPHA_NUM) + b"]{%d,}" % OPTIMIZE)


def _segments(data: str) -> list[util.QRData]:
    """``util.optimal_data_chunks`` as ``QRCode.add_data`` calls it. Without a run of
    ``OPTIMIZE`` characters of the alphanumeric set (digits are in it) that is one byte-mode
    segment, found here without qrcode's per-call regex compiling."""
    raw = data.encode("utf-8")
    if len(raw) > OPTIMIZE and not _LONG_ALPHA_NUM.search(raw):
        return [util.QRData(raw, mode=util.MODE_8BIT_BYTE, check_data=False)]
    return list(util.optimal_data_chunks(raw, minimum=OPTIMIZE))


def _write_segments(segments: list[util.QRData], version: int) -> _IntBitBuffer:
    buffer = _IntBitBuffer()
    for segment in segments:
        buffer.put(segment.mode, 4)
        buffer.put(len(segment), util.length_in_bits(segment.mode, version))
        if segment.mode == util.MODE_8BIT_BYTE:  # what QRData.write does, byte by byte
            buffer.put(int.from_bytes(segment.data, "big"), 8 * len(segment.data))
        else:
            segment.write(buffer)
    return buffer


def _fit_version(segments: list[util.QRData], error_correction: int, start: int = 1) -> tuple[int, _IntBitBuffer]:
    """The smallest version that holds the segments (``QRCode.best_fit``), and their bits."""
    buffer = _write_segments(segments, start)
    limits = util.BIT_LIMIT_TABLE[error_correction]
    version = start
    while version <= 40 and limits[version] < buffer.length:
        version += 1
    if version > 40:
        raise qrcode.exceptions.DataOverflowError()
    if util.mode_sizes_for_version(version) is not util.mode_sizes_for_version(start):
        return _fit_version(segments, error_correction, version)
    return version, buffer


@lru_cache(maxsize=64)
def _rs_table(ec_count: int) -> tuple[int, ...]:
    """For each factor f, f times the generator's coefficients (without the leading 1), packed
    big-endian into one integer, so one data byte of the division is a shift and an XOR."""
    if ec_count in LUT.rsPoly_LUT:
        generator = list(LUT.rsPoly_LUT[ec_count])
    else:
        poly = base.Polynomial([1], 0)
        for i in range(ec_count):
            poly = poly * base.Polynomial([1, base.gexp(i)], 0)
        generator = [poly[i] for i in range(len(poly))]
    assert len(generator) == ec_count + 1 and generator[0] == 1
    exp, log = base.EXP_TABLE, base.LOG_TABLE
    table = [0]
    for factor in range(1, 256):
        lf = log[factor]
        table.append(int.from_bytes(bytes(exp[(lf + log[g]) % 255] if g else 0 for g in generator[1:]), "big"))
    return tuple(table)


def _rs_remainder(data: bytes, ec_count: int) -> bytes:
    """The error correction codewords of one block: data times x^ec modulo the generator."""
    table = _rs_table(ec_count)
    shift = 8 * (ec_count - 1)
    mask = (1 << (8 * ec_count)) - 1
    remainder = 0
    for byte in data:
        remainder = ((remainder << 8) & mask) ^ table[byte ^ (remainder >> shift)]
    return remainder.to_bytes(ec_count, "big")


@lru_cache(maxsize=64)
def _blocks(version: int, error_correction: int) -> tuple[tuple[int, int], ...]:
    """(data codewords, error correction codewords) of each block: ``qrcode.base.rs_blocks``."""
    return tuple((b.data_count, b.total_count - b.data_count) for b in base.rs_blocks(version, error_correction))


def _interleaving(blocks: tuple[tuple[int, int], ...]) -> list[int]:
    """For each codeword of the blocks laid end to end (all data blocks, then all error
    correction blocks), its position in the interleaved sequence (``util.create_bytes``)."""
    data_starts, ec_starts, offset = [], [], 0
    for data_count, _ in blocks:
        data_starts.append(offset)
        offset += data_count
    for _, ec_count in blocks:
        ec_starts.append(offset)
        offset += ec_count
    order = []  # interleaved position -> position laid end to end
    for starts, counts in ((data_starts, [d for d, _ in blocks]), (ec_starts, [e for _, e in blocks])):
        for i in range(max(counts)):
            order.extend(start + i for start, count in zip(starts, counts) if i < count)
    position = [0] * len(order)
    for interleaved, flat in enumerate(order):
        position[flat] = interleaved
    return position


def _codewords(buffer: _IntBitBuffer, version: int, error_correction: int) -> bytes:
    """``qrcode.util.create_data`` up to the interleaving: terminator, padding and the blocks
    with their Reed-Solomon codewords, laid end to end (the layout's tables interleave)."""
    blocks = _blocks(version, error_correction)
    bit_limit = util.BIT_LIMIT_TABLE[error_correction][version]
    if buffer.length > bit_limit:
        raise qrcode.exceptions.DataOverflowError(f"data size ({buffer.length}) > size available ({bit_limit})")
    bits, length = buffer.value, buffer.length
    terminator = min(bit_limit - length, 4)
    bits, length = bits << terminator, length + terminator
    if length % 8:
        bits, length = bits << (8 - length % 8), length + 8 - length % 8
    stream = bits.to_bytes(length // 8, "big")
    fill = bit_limit // 8 - len(stream)
    stream += (bytes((util.PAD0, util.PAD1)) * (fill // 2 + 1))[:fill]
    if len(blocks) == 1:
        return stream + _rs_remainder(stream, blocks[0][1])
    parts, offset = [stream], 0
    for data_count, ec_count in blocks:
        parts.append(_rs_remainder(stream[offset : offset + data_count], ec_count))
        offset += data_count
    return b"".join(parts)


TABLE_BUDGET = 16 * 1024 * 1024  # bytes of XOR tables, and of path strings, per cached layout


@dataclass(frozen=True)
class _Layout:
    """Everything about one (version, error level, mask) that does not depend on the data.

    The matrix is an integer read as big-endian bytes of ``stride`` bits per row (stride a
    multiple of 8 wider than the matrix), so row r, column c is bit ``r * stride + c`` from the
    start, and the bytes past a row's end are always 0.

    Data bits are placed by XOR-ing precomputed masks onto the template, one per codeword
    (``chunk`` 8) or per half codeword (``chunk`` 4, tables keyed by hex digit) in the order of
    the blocks laid end to end, so the tables also do the interleaving. Large versions, whose
    tables would not fit ``TABLE_BUDGET``, flip bit by bit (``chunk`` 1, ``bit_index``). The
    PDF path likewise comes from per-byte strings when they fit the budget.
    """

    version: int
    size: int
    stride: int
    nbytes: int
    template: int  # the matrix with all-zero data: function patterns, format information, mask
    chunk: int
    xor_tables: tuple = ()  # chunk 8 or 4: per chunk of the blocks laid end to end, its masks
    bit_index: tuple[int, ...] = ()  # chunk 1: per bit of the blocks laid end to end, where it goes
    path_parts: tuple[tuple[str, ...], ...] = ()  # per matrix byte: the rectangles of its 256 values


def _modules_to_int(modules: list[list[bool]], stride: int) -> int:
    value = 0
    for row in modules:
        bits = 0
        for dark in row:
            bits = (bits << 1) | (1 if dark else 0)
        value = (value << stride) | (bits << (stride - len(row)))
    return value


def _placement(version: int, error_correction: int, mask: int) -> tuple[list[list[bool]], list[int]]:
    """With qrcode itself: the matrix with all-zero data, and for each bit of the interleaved
    codewords the (row, column) qrcode's ``map_data`` puts it at, as ``row * size + column``.
    Probe k places a stream whose bit i is bit k of i + 1, so a few probes tell every position."""
    qr = qrcode.QRCode(version=version, error_correction=error_correction, border=0, mask_pattern=mask)
    total = sum(block.total_count for block in base.rs_blocks(version, error_correction))
    n_bits = total * 8

    def place(codewords: list[int]) -> list[list[bool]]:
        qr.data_cache = codewords  # makeImpl places data_cache with qrcode's own map_data
        qr.makeImpl(False, mask)
        return qr.modules

    template = [row[:] for row in place([0] * total)]
    size = len(template)
    index = [0] * (size * size)
    for k in range(n_bits.bit_length()):
        stream = 0
        for i in range(n_bits):
            stream = (stream << 1) | (((i + 1) >> k) & 1)
        probe = place(list(stream.to_bytes(total, "big")))
        for r in range(size):
            trow, prow = template[r], probe[r]
            for c in range(size):
                if trow[c] != prow[c]:
                    index[r * size + c] |= 1 << k
    where = [-1] * n_bits
    for cell, number in enumerate(index):
        if number:
            where[number - 1] = cell
    if -1 in where or sum(1 for number in index if number) != n_bits:
        raise RuntimeError(f"qrcode placed the probe bits of version {version} unexpectedly")
    return template, where


@lru_cache(maxsize=2)  # one base URL gives one version
def _layout(version: int, error_correction: int, mask: int) -> _Layout:
    template, where = _placement(version, error_correction, mask)
    size = len(template)
    stride = (size // 8 + 1) * 8
    total_bits = size * stride
    int_bytes = 32 + total_bits // 8  # one mask as a Python int
    # Matrix bit numbers (from the start) of the bits of the blocks laid end to end.
    flat_bits = []
    for interleaved in _interleaving(_blocks(version, error_correction)):
        for bit in range(8 * interleaved, 8 * interleaved + 8):
            row, column = divmod(where[bit], size)
            flat_bits.append(row * stride + column)
    codewords = len(flat_bits) // 8
    fields = {}
    if codewords * 256 * int_bytes <= TABLE_BUDGET:
        chunk = 8
    elif codewords * 2 * 16 * int_bytes <= TABLE_BUDGET:
        chunk = 4
    else:
        chunk = 1
        fields["bit_index"] = tuple(flat_bits)
    if chunk > 1:
        tables = []
        for first in range(0, len(flat_bits), chunk):
            masks = [1 << (total_bits - 1 - bit) for bit in flat_bits[first : first + chunk]]  # MSB first
            table = [0] * (1 << chunk)
            for value in range(1, 1 << chunk):
                low = value & -value
                table[value] = table[value ^ low] ^ masks[chunk - low.bit_length()]
            tables.append(tuple(table) if chunk == 8 else dict(zip("0123456789abcdef", table)))
        fields["xor_tables"] = tuple(tables)
    if size * (stride // 8) * 256 * 80 <= TABLE_BUDGET:
        fields["path_parts"] = _path_parts(size, stride)
    return _Layout(
        version=version,
        size=size,
        stride=stride,
        nbytes=total_bits // 8,
        template=_modules_to_int(template, stride),
        chunk=chunk,
        **fields,
    )


@lru_cache(maxsize=1)
def _byte_runs() -> tuple[tuple[tuple[int, int], ...], ...]:
    """For each byte value, its runs of 1 bits as (offset from the MSB, length)."""
    out = []
    for value in range(256):
        runs, bit = [], 0
        while bit < 8:
            if value & (0x80 >> bit):
                start = bit
                while bit < 8 and value & (0x80 >> bit):
                    bit += 1
                runs.append((start, bit - start))
            else:
                bit += 1
        out.append(tuple(runs))
    return tuple(out)


def _path_parts(size: int, stride: int) -> tuple[tuple[str, ...], ...]:
    runs = _byte_runs()
    parts = []
    for r in range(size):
        for k in range(stride // 8):
            column = 8 * k
            parts.append(tuple("".join(f"{column + s} {r} {n} 1 re\n" for s, n in runs[value]) for value in range(256)))
    return tuple(parts)


_RUN = re.compile("1+")


def _encode(data: str) -> tuple[_Layout, bytes]:
    """The layout and the matrix bytes of ``data``."""
    version, buffer = _fit_version(_segments(data), ERROR_CORRECTION)
    layout = _layout(version, ERROR_CORRECTION, FIXED_MASK)
    codewords = _codewords(buffer, version, ERROR_CORRECTION)
    if layout.chunk == 8:
        matrix = reduce(xor, map(getitem, layout.xor_tables, codewords), layout.template)
    elif layout.chunk == 4:
        matrix = reduce(xor, map(getitem, layout.xor_tables, codewords.hex()), layout.template)
    else:
        flipped = bytearray(layout.template.to_bytes(layout.nbytes, "big"))
        bits = format(int.from_bytes(codewords, "big"), f"0{8 * len(codewords)}b")
        for match in _RUN.finditer(bits):
            for bit in layout.bit_index[match.start() : match.end()]:
                flipped[bit >> 3] ^= 0x80 >> (bit & 7)
        return layout, bytes(flipped)
    return layout, matrix.to_bytes(layout.nbytes, "big")


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR matrix of ``data`` (no quiet zone): what ``qrcode`` gives for the same version,
    error level and mask."""
    layout, matrix = _encode(data)
    bits = format(int.from_bytes(matrix, "big"), f"0{8 * len(matrix)}b")
    return [
        [bit == "1" for bit in bits[r * layout.stride : r * layout.stride + layout.size]] for r in range(layout.size)
    ]


def qr_path(data: str) -> tuple[int, str]:
    """The dark modules as PDF rectangles in module units (row 0 at the top): (size, ops)."""
    layout, matrix = _encode(data)
    if layout.path_parts:
        return layout.size, "".join(map(getitem, layout.path_parts, matrix))
    bits = format(int.from_bytes(matrix, "big"), f"0{8 * len(matrix)}b")
    ops = []
    for match in _RUN.finditer(bits):
        row, column = divmod(match.start(), layout.stride)
        ops.append(f"{column} {row} {match.end() - match.start()} 1 re\n")
    return layout.size, "".join(ops)


def _qr_ops(data: str, x: float, y: float, size: float) -> str:
    """A QR code whose lower-left corner (quiet zone included) is (x, y)."""
    modules, path = qr_path(data)
    cell = size / (modules + 2 * QUIET_ZONE)
    return (
        f"q {cell:.5f} 0 0 {-cell:.5f} {x + QUIET_ZONE * cell:.3f} {y + size - QUIET_ZONE * cell:.3f} cm\n{path}f Q\n"
    )


qr_ops = _qr_ops  # the public name (core.slips_pdf, ballots.slips)
