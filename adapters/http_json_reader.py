"""How a ``http_json`` source (``adapters.http_json``) is read: one client per fetch, each page
requested once within its deadline and size bound, the records picked at ``records_path``, the
pagination followed; and what keeps a locality's source from reaching where it must not (hosts
and addresses, redirects and next links to another server, malformed headers) or showing its
secrets (``_scrub``). Faults are ``TransientFault`` or ``PermanentFault`` naming the page, as
the adapter's docstring says."""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from adapters.http_json_options import HttpJsonOptions, NextLinkPagination, PageNumberPagination
from core.adapters import (
    AdapterContext,
    AdapterFault,
    OptionsFault,
    PermanentFault,
    Record,
    TransientFault,
    field_value,
    safe_location,
)

if TYPE_CHECKING:  # imported where used: a process that never pulls does not load httpx (and rich)
    import httpx

MAX_PAGE_BYTES = 50 * 1024 * 1024  # one page larger than this is refused
TRANSIENT_STATUSES = {408, 425, 429}
USER_AGENT = "kaoping-adapter/1"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header in seconds: delta-seconds or an HTTP date; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _secrets(options: HttpJsonOptions) -> list[str]:
    values = [options.bearer_token, options.basic_password, *options.secret_headers.values()]
    values.append(urlsplit(options.url).password)  # should not be there, but never show it
    return [v for v in values if v]


def _scrub(message: str, secrets: list[str]) -> str:
    forms = set()
    for secret in secrets:  # as given, and as Python shows it in a repr (escaped)
        forms |= {secret, repr(secret)[1:-1], repr(secret.encode("utf-8", "replace"))[2:-1]}
    for form in sorted(forms, key=len, reverse=True):
        if form:
            message = message.replace(form, "***")
    return message


_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_HEADER_VALUE = re.compile(r"^[\x20-\x7e\t]*$")


def _check_headers(headers: dict[str, str]) -> None:
    """HTTP headers are ASCII without line breaks; say which one is wrong, never its value."""
    for name, value in headers.items():
        if not _HEADER_NAME.match(name):
            raise PermanentFault(f"header {name!r}: not a valid header name")
        if not _HEADER_VALUE.match(value):
            raise PermanentFault(f"header {name}: the value may only hold printable ASCII characters")


def _snippet(content: bytes) -> str:
    text = content[:80].decode("utf-8", errors="replace").strip().replace("\n", " ").replace("\r", " ")
    return text + ("…" if len(content) > 80 else "")


def _check_address(host: str, port: int, context: AdapterContext) -> None:
    """Refuse addresses a locality must not reach through the server: link-local ones (cloud
    metadata services), unspecified and multicast ones always, and this server's loopback
    unless the platform allows it. Every page goes to this same host (``_Reader.same_server``)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError) as exc:
        raise TransientFault(
            f"cannot resolve the host {host!r} ({exc.strerror if hasattr(exc, 'strerror') else exc})"
        ) from None
    for address in sorted(addresses):
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_link_local or ip.is_multicast or ip.is_unspecified:
            raise PermanentFault(f"the host {host!r} is at {ip}, an address sources may not use")
        if ip.is_loopback and not context.allow_loopback:
            raise PermanentFault(
                f"the host {host!r} is this server itself ({ip}); the platform does not let "
                "sources reach it (setting KAOPING_ADAPTER_ALLOW_LOOPBACK)"
            )


def _check_host(url: str, context: AdapterContext) -> None:
    """What can be told of a URL without the network, when the source is saved: no credentials
    in it (they would be stored and shown in the clear), and no host that is an address sources
    may not use (a link-local, multicast or unspecified address; this server's loopback unless
    the platform allows it). A host name is resolved, and checked again, at every run."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise OptionsFault(
            "url",
            "url: put no user name or password in the URL; use the secret options "
            "(bearer_token, basic_username and basic_password, secret_headers)",
        )
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        ip = None
    if ip is not None and (ip.is_link_local or ip.is_multicast or ip.is_unspecified):
        raise OptionsFault("url", f"url: the host {host} is an address sources may not use")
    loopback = (ip is not None and ip.is_loopback) or host == "localhost" or host.endswith(".localhost")
    if loopback and not context.allow_loopback:
        raise OptionsFault(
            "url",
            f"url: the host {host} is this server itself; the platform does not let sources "
            "reach it (setting KAOPING_ADAPTER_ALLOW_LOOPBACK)",
        )


