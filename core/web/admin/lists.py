"""The shape every filtered console list shares (units, people, subjects): the service's search
run off the event loop, then either the results alone (an HTMX request that swaps only the
results element: filters typed, a page turned) or the whole page with what only it needs (the
forms, the filters' choices), read only then."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from anyio.to_thread import run_sync
from litestar import Response

from core.web.admin.shell import Shell

Found = TypeVar("Found")


async def list_page(
    shell: Shell,
    search: Callable[[], Found],
    page_template: str,
    results_template: str,
    *,
    results_id: str,
    title: str,
    context: Callable[[Found], dict[str, Any]] | None = None,
    whole_page: Callable[[Found], Awaitable[dict[str, Any]]] | None = None,
    crumbs: list[tuple[str, str | None]] | None = None,
    status_code: int = 200,
) -> Response:
    """Render a list page. ``search``: the service call (blocking; run in a thread), its result
    given to the templates as ``found``. ``results_template`` is rendered alone for an HTMX
    request whose target is ``results_id``, else ``page_template``. ``context(found)``: what both
    render (paging, the filters kept in links); ``whole_page(found)``: what only the whole page
    needs, awaited only for it. Both templates also get ``only_results``."""
    found = await run_sync(search)
    only_results = shell.wants_fragment(results_id)
    values: dict[str, Any] = dict(context(found)) if context is not None else {}
    if whole_page is not None and not only_results:
        values.update(await whole_page(found))
    return shell.render(
        page_template,
        title=title,
        crumbs=crumbs if crumbs is not None else [(shell.locality["name"], None)],
        fragment=(results_id, results_template),
        found=found,
        only_results=only_results,
        status_code=status_code,
        **values,
    )
