"""Many goals to many people in one step from the console (/goals/assign), on both databases: the
unit admin ticks goals and people with roles and shares; every goal ticked gets the same people;
shares that do not sum to 100 %, no goal ticked or a bad number are refused on the page with the
reason and write nothing; CSRF, English, and 404 for another unit's admin."""

from __future__ import annotations

from plugins.goals import progress
from tests.plugins.goals.helpers import goal
from tests.plugins.goals.setup import YEAR
from tests.plugins.goals.test_pages import BASE, form, site  # noqa: F401 - the fixture


def people_of(ctx, world):
    goals = progress.goal_tree(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, YEAR).goals
    return {g.name: [(p.person_name, p.role, p.share) for p in g.people] for g in goals}


def test_a_unit_admin_gives_many_goals_the_same_people_at_once(ctx, site):  # noqa: F811
    world, session = site
    top = goal(ctx, world, "经济发展")
    subs = [goal(ctx, world, f"子目标{i}", parent_id=top.id) for i in range(3)]
    where = {"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}
    li, wang = world.people["李明"], world.people["王芳"]
    with session("admin_a") as admin:
        tree = admin.get(BASE, params=where).text
        assert 'id="assign-many"' in tree and "批量分解目标" in tree
        page = admin.get(f"{BASE}/assign", params=where)
        assert page.status_code == 200 and "批量分解目标" in page.text
        assert all(f'name="goal_id" value="{g.id}"' in page.text for g in [top, *subs])
        assert f'name="on-{li}"' in page.text and f'name="on-{wang}"' in page.text
        assert f'name="on-{world.people["周五"]}"' not in page.text  # not of the team
        people = {f"on-{li}": "1", f"role-{li}": "主办", f"share-{li}": "60"}
        people |= {f"on-{wang}": "1", f"role-{wang}": "协办", f"share-{wang}": "30"}
        ticked = {"goal_id": [str(g.id) for g in subs[:2]]}
        short = admin.post(f"{BASE}/assign", data={**form(admin, **where, **people), **ticked})
        assert short.status_code == 422 and "责任比重合计 90%，距 100% 还差 10%" in short.text
        assert f'name="goal_id" value="{subs[0].id}" checked' in short.text  # the form comes back as sent
        nothing = admin.post(f"{BASE}/assign", data=form(admin, **where, **people))
        assert nothing.status_code == 422 and "请至少勾选一个目标。" in nothing.text
        bad = admin.post(f"{BASE}/assign", data={**form(admin, **where, **people), f"share-{wang}": "三十", **ticked})
        assert bad.status_code == 422 and "三十 不是数字" in bad.text
        assert all(v == [] for v in people_of(ctx, world).values())
        assert admin.post(f"{BASE}/assign", data={**where, **people, **ticked}).status_code == 403
        people[f"share-{wang}"] = "40"
        done = admin.post(f"{BASE}/assign", data={**form(admin, **where, **people), **ticked})
        assert done.status_code == 303 and done.headers["location"].endswith("&assigned=2")
        assert "已为 2 个目标分解责任人。" in admin.get(done.headers["location"]).text
        given = [("李明", "主办", 60), ("王芳", "协办", 40)]
        assert people_of(ctx, world) == {"经济发展": [], "子目标0": given, "子目标1": given, "子目标2": []}
        english = admin.post(f"{BASE}/assign", data=form(admin, **where, **people), params={"lang": "en"})
        assert english.status_code == 422 and "Tick at least one goal." in english.text
        assert "Decompose many goals at once" in admin.get(f"{BASE}/assign", params={**where, "lang": "en"}).text
    with session("admin_b") as stranger:  # another unit's admin neither sees nor writes unit A's goals
        assert stranger.get(f"{BASE}/assign", params=where).status_code == 404
        refused = stranger.post(f"{BASE}/assign", data={**form(stranger, **where, **people), "goal_id": [str(top.id)]})
        assert refused.status_code == 404
    assert people_of(ctx, world)["经济发展"] == []
