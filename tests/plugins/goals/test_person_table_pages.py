"""一人一表's console page over HTTP, on both databases: a unit admin picks a template and sees
each indicator with its people, roles and shares; saves every indicator at once; shares off
100 %, a person of another unit and a non-number are each named beside their indicator and
nothing is written; CSRF, English, the menu entry, and 404 for other units, other localities and
a locality that has not enabled goals."""

from __future__ import annotations

import re

import httpx
import pytest

from core.schemas.indicators import GradeIn, TemplateIn
from core.schemas.indicators import IndicatorIn as TemplateIndicatorIn
from core.services import templates
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.goals import person_tables
from tests.helpers import browser_session
from tests.plugins.goals.setup import SYSTEM, make_world

PAGE = "/admin/localities/ga/goals/person-tables"


@pytest.fixture
def site(ctx, live_server):
    world = make_world(ctx)
    template = templates.create(
        ctx,
        SYSTEM,
        "ga",
        TemplateIn(
            name="机关一表",
            grade_scale=[GradeIn(label="好", score=95), GradeIn(label="一般", score=70)],
            indicators=[
                TemplateIndicatorIn(
                    code="A",
                    name="财政收入",
                    children=[TemplateIndicatorIn(code="A1", name="税收收入")],
                ),
                TemplateIndicatorIn(code="B", name="预算执行"),
            ],
        ),
    )
    clients = []

    def session(name: str) -> httpx.Client:
        client = browser_session(ctx, live_server.url, world.actors[name].user_id)
        clients.append(client)
        return client

    yield world, session, template
    for client in clients:
        client.close()


def ids(template):
    found = {}

    def walk(items):
        for i in items:
            found[i.code] = i.id
            walk(i.children)

    walk(template.indicators)
    return found


def table(ctx, world, template):
    out = person_tables.unit_table(ctx, world.actors["office"], "ga", world.unit_a, template.id)
    return {i.code: sorted((p.person_name, p.role, p.share) for p in i.people) for i in out.indicators}


def row(data, indicator, k, person, role, share):
    data[f"person-{indicator}-{k}"] = str(person) if person else ""
    data[f"role-{indicator}-{k}"] = role
    data[f"share-{indicator}-{k}"] = share


def filled(client, world, template, rows):
    """The form as the page sends it: three rows an indicator, ``rows`` typed in."""
    data = {"_csrf": client.csrf, "unit_id": str(world.unit_a), "template_id": str(template.id)}
    for indicator in ids(template).values():
        data[f"rows-{indicator}"] = "3"
        for k in range(3):
            row(data, indicator, k, None, "主办", "")
    for code, k, name, role, share in rows:
        row(data, ids(template)[code], k, world.people[name], role, share)
    return data


def test_a_unit_admin_splits_the_units_indicators_on_one_page(ctx, site):
    world, session, template = site
    a, a1 = ids(template)["A"], ids(template)["A1"]
    with session("admin_a") as admin:
        page = admin.get(PAGE, params={"unit_id": world.unit_a, "template_id": template.id})
        assert page.status_code == 200 and "一人一表" in page.text and "机关一表" in page.text
        for text in ("财政收入", "税收收入", "预算执行", "李明", "周五", "尚未分解"):
            assert text in page.text
        assert "钱七" not in page.text  # unit B's
        assert "共 3 项指标，3 项尚未分解到人。" in page.text
        saved = admin.post(
            PAGE,
            data=filled(
                admin,
                world,
                template,
                [("A", 0, "李明", "主办", "60"), ("A", 1, "周五", "协办", "40"), ("B", 0, "王芳", "主办", "100")],
            ),
        )
        assert saved.status_code == 303 and "saved=1" in saved.headers["location"]
        again = admin.get(saved.headers["location"])
        assert "已保存" in again.text and f'id="sum-{a}" aria-live="polite">合计：100%<' in again.text
        assert re.search(rf'id="person-{a}-0"[^>]*>.*?<option value="{world.people["李明"]}" selected', again.text)
        assert f'id="share-{a}-1" name="share-{a}-1" value="40"' in again.text
        assert f'id="share-{a1}-0" name="share-{a1}-0" value=""' in again.text
    assert table(ctx, world, template) == {
        "A": [("周五", "协办", 40.0), ("李明", "主办", 60.0)],
        "A1": [],
        "B": [("王芳", "主办", 100.0)],
    }

    with session("office") as office:  # the office: any unit; emptying a person takes them off
        data = filled(office, world, template, [("A", 0, "李明", "主办", "100"), ("B", 0, "王芳", "主办", "100")])
        assert office.post(PAGE, data=data).status_code == 303
    assert table(ctx, world, template)["A"] == [("李明", "主办", 100.0)]


