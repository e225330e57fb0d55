"""The indicator template pages over HTTP: start a template, build its tree (add a child, edit,
move, delete), the weights that do not add up named, the grade scale, a bad import's rows in a
table, copy to a new version and export; only the office of the locality gets in."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.context import Actor
from core.services import templates
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")
SYSTEM = Actor.system("test")
BUREAU = Path("/work/shared/data/bureau-indicator-table.xlsx")
BASE = "/admin/localities/county-m/templates"


@pytest.fixture
def county(world):
    world.locality("county-m", "示范县")
    world.locality("other-m", "别的县")
    from core.schemas.org import UnitIn
    from core.services import org

    org.create_unit(world.ctx, SYSTEM, "county-m", UnitIn(code="M1", name="单位"))
    world.user("office-m", "office", "county-m")
    world.user("office-x", "office", "other-m")
    world.user("unit-m", "unit_admin", "county-m", unit="M1")
    return world


def _tree(ctx, template_id: int) -> list:
    def walk(items):
        return [(i.code, i.name, i.weight, walk(i.children)) for i in items]

    return walk(templates.get(ctx, SYSTEM, template_id).indicators)


def test_an_office_builds_a_three_level_template_in_the_editor(county):
    with _session(county, "office-m") as client:
        c = {"_csrf": client.csrf}
        page = client.post(BASE, data={**c, "name": "年度考核", "first": "德"}, follow_redirects=True)
        assert page.status_code == 200 and "年度考核" in page.text
        url = str(page.url.path)
        template_id = int(url.rsplit("/", 1)[1])
        add = f"{url}/indicators/new"
        assert (
            client.post(
                add, data={**c, "parent": "1", "code": "1.1", "name": "政治品德", "kind": "graded", "weight": "60"}
            ).status_code
            == 302
        )
        client.post(
            add,
            data={
                **c,
                "parent": "1.1",
                "code": "1.1.1",
                "name": "理想信念",
                "kind": "graded",
                "weight": "100",
                "standard": "坚定理想信念",
            },
        )
        client.post(add, data={**c, "parent": "1", "code": "1.2", "name": "职业道德", "kind": "graded", "weight": "30"})
        client.post(add, data={**c, "code": "2", "name": "能", "kind": "graded", "weight": "50"})
        assert _tree(county.ctx, template_id) == [
            ("1", "德", 1, [("1.1", "政治品德", 60, [("1.1.1", "理想信念", 100, [])]), ("1.2", "职业道德", 30, [])]),
            ("2", "能", 50, []),
        ]
        shown = client.get(url).text
        assert "weight-warnings" in shown and "1 德：90" in shown.replace(" ", " ")  # 60 + 30 under 德
        assert "顶层：51" in shown

        # edit, move down, move under another, a bad weight beside its field, delete
        refused = client.post(
            f"{url}/indicators/1",
            data={**c, "action": "save", "code": "1", "name": "德", "kind": "graded", "weight": "很多"},
        )
        assert refused.status_code in (400, 422) and 'value="很多"' in refused.text and "field-error" in refused.text
        client.post(
            f"{url}/indicators/1",
            data={**c, "action": "save", "code": "1", "name": "德", "kind": "graded", "weight": "50"},
        )
        client.post(url, data={**c, "action": "up", "indicator": "1.2"})
        client.post(f"{url}/indicators/1.2", data={**c, "action": "move", "parent": "2"})
        assert _tree(county.ctx, template_id) == [
            ("1", "德", 50, [("1.1", "政治品德", 60, [("1.1.1", "理想信念", 100, [])])]),
            ("2", "能", 50, [("1.2", "职业道德", 30, [])]),
        ]
        client.post(url, data={**c, "action": "delete", "indicator": "1.2"})
        assert [i[0] for i in _tree(county.ctx, template_id)[1][3]] == []

        # the grade scale: a score that is not a number stays beside its cell
        bad = client.post(
            url,
            data={
                **c,
                "action": "settings",
                "name": "年度考核",
                "period_kind": "year",
                "g-0-label": "优秀",
                "g-0-score": "九十五",
                "g-1-label": "称职",
                "g-1-score": "80",
            },
        )
        assert bad.status_code == 422 and 'value="九十五"' in bad.text
        client.post(
            url,
            data={
                **c,
                "action": "settings",
                "name": "年度考核（2026）",
                "period_kind": "year",
                "g-0-label": "优秀",
                "g-0-score": "95",
                "g-1-label": "称职",
                "g-1-score": "80",
                "g-2-label": "不称职",
                "g-2-score": "50",
            },
        )
        stored = templates.get(county.ctx, SYSTEM, template_id)
        assert (stored.name, stored.period_kind, [g.label for g in stored.grade_scale]) == (
            "年度考核（2026）",
            "year",
            ["优秀", "称职", "不称职"],
        )

        export = client.get(f"{url}/export")
        rows = list(load_workbook(io.BytesIO(export.content)).active.values)
        assert rows[0][:4] == ("层级", "指标编码", "上级指标编码", "指标名称") and rows[3][1:4] == (
            "1.1.1",
            "1.1",
            "理想信念",
        )

        copied = client.post(url, data={**c, "action": "copy"}, follow_redirects=True)
        assert "v2" in copied.text and str(copied.url.path) != url


def test_imports_the_bureau_table_and_lists_a_bad_sheets_rows(county):
    with _session(county, "office-m") as client:
        page = client.post(
            f"{BASE}/import",
            data={"_csrf": client.csrf, "import_name": "机关一表"},
            files={"file": (BUREAU.name, BUREAU.read_bytes())},
            follow_redirects=True,
        )
        assert page.status_code == 200 and "遵守工作纪律" in page.text and "已导入" in page.text
        bad = b"\xef\xbb\xbf\xe4\xb8\x80\xe7\xba\xa7\xe6\x8c\x87\xe6\xa0\x87,\xe6\x8c\x87\xe6\xa0\x87\xe7\xb1\xbb\xe5\x9e\x8b\r\n"
        bad += "德,测验\r\n".encode()
        refused = client.post(
            f"{BASE}/import", data={"_csrf": client.csrf, "import_name": "坏表"}, files={"file": ("bad.csv", bad)}
        )
        assert refused.status_code == 422 and "template-problems" in refused.text
        assert re.search(r"<td>2</td><td>指标类型 \(B\)</td><td>[^<]*测验", refused.text)
        assert templates.list_templates(county.ctx, SYSTEM, "county-m").total == 1


def test_only_the_office_of_the_locality_gets_in(county):
    with _session(county, "office-m") as client:
        made = client.post(BASE, data={"_csrf": client.csrf, "name": "甲", "first": "德"}, follow_redirects=True)
        url = str(made.url.path)
        assert client.post(url, data={"action": "delete", "indicator": "1"}).status_code == 403  # no CSRF token
    with _session(county, "office-x") as client:
        assert client.get(url).status_code == 404
        assert client.get(url.replace("county-m", "other-m")).status_code == 404
        assert (
            client.post(url.replace("county-m", "other-m"), data={"_csrf": client.csrf, "action": "copy"}).status_code
            == 404
        )
    with _session(county, "unit-m") as client:
        assert client.get(BASE).status_code == 404 and client.get(url).status_code == 404
