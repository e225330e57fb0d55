"""Every warning notice links somewhere its reader may go: the department's to the warnings page
of the person, at the warning (which links to the profile); a supervisor's to the page its source
names (a hook's ``link``, a path of this site only), else nowhere, since the cadre cloud is the
department's alone. The person's warnings page and API filter, 404 for another locality's person.
On both databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from core.models import Notification
from core.services.errors import NotFound
from plugins.cadres import watch
from plugins.cadres.warnings import WarningIn, list_warnings, raise_warnings, warning_link
from tests.plugins.cadres.test_warnings import _locality_id, _supervisor


def _links(ctx) -> dict[int, list[str]]:
    with ctx.db.read() as session:
        rows = session.exec(select(Notification).where(Notification.kind == "cadres.warning")).all()
        found: dict[int, list[str]] = {}
        for n in rows:
            found.setdefault(n.user_id, []).append(n.link)
        return found


def _raise(ctx, items: list[WarningIn]) -> list[int]:
    with ctx.db.write() as session:
        return [w.id for w in raise_warnings(session, _locality_id(ctx), items)]


def _item(person_id: int, key: str, link: str = "") -> WarningIn:
    return WarningIn(person_id, "goals", key, "goals", "{name}: behind", {}, link)


def test_the_department_s_notice_links_to_the_person_s_warnings_and_a_supervisor_s_to_the_source(ctx):
    from tests.plugins.cadres.setup import make_world

    world = make_world(ctx)
    leader = _supervisor(ctx, world)
    li, zhang = world.people["李镇长"], world.people["张书记"]
    [first, second, third] = _raise(
        ctx,
        [
            _item(li, "goals:1", "/admin/localities/ca/goals/1"),
            _item(li, "goals:2", "https://elsewhere.example/goals/2"),  # not of this site: dropped
            _item(zhang, "goals:3"),
        ],
    )
    links = _links(ctx)
    dept = world.actors["org_dept"].user_id
    assert sorted(links[dept]) == sorted(
        [
            f"/admin/localities/ca/cadres/warnings?person={li}#warning-{first}",
            f"/admin/localities/ca/cadres/warnings?person={li}#warning-{second}",
            f"/admin/localities/ca/cadres/warnings?person={zhang}#warning-{third}",
        ]
    )
    assert links[dept][0] == warning_link("ca", li, first)
    assert sorted(links[leader]) == ["", "", "/admin/localities/ca/goals/1"]  # both in the unit they supervise

    page = list_warnings(ctx, world.actors["org_dept"], "ca", person_id=li)
    assert (page.total, page.person_name, {w.id for w in page.items}) == (2, "李镇长", {first, second})
    with pytest.raises(NotFound):
        list_warnings(ctx, world.actors["org_dept"], "ca", person_id=world.other_person)
    with pytest.raises(NotFound):
        list_warnings(ctx, world.actors["leader"], "ca", person_id=li)


def test_a_hook_s_link_reaches_the_supervisor(ctx, monkeypatch):
    from tests.plugins.cadres.setup import make_world

    world = make_world(ctx)
    leader = _supervisor(ctx, world)
    li = world.people["李镇长"]

    class Impl:
        plugin_name = "goals"

        @staticmethod
        def function(ctx, locality_id, on):
            return [
                {
                    "person_id": li,
                    "key": "goals:7",
                    "source": "goals",
                    "message_id": "{name}: behind",
                    "link": "/admin/localities/ca/goals/7",
                }
            ]

    class Caller:
        @staticmethod
        def get_hookimpls():
            return [Impl]

    class Hooks:
        kaoping_person_warnings = Caller

    monkeypatch.setattr(watch, "hooks_for", lambda session, locality_id: Hooks)
    [item] = watch.hook_warnings(ctx, _locality_id(ctx), date(2026, 12, 1))
    assert item.link == "/admin/localities/ca/goals/7"
    [warning_id] = _raise(ctx, [item])
    links = _links(ctx)
    assert links[leader] == ["/admin/localities/ca/goals/7"]
    assert links[world.actors["org_dept"].user_id] == [warning_link("ca", li, warning_id)]


def test_the_link_opens_the_person_s_warnings_for_the_department_only(ctx, site):
    world, session, api = site
    li, zhang = world.people["李镇长"], world.people["张书记"]
    [mine, _other] = _raise(ctx, [_item(li, "goals:1"), _item(zhang, "goals:2")])
    with session("org_dept") as dept:
        page = dept.get(warning_link("ca", li, mine))
        assert page.status_code == 200
        assert f'id="warning-{mine}"' in page.text and "李镇长的预警" in page.text
        assert f'href="/admin/localities/ca/cadres/people/{li}"' in page.text and "张书记" not in page.text
        assert dept.get("/admin/localities/ca/cadres/warnings", params={"person": "x"}).status_code == 200
        english = dept.get("/admin/localities/ca/cadres/warnings", params={"person": li, "lang": "en"})
        assert english.status_code == 200 and "Warnings about 李镇长" in english.text and "All warnings" in english.text
    with session("leader") as leader:
        assert leader.get(warning_link("ca", li, mine)).status_code == 404
    with api("org_dept") as client:
        answer = client.get("/api/localities/ca/cadres/warnings", params={"person_id": li})
        assert answer.status_code == 200
        assert [w["id"] for w in answer.json()["items"]] == [mine] and answer.json()["person_name"] == "李镇长"
        other = client.get("/api/localities/ca/cadres/warnings", params={"person_id": world.other_person})
        assert other.status_code == 404
