"""HTTP for the core's attachments service (``core.services.attachments``), shared by the API
and pages of every plugin that keeps files on its records (worklog entries, goal progress
reports, cadre dossiers): one way to send a stored file, one way to take an uploaded one."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import UploadFile
from litestar.response import File

from core.services import attachments
from core.services.errors import Invalid
from core.web.downloads import content_disposition


def send_file(download: attachments.Download) -> File:
    """A stored file as a download: its original name (RFC 5987), never sniffed by the browser,
    never cached by a shared cache."""
    return File(
        path=download.path,
        media_type=download.media_type,
        content_disposition_type="attachment",
        headers={
            "Content-Disposition": content_disposition(download.file_name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def one_file(data: dict[str, Any]) -> UploadFile:
    """The one file part of a multipart/form-data body; 422 (``Invalid``, field ``file``) when
    there is none or more than one."""
    parts = [part for value in data.values() for part in (value if isinstance(value, list) else [value])]
    files = [part for part in parts if isinstance(part, UploadFile)]
    if len(files) != 1:
        raise Invalid(
            "file: send exactly one file as a multipart/form-data file part",
            errors=[{"field": "file", "message": "one file expected"}],
        )
    return files[0]
