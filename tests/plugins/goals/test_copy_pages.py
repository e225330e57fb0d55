"""Copying goals to a later year from the console's tree page, on both databases: the whole set
or the branches ticked, every field and the people kept, as drafts of the target year linked to
their originals; a year that is not later is refused on the page and writes nothing; CSRF,
English, and 404 for another unit's admin."""

from __future__ import annotations

from datetime import date

from plugins.goals import progress, shares
from plugins.goals.schemas import AssignIn, ShareIn
from tests.plugins.goals.helpers import goal, revenue
from tests.plugins.goals.setup import YEAR
from tests.plugins.goals.test_pages import BASE, form, site  # noqa: F401 - the fixture


def tree(ctx, world, year):
    return progress.goal_tree(ctx, world.actors["admin_a"], "ga", world.unit_a, world.team, year).goals


def test_a_unit_admin_copies_the_sets_goals_or_chosen_branches_to_next_year(ctx, site):  # noqa: F811
    world, session = site
    top = revenue(ctx, world, source="上级交办", standard="完成12亿元", weight=3, end=date(YEAR, 11, 30))
    sub = goal(ctx, world, "子目标", parent_id=top.id)
    other = goal(ctx, world, "另一个")
    people = [
        ShareIn(person_id=world.people["李明"], role="主办", share=70),
        ShareIn(person_id=world.people["王芳"], role="协办", share=30),
    ]
    shares.assign(ctx, world.actors["admin_a"], "ga", top.id, AssignIn(people=people))
    where = {"unit_id": world.unit_a, "team_id": world.team, "year": YEAR}
    with session("admin_a") as admin:
        page = admin.get(BASE, params=where).text
        assert 'id="copy-form"' in page and "复制到其他年度" in page
        assert f'name="goal_id" value="{top.id}"' in page and f'name="goal_id" value="{sub.id}"' not in page
        assert f'name="to_year" value="{YEAR + 1}"' in page
        refused = admin.post(f"{BASE}/copy", data=form(admin, **where, to_year=YEAR, goal_id=top.id))
        assert refused.status_code == 422 and f"请选择 {YEAR} 年以后的年度作为复制目标。" in refused.text
        refused = admin.post(f"{BASE}/copy", data=form(admin, **where, to_year="明年"))
        assert refused.status_code == 422
        assert tree(ctx, world, YEAR + 1) == []
        assert admin.post(f"{BASE}/copy", data={**where, "to_year": YEAR + 1}).status_code == 403  # no CSRF
        done = admin.post(f"{BASE}/copy", data=form(admin, **where, to_year=YEAR + 1, goal_id=top.id))
        assert done.status_code == 303
        assert (
            done.headers["location"] == f"{BASE}?unit_id={world.unit_a}&team_id={world.team}&year={YEAR + 1}&copied=2"
        )
        shown = admin.get(done.headers["location"]).text
        assert "已复制 2 个目标到本年度（草稿），全部字段和分解人员均已保留。" in shown
        copies = tree(ctx, world, YEAR + 1)
        assert [(g.name, g.depth, g.copied_from) for g in copies] == [
            ("一般公共预算收入增长", 0, top.id),
            ("子目标", 1, sub.id),
        ]
        first = copies[0]
        assert (first.source, first.standard, first.weight, first.baseline, first.target) == (
            "上级交办",
            "完成12亿元",
            3,
            10,
            12,
        )
        assert (first.end, first.published) == (date(YEAR + 1, 11, 30), False)
        assert [(p.person_name, p.role, p.share) for p in first.people] == [("李明", "主办", 70), ("王芳", "协办", 30)]
        everything = admin.post(f"{BASE}/copy", data=form(admin, **where, to_year=YEAR + 2))
        assert everything.headers["location"].endswith(f"year={YEAR + 2}&copied=3")
        assert [g.copied_from for g in tree(ctx, world, YEAR + 2)] == [top.id, sub.id, other.id]
        english = admin.post(f"{BASE}/copy", data=form(admin, **where, to_year=YEAR - 1), params={"lang": "en"})
        assert english.status_code == 422 and f"Choose a year after {YEAR} to copy to." in english.text
    with session("admin_b") as stranger:  # another unit's admin copies nothing of unit A
        assert stranger.post(f"{BASE}/copy", data=form(stranger, **where, to_year=YEAR + 3)).status_code == 404
    assert tree(ctx, world, YEAR + 3) == []