class _Reader:
    """One fetch: a client, the pages read so far, and the deadline of each page."""

    def __init__(self, options: HttpJsonOptions, context: AdapterContext):
        import httpx

        self.options = options
        self.context = context
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **options.headers, **options.secret_headers}
        _check_headers(headers)
        if options.bearer_token:
            headers["Authorization"] = f"Bearer {options.bearer_token}"
        for label, value in (
            ("bearer_token", options.bearer_token),
            ("basic_username", options.basic_username),
            ("basic_password", options.basic_password),
        ):
            if value is not None and not _HEADER_VALUE.match(value):
                raise PermanentFault(f"{label}: may only hold printable ASCII characters")
        auth = (options.basic_username, options.basic_password) if options.basic_username is not None else None
        self.client = httpx.Client(
            headers=headers,
            auth=auth,
            verify=options.verify_tls,
            timeout=httpx.Timeout(options.timeout_seconds),
            follow_redirects=True,
            event_hooks={"request": [self._check_redirect]},
        )
        origin = urlsplit(options.url)
        self.origin = (origin.scheme, origin.hostname, origin.port)
        _check_address(origin.hostname or "", origin.port or (443 if origin.scheme == "https" else 80), context)

    def same_server(self, url: str) -> bool:
        """The configured server, or the same host upgraded to https: the only place credentials go."""
        parts = urlsplit(url)
        if parts.hostname != self.origin[1]:
            return False
        return (parts.scheme, parts.port) == (self.origin[0], self.origin[2]) or parts.scheme == "https"

    def _check_redirect(self, request: httpx.Request) -> None:
        if not self.same_server(str(request.url)):
            # httpx would drop only the Authorization header on a redirect to another host
            raise PermanentFault(
                f"the source redirected to another server ({safe_location(str(request.url))}); "
                f"refused so that the credentials are not sent there"
            )

    def close(self) -> None:
        self.client.close()

    def page(self, number: int, url: str, params: dict[str, Any] | None) -> Any:
        """Request one page; its JSON, or a fault naming the page."""
        import httpx

        options = self.options
        where = f"page {number} ({safe_location(url)})"
        deadline = time.monotonic() + options.timeout_seconds
        kwargs: dict[str, Any] = {"params": params} if params else {}
        if options.method == "POST" and options.body is not None:
            kwargs["json"] = options.body
        try:
            with self.client.stream(options.method, url, **kwargs) as response:
                status = response.status_code
                if status >= 300:  # a redirect left over has no Location: not an answer either
                    response.close()
                    self._refuse(where, response)
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_PAGE_BYTES:
                        raise PermanentFault(
                            f"{where}: the answer is larger than {MAX_PAGE_BYTES // (1024 * 1024)} "
                            f"MB; ask for smaller pages"
                        )
                    if time.monotonic() > deadline:
                        raise TransientFault(f"{where}: no complete answer within {options.timeout_seconds:g} s")
                    chunks.append(chunk)
                content = b"".join(chunks)
                content_type = response.headers.get("content-type", "")
        except AdapterFault as exc:
            if isinstance(exc, PermanentFault) and not str(exc).startswith("page "):  # from the redirect check
                raise PermanentFault(f"{where}: {exc}") from None
            raise
        except httpx.TimeoutException:
            raise TransientFault(f"{where}: no answer within {options.timeout_seconds:g} s (timeout)") from None
        except httpx.UnsupportedProtocol:
            raise PermanentFault(f"{where}: not an http:// or https:// URL") from None
        except httpx.TooManyRedirects:
            raise PermanentFault(f"{where}: too many redirects") from None
        except httpx.ConnectError as exc:
            reason = str(exc)
            if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate verify failed" in reason:
                raise PermanentFault(f"{where}: the server's TLS certificate is not trusted") from None
            raise TransientFault(f"{where}: cannot connect ({_reason(exc)})") from None
        except httpx.RemoteProtocolError as exc:
            raise TransientFault(
                f"{where}: the connection was dropped before the answer was complete ({_reason(exc)})"
            ) from None
        except (UnicodeEncodeError, httpx.LocalProtocolError):
            raise PermanentFault(
                f"{where}: the request cannot be sent (a header or parameter holds characters HTTP cannot carry)"
            ) from None
        except httpx.TransportError as exc:  # read/write errors, a reset connection, proxies
            raise TransientFault(f"{where}: network error ({_reason(exc)})") from None
        except httpx.InvalidURL:
            raise PermanentFault(f"{where}: invalid URL") from None
        try:
            return json.loads(content)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            kind = f"content type {content_type.split(';')[0]}" if content_type else "no content type"
            position = f" at character {exc.pos + 1}" if isinstance(exc, json.JSONDecodeError) else ""
            detail = f"; it starts with {_snippet(content)!r}" if content else "; the body is empty"
            raise PermanentFault(f"{where}: the answer is not valid JSON{position} ({kind}){detail}") from None

    def _refuse(self, where: str, response: httpx.Response) -> None:
        status = response.status_code
        label = f"HTTP {status} {response.reason_phrase}".rstrip()
        if status in TRANSIENT_STATUSES or status >= 500:
            retry_after = retry_after_seconds(response.headers.get("retry-after"))
            hint = f"; the server asks to retry after {retry_after:g} s" if retry_after is not None else ""
            raise TransientFault(f"{where}: {label}{hint}", retry_after=retry_after)
        if status in (401, 403):
            raise PermanentFault(f"{where}: the source refused the credentials ({label})")
        if status == 404:
            raise PermanentFault(f"{where}: not found ({label})")
        raise PermanentFault(f"{where}: the source refused the request ({label})")

    def next_url(self, number: int, current: str, page: Any) -> str | None:
        path = self.options.pagination.path  # type: ignore[union-attr]
        if not isinstance(page, dict):
            raise PermanentFault(f"page {number}: the page is a list, so it cannot hold a next link at {path!r}")
        try:
            link = field_value(page, path)
        except KeyError:
            return None
        if link is None or link == "":
            return None
        if not isinstance(link, str):
            raise PermanentFault(f"page {number}: the next link at {path!r} is not text")
        target = urljoin(current, link.strip())
        if not self.same_server(target):
            # the credentials must not travel to another server named by the source's answer
            raise PermanentFault(
                f"page {number}: the next link points to another server ({safe_location(target)}); refused"
            )
        return target


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _records_of(number: int, page: Any, records_path: str) -> list[Any]:
    if records_path:
        if not isinstance(page, dict):
            raise PermanentFault(
                f"page {number}: expected an object with the records at {records_path!r}, found a {_json_kind(page)}"
            )
        try:
            records = field_value(page, records_path)
        except KeyError:
            raise PermanentFault(
                f"page {number}: no records at {records_path!r} (the page has {_keys(page)})"
            ) from None
    else:
        records = page
    if not isinstance(records, list):
        at = f"at {records_path!r}" if records_path else "(the page itself)"
        raise PermanentFault(f"page {number}: the records {at} are a {_json_kind(records)}, not a list")
    return records


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "null"