def test_bad_shares_are_named_by_indicator_and_nothing_is_written(ctx, site):
    world, session, template = site
    a, a1, b = (ids(template)[c] for c in ("A", "A1", "B"))
    with session("admin_a") as admin:
        data = filled(
            admin,
            world,
            template,
            [
                ("A", 0, "李明", "主办", "60"),
                ("A", 1, "周五", "协办", "30"),  # 90 %
                ("A1", 0, "李明", "主办", "100"),  # fine, but not written either
                ("B", 0, "王芳", "主办", "abc"),
            ],
        )
        refused = admin.post(PAGE, data=data)
        assert refused.status_code == 422
        text = refused.text
        assert "未保存：有 2 项指标需要更正" in text
        assert f'id="error-{a}">“财政收入”：责任比重合计 90%，距 100% 还差 10%<' in text
        assert f'id="error-{a}"' in text and f'id="error-{b}"' in text and f'id="error-{a1}"' not in text
        assert "预算执行：责任比重 abc 不是 0 到 100 之间的数字" in text
        assert f'name="share-{b}-0" value="abc"' in text  # what was typed is kept
        assert f'id="sum-{a}" aria-live="polite">合计：90% · 距 100% 还差 10%<' in text
        data = filled(admin, world, template, [("A", 0, "钱七", "主办", "100")])  # unit B's person
        other = admin.post(PAGE, data=data)
        assert other.status_code == 422
    assert table(ctx, world, template) == {"A": [], "A1": [], "B": []}


def test_csrf_english_menu_and_404s(ctx, site):
    world, session, template = site
    with session("admin_a") as admin:
        data = filled(admin, world, template, [("B", 0, "王芳", "主办", "100")])
        assert admin.post(PAGE, data={**data, "_csrf": "x"}).status_code == 403
        english = admin.get(PAGE, params={"lang": "en"})
        assert "Person indicator tables" in english.text and "Save all" in english.text
        assert "No one yet" in english.text
        assert PAGE in admin.get("/admin/localities/ga/goals").text  # the menu entry
        short = admin.post(f"{PAGE}?lang=en", data=filled(admin, world, template, [("B", 0, "王芳", "主办", "50")]))
        assert short.status_code == 422
    assert table(ctx, world, template)["B"] == []
    with session("admin_b") as other:  # another unit's admin: their own unit, never unit A
        page = other.get(PAGE, params={"unit_id": world.unit_a, "template_id": template.id})
        assert page.status_code == 200 and "钱七" in page.text and "李明" not in page.text
        data = {**filled(other, world, template, [("B", 0, "王芳", "主办", "100")]), "_csrf": other.csrf}
        assert other.post(PAGE, data=data).status_code == 404
    with session("other_office") as other:
        assert other.get(PAGE).status_code == 404
    with session("member") as member:
        assert member.get(PAGE).status_code == 404
    set_plugin(ctx, SYSTEM, "ga", "goals", PluginSettingIn(enabled=False))
    with session("admin_a") as admin:
        assert admin.get(PAGE).status_code == 404
    assert table(ctx, world, template)["B"] == []
