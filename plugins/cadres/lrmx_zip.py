"""The entries of an uploaded zip (of appointment forms), read in memory within hard limits.

``zip_entries`` refuses the whole zip (``core.services.errors`` ``Invalid`` or ``TooLarge``,
naming the zip, the entry and the limit) when it is damaged, holds more than ``max_entries``
files, inflates beyond ``max_total_bytes`` in all, has an entry inflating more than
``max_ratio`` times its packed size (above 1 MB), is encrypted, or names an entry that leaves
the zip's folders (``../x``, ``/etc/x``, ``C:\\x``, a NUL). Nothing is written to disk. Names a
Chinese Windows wrote in GBK without the UTF-8 flag are read as GBK. Folders and macOS
resource forks (``__MACOSX/``, ``._x``) are left out.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from core.services.errors import Invalid, TooLarge

MB = 1024 * 1024

# --- messages (ids of plugins/cadres/locales; keep the placeholders) ----------------------------
ZIP_DAMAGED = "{name}: the zip file is damaged ({reason})"
ZIP_TOO_MANY = "{name}: the zip file holds more than {limit} files; split it into several"
ZIP_TOO_LARGE = "{name}: the files in the zip inflate to more than {limit} MB; split it into several"
ZIP_BOMB = "{name}: the entry {entry} inflates more than {limit} times its size (a zip bomb?); refused"
ZIP_PATH = "{name}: the entry {entry} has a name that leaves the zip's folders (a path trick); refused"
ZIP_ENCRYPTED = "{name}: the entry {entry} is encrypted; zip the forms without a password"


@dataclass(frozen=True)
class ZipEntry:
    """An entry: its name, whether the caller wanted it, and its content (None when not
    wanted, or when larger than ``max_entry_bytes``)."""

    name: str
    wanted: bool
    content: bytes | None


def entry_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # no UTF-8 flag: Chinese Windows writes GBK names
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def climbs_out(name: str) -> bool:
    """Whether a name would leave the folder it is unpacked into."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts or "\x00" in name


def zip_entries(
    filename: str,
    data: bytes,
    *,
    max_entries: int,
    max_total_bytes: int,
    max_ratio: int,
    max_entry_bytes: int,
    wanted: Callable[[str], bool],
) -> list[ZipEntry]:
    """The entries of a zip in its order, the ``wanted`` ones read (see the module)."""
    params = {"name": filename}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise Invalid(ZIP_DAMAGED, params={**params, "reason": str(error)}) from error
    if len(infos) > max_entries:
        raise TooLarge(ZIP_TOO_MANY, params={**params, "limit": max_entries})
    total = 0
    for info in infos:
        name = entry_name(info)
        if climbs_out(name):
            raise Invalid(ZIP_PATH, params={**params, "entry": name})
        if info.flag_bits & 0x1:
            raise Invalid(ZIP_ENCRYPTED, params={**params, "entry": name})
        total += info.file_size
        if total > max_total_bytes:
            raise TooLarge(ZIP_TOO_LARGE, params={**params, "limit": max_total_bytes // MB})
        if info.file_size > max_ratio * max(info.compress_size, 1) and info.file_size > MB:
            raise TooLarge(ZIP_BOMB, params={**params, "entry": name, "limit": max_ratio})
    entries: list[ZipEntry] = []
    for info in infos:
        name = entry_name(info)
        if info.is_dir() or name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1].startswith("._"):
            continue
        if not wanted(name):
            entries.append(ZipEntry(name, False, None))
            continue
        if info.file_size > max_entry_bytes:
            entries.append(ZipEntry(name, True, None))
            continue
        try:
            with archive.open(info) as stream:
                # the header's size may lie: read no more than the limit, whatever it says
                content = stream.read(max_entry_bytes + 1)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as error:
            raise Invalid(ZIP_DAMAGED, params={**params, "reason": f"{name}: {error}"}) from error
        if len(content) > max_entry_bytes:
            raise TooLarge(ZIP_BOMB, params={**params, "entry": name, "limit": max_ratio})
        entries.append(ZipEntry(name, True, content))
    return entries
