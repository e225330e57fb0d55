"""The goals' warnings (behind schedule, overdue) for the cadre cloud, on both databases: each
names the goal's page as its ``link``, the person's supervising leader's notice links there, and
that leader opens it (a follower of the published goal) while another locality's leader gets 404."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from core.models import Notification, Person
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.cadres.watch import watch_locality
from plugins.goals.models import Goal, GoalAssignment
from plugins.goals.warnings import BEHIND, OVERDUE, person_warnings
from tests.helpers import browser_session
from tests.plugins.cadres.setup import SYSTEM, account, make_world
from tests.plugins.cadres.test_warnings import _locality_id, _supervisor


def _goals(ctx, person_id: int) -> tuple[int, int]:
    """A published goal of the person running all year and one that ended in May, both of 2026,
    assigned to ``person_id`` with no progress: (the running one, the ended one)."""
    published = datetime(2026, 1, 5, tzinfo=UTC)
    with ctx.db.write() as session:
        locality_id = _locality_id(ctx)
        unit = session.get(Person, person_id).unit_id
        running, ended = (
            Goal(
                locality_id=locality_id,
                unit_id=unit,
                year=2026,
                name=name,
                start_date=date(2026, 1, 1),
                end_date=end,
                published_at=published,
            )
            for name, end in (("新建高标准农田 2 万亩", date(2026, 12, 31)), ("改造老旧小区 12 个", date(2026, 5, 31)))
        )
        session.add_all([running, ended])
        session.flush()
        for goal in (running, ended):
            session.add(
                GoalAssignment(locality_id=locality_id, goal_id=goal.id, person_id=person_id, role="主办", share=100)
            )
        return running.id, ended.id


def test_each_warning_links_to_the_goal_s_page_and_the_supervisor_opens_it(ctx, live_server):
    world = make_world(ctx)
    li = world.people["李镇长"]
    leader = _supervisor(ctx, world)
    set_plugin(ctx, SYSTEM, "ca", "goals", PluginSettingIn(enabled=True))
    set_plugin(ctx, SYSTEM, "cb", "goals", PluginSettingIn(enabled=True))
    running, ended = _goals(ctx, li)
    locality_id = _locality_id(ctx)

    warnings = person_warnings(ctx, locality_id, date(2026, 7, 1))
    assert sorted((w["key"], w["message_id"], w["link"]) for w in warnings) == sorted(
        [
            (f"goals:{running}", BEHIND, f"/admin/localities/ca/goals/{running}/comments"),
            (f"goals:{ended}", OVERDUE, f"/admin/localities/ca/goals/{ended}/comments"),
        ]
    )

    assert watch_locality(ctx, locality_id, {}, on=date(2026, 7, 1)) == 2
    with ctx.db.read() as session:
        links = session.exec(
            select(Notification.link).where(Notification.kind == "cadres.warning", Notification.user_id == leader)
        ).all()
    assert sorted(links) == sorted(w["link"] for w in warnings)

    stranger = account(ctx, "cb", "leader-cb", "leader").user_id
    with (
        browser_session(ctx, live_server.url, leader) as supervisor,
        browser_session(ctx, live_server.url, stranger) as other,
    ):
        for goal_id, name in ((running, "新建高标准农田 2 万亩"), (ended, "改造老旧小区 12 个")):
            link = f"/admin/localities/ca/goals/{goal_id}/comments"
            page = supervisor.get(link, params={"lang": "zh-CN"})
            assert page.status_code == 200, page.text[:300]
            assert name in page.text
            assert other.get(link).status_code == 404
