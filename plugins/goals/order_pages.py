"""Reordering goals from the console's tree page (``/goals/{id}/order``): a goal moves one place up
or down among its siblings (the top goals of its set, or the sub-goals of its parent), its branch
with it (``service.reorder``); the first goal going up or the last going down stays."""

from __future__ import annotations

from anyio.to_thread import run_sync
from litestar import Request, Response, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from core.services.errors import Invalid
from core.web.admin.shell import open_shell
from plugins.goals import progress, service
from plugins.goals.pages import ADMIN_ROLES, CHECK_FIELD, CONSOLE_CHECKS, _set_query
from plugins.goals.schemas import ReorderIn


@post("/localities/{code:str}/goals/{goal_id:int}/order", include_in_schema=False, opt=CONSOLE_CHECKS)
async def order(
    request: Request, code: FromPath[str], goal_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """Form fields: ``_csrf``, ``direction`` (``up`` or ``down``)."""
    shell = await open_shell(request, code, roles=ADMIN_ROLES)
    shell.check_csrf(data)
    step = {"up": -1, "down": 1}.get(data.get("direction", ""))
    if step is None:
        raise Invalid(CHECK_FIELD)
    goal = await run_sync(progress.goal_detail, shell.ctx, shell.actor, code, goal_id)
    tree = await run_sync(progress.goal_tree, shell.ctx, shell.actor, code, goal.unit_id, goal.team_id, goal.year)
    siblings = [g.id for g in tree.goals if g.parent_id == goal.parent_id]
    here = siblings.index(goal.id)
    there = here + step
    if 0 <= there < len(siblings):
        siblings[here], siblings[there] = siblings[there], siblings[here]
        await run_sync(
            service.reorder,
            shell.ctx,
            shell.actor,
            code,
            goal.unit_id,
            goal.team_id,
            goal.year,
            ReorderIn(parent_id=goal.parent_id, order=siblings),
        )
    query = _set_query(goal.unit_id, goal.team_id, goal.year)
    return Redirect(f"/admin/localities/{code}/goals?{query}#goal-{goal.id}", status_code=303)


ROUTES = [order]
