"""Reordering goals from the console's tree page, on both databases: a goal moves one place up or
down among its siblings with its branch, the first going up and the last going down stay; a bad
direction is refused; CSRF; 404 for another unit's admin."""

from __future__ import annotations

from plugins.goals import progress
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import YEAR
from tests.plugins.goals.test_pages import BASE, form, site  # noqa: F401 - the fixture


def names(ctx, world):
    tree = progress.goal_tree(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR)
    return ["  " * g.depth + g.name for g in tree.goals]


def test_a_unit_admin_moves_goals_up_and_down_among_their_siblings(ctx, site):  # noqa: F811
    world, session = site
    one = goal(ctx, world, "一")
    two = goal(ctx, world, "二")
    goal(ctx, world, "一.1", parent_id=one.id)
    a = goal(ctx, world, "二.1", parent_id=two.id)
    b = goal(ctx, world, "二.2", parent_id=two.id)
    with session("admin_a") as admin:
        page = admin.get(BASE, params={"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}).text
        assert f'action="{BASE}/{two.id}/order"' in page and "在同级目标中上移" in page
        moved = admin.post(f"{BASE}/{two.id}/order", data=form(admin, direction="up"))
        assert moved.status_code == 303 and moved.headers["location"].endswith(f"year={YEAR}#goal-{two.id}")
        assert names(ctx, world) == ["二", "  二.1", "  二.2", "一", "  一.1"]
        admin.post(f"{BASE}/{two.id}/order", data=form(admin, direction="up"))  # already first: stays
        admin.post(f"{BASE}/{b.id}/order", data=form(admin, direction="down"))  # already last: stays
        assert names(ctx, world) == ["二", "  二.1", "  二.2", "一", "  一.1"]
        admin.post(f"{BASE}/{a.id}/order", data=form(admin, direction="down"))
        assert names(ctx, world) == ["二", "  二.2", "  二.1", "一", "  一.1"]
        assert admin.post(f"{BASE}/{a.id}/order", data=form(admin, direction="left")).status_code == 422
        assert admin.post(f"{BASE}/{a.id}/order", data={"direction": "up"}).status_code == 403
        assert names(ctx, world) == ["二", "  二.2", "  二.1", "一", "  一.1"]
    with session("admin_b") as stranger:
        assert stranger.post(f"{BASE}/{one.id}/order", data=form(stranger, direction="up")).status_code == 404
    assert names(ctx, world) == ["二", "  二.2", "  二.1", "一", "  一.1"]