def _keys(page: dict) -> str:
    keys = list(page)
    if not keys:
        return "no fields"
    shown = ", ".join(map(str, keys[:8]))
    return f"fields {shown}{', …' if len(keys) > 8 else ''}"


def _page_records(number: int, page: Any, records_path: str) -> list[Record]:
    out = []
    for index, item in enumerate(_records_of(number, page, records_path), start=1):
        if not isinstance(item, dict):
            raise PermanentFault(
                f"page {number}, record {index}: a record must be an object, found a {_json_kind(item)}"
            )
        out.append(Record(where=f"page {number}, record {index}", fields=item))
    return out


def _pages(reader: _Reader, limit: int | None = None):
    """Yield (page number, records) until the pagination ends (or ``limit`` pages)."""
    options = reader.options
    pagination = options.pagination
    params = dict(options.params)
    max_pages = options.max_pages if limit is None else min(limit, options.max_pages)
    if isinstance(pagination, PageNumberPagination):
        for number in range(1, max_pages + 1):
            page_params = {**params, pagination.param: pagination.start + number - 1}
            if pagination.size_param:
                page_params[pagination.size_param] = pagination.size
            records = _page_records(number, reader.page(number, options.url, page_params), options.records_path)
            yield number, records
            if not records and pagination.stop_when_empty:
                return
            if pagination.size is not None and len(records) < pagination.size:
                return
        if limit is None:
            raise PermanentFault(
                f"more than {options.max_pages} pages; raise max_pages or check the pagination settings"
            )
        return
    url: str | None = options.url
    seen: set[str] = set()
    for number in range(1, max_pages + 1):
        assert url is not None
        seen.add(url)
        page = reader.page(number, url, params if number == 1 else None)
        yield number, _page_records(number, page, options.records_path)
        if not isinstance(pagination, NextLinkPagination):
            return
        url = reader.next_url(number, url, page)
        if url is None:
            return
        if url in seen:
            raise PermanentFault(
                f"page {number}: the next link leads back to a page already read ({safe_location(url)})"
            )
    if limit is None:
        raise PermanentFault(f"more than {options.max_pages} pages; raise max_pages or check the pagination settings")
