"""The name a downloaded file is saved under: in the reader's language, sent so that every
browser keeps it (RFC 6266 with the RFC 5987 ``filename*`` form for non-ASCII names).

A download names itself by an English message id of its stem, with values
(``"people-template"``, ``"units-{code}"``); the zh-CN catalogues translate it ("人员导入模板",
"单位-{code}"), English shows the id. ``attachment(tr, "units-{code}", ".xlsx", code=code)`` is
the ``Content-Disposition`` value: the translated name as ``filename*=UTF-8''...`` and the
English one as the plain ``filename`` fallback for old clients. ``content_disposition`` does the
same for a name made elsewhere (an attachment's original name, a report's title).

Litestar's ``File`` sends ``filename*`` alone for a non-ASCII name (no fallback), and
``Response``/``Stream`` nothing at all, hence this helper for every download.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import quote

from core.i18n import Translator

# Characters no file name may hold on Windows (or that break the header), and control characters.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')

# The names of the import templates (``core.services.imports.KINDS``), for the page and the API.
TEMPLATE_NAMES = {"units": "units-template", "people": "people-template", "teams": "teams-template"}


def safe_name(name: str) -> str:
    """``name`` with what a file system or the header cannot take replaced by "_"."""
    return _UNSAFE.sub("_", name).strip(" .") or "file"


def _ascii(name: str) -> str:
    cleaned = "".join(c if 32 <= ord(c) < 127 and c not in "%;" else "_" for c in safe_name(name))
    return cleaned or "file"


def content_disposition(
    name: str, fallback: str | None = None, *, disposition: Literal["attachment", "inline"] = "attachment"
) -> str:
    """``disposition`` of a file named ``name`` (``filename*``, UTF-8), with ``fallback`` (made
    ASCII; ``name`` with "_" for what is not ASCII when not given) as ``filename``."""
    name = safe_name(name)
    plain = _ascii(fallback if fallback is not None else name)
    if plain == name:
        return f'{disposition}; filename="{plain}"'
    return f"{disposition}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_name(tr: Translator, stem: str, suffix: str, **values: Any) -> str:
    """The file name in ``tr``'s language: ``stem`` (a message id) translated, with ``values``,
    and ``suffix`` (".xlsx")."""
    return safe_name(tr.gettext(stem, **values)) + suffix


def attachment(
    tr: Translator,
    stem: str,
    suffix: str,
    *,
    disposition: Literal["attachment", "inline"] = "attachment",
    **values: Any,
) -> str:
    """The ``Content-Disposition`` of a file named by message id ``stem`` (see the module)."""
    fallback = stem.format(**values) if values else stem
    return content_disposition(file_name(tr, stem, suffix, **values), fallback + suffix, disposition=disposition)
