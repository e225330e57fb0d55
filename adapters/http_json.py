"""Adapter type ``http_json``: records from a JSON API, page by page.

One fetch requests each page once (GET, or POST with a JSON body), with headers and
credentials from the options, picks the list of records at ``records_path`` in each page and
follows the pagination (``page_number``: a query parameter counted up until an empty page;
``next_link``: a link in each page, absolute or relative to the page's URL). The core retries
the whole fetch on a ``TransientFault``.

Faults: a refused or dropped connection, a timeout (no complete answer within
``timeout_seconds``), HTTP 408/425/429 and 5xx are transient (``retry_after`` from a
``Retry-After`` header, in seconds or as an HTTP date); 401/403, 404 and other 4xx answers, a
body that is not JSON, a records path that is missing or not a list, and a record that is not
an object are permanent. Messages name the page and its URL without query string or
credentials, and never contain the secret options.

The options are in ``adapters.http_json_options``, the reading (pages, pagination, the checks
of hosts, redirects and headers) in ``adapters.http_json_reader``; this module is the adapter
the platform registers.
"""

from __future__ import annotations

from pathlib import Path

from adapters.http_json_options import HttpJsonOptions
from adapters.http_json_reader import _check_headers, _check_host, _pages, _Reader, _scrub, _secrets
from core.adapters import (
    MAX_RECORDS,
    AdapterContext,
    AdapterFault,
    Fetched,
    OptionsFault,
    PermanentFault,
    Record,
    TransientFault,
)
from core.hookspecs import hookimpl
from core.plugins import PluginInfo

KAOPING_PLUGIN = PluginInfo(
    label_zh="JSON 接口",
    label_en="JSON API (http_json)",
    description="Records from an HTTP API that answers JSON, with pagination.",
    locales_dir=Path(__file__).parent / "locales",  # adapters/locales: the options' titles, test results
)


class _Guard:
    """Re-raise any fault with the secrets taken out of its message."""

    def __init__(self, options: HttpJsonOptions):
        self.secrets = _secrets(options)

    def __enter__(self) -> _Guard:
        return self

    def __exit__(self, kind, exc, _tb) -> bool:
        if isinstance(exc, AdapterFault):
            message = _scrub(str(exc), self.secrets)
            if message != str(exc):
                if isinstance(exc, TransientFault):
                    raise TransientFault(message, retry_after=exc.retry_after) from None
                raise type(exc)(message) from None
        return False


class HttpJsonAdapter:
    name = "http_json"
    label_zh = "JSON 接口"
    label_en = "JSON API"
    options_model = HttpJsonOptions
    secret_options = ("secret_headers", "bearer_token", "basic_password")

    def check(self, options: HttpJsonOptions, context: AdapterContext) -> None:
        """When the source is saved: the URL's host (see ``_check_host``) and the headers."""
        _check_host(options.url, context)
        for option, headers in (("headers", options.headers), ("secret_headers", options.secret_headers)):
            try:
                _check_headers(headers)
            except PermanentFault as fault:
                raise OptionsFault(option, str(fault)) from None

    def test(self, options: HttpJsonOptions, context: AdapterContext) -> str:
        with _Guard(options):
            reader = _Reader(options, context)
            try:
                _number, records = next(_pages(reader, limit=1))
            finally:
                reader.close()
            if not records:
                return "first page: no records"
            fields: list[str] = []
            for record in records:
                fields += [name for name in record.fields if name not in fields]
            shown = ", ".join(fields[:8]) + (", …" if len(fields) > 8 else "")
            return f"first page: {len(records)} record{'s' if len(records) != 1 else ''}, fields {shown}"

    def fetch(self, options: HttpJsonOptions, context: AdapterContext) -> Fetched:
        with _Guard(options):
            reader = _Reader(options, context)
            records: list[Record] = []
            try:
                for number, page_records in _pages(reader):
                    records += page_records
                    if len(records) > MAX_RECORDS:
                        raise PermanentFault(f"more than {MAX_RECORDS} records (at page {number}); narrow the query")
                    context.log.debug("source %s: page %d, %d records", context.source_name, number, len(page_records))
            finally:
                reader.close()
            return Fetched(records=records)


ADAPTER = HttpJsonAdapter()


@hookimpl
def kaoping_adapters() -> list:
    return [ADAPTER]
