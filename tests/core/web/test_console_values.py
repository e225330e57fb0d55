"""The indicator values page over HTTP: a grid page saved with one bad cell (its message beside
it, what was typed kept, nothing saved), then fixed and saved; the grid downloaded as .xlsx and
uploaded with a bad row (row and column shown, nothing imported), then good; where each value
came from; only the office of the locality, and every form with its CSRF token."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from core.context import Actor
from core.schemas.indicators import TemplateIn
from core.schemas.org import SubjectIn, UnitIn
from core.services import org, templates, value_grid
from core.services import subjects as subject_service
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")
SYSTEM = Actor.system("test")
SCALE = [{"label": "优秀", "score": 95}, {"label": "称职", "score": 80}]
INDICATORS = [
    {"code": "DE", "name": "德", "weight": 100},
    {"code": "N1", "name": "办件数", "kind": "numeric"},
    {"code": "V1", "name": "一票否决", "kind": "veto"},
]
PAGE = "/admin/localities/county-v/values"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def county(world):
    world.locality("county-v", "示范县")
    world.locality("other-v", "别的县")
    template = templates.create(
        world.ctx,
        SYSTEM,
        "county-v",
        TemplateIn.model_validate(
            {"name": "月度考核", "grade_scale": SCALE, "indicators": INDICATORS, "period_kind": "month"}
        ),
    ).id
    foreign = templates.create(
        world.ctx,
        SYSTEM,
        "other-v",
        TemplateIn.model_validate({"name": "别处", "grade_scale": SCALE, "indicators": INDICATORS}),
    ).id
    subjects = [
        subject_service.create_subject(
            world.ctx, SYSTEM, "county-v", SubjectIn(name=name, kind="unit", category="部门")
        ).id
        for name in ("县财政局", "县教育局")
    ]
    theirs = subject_service.create_subject(
        world.ctx, SYSTEM, "other-v", SubjectIn(name="别处", kind="unit", category="部门")
    ).id
    org.create_unit(world.ctx, SYSTEM, "county-v", UnitIn(code="V1", name="单位"))
    world.user("office-v", "office", "county-v")
    world.user("unit-v", "unit_admin", "county-v", unit="V1")
    world.user("leader-v", "leader", "county-v", unit="V1")
    world.user("office-w", "office", "other-v")
    world.ids = {"template": template, "foreign": foreign, "subjects": subjects, "theirs": theirs}
    return world


def _query(county, period: str = "2026年11月") -> dict[str, str]:
    return {"template": str(county.ids["template"]), "period": period}


def test_a_page_with_one_bad_cell_saves_nothing_then_saves_when_fixed(county):
    first, second = county.ids["subjects"]
    with _session(county, "office-v") as client:
        page = client.get(PAGE)
        assert page.status_code == 200 and "指标数据" in page.text and "月度考核" in page.text
        grid = client.get(PAGE, params=_query(county))
        assert grid.status_code == 200 and "2026-11" in grid.text and "县财政局" in grid.text
        assert f'name="v-{first}-N1"' in grid.text and f'name="v-{first}-DE"' not in grid.text  # value kinds only
        form = {
            "_csrf": client.csrf,
            "template": str(county.ids["template"]),
            "period": "2026-11",
            "page": "1",
            f"v-{first}-N1": "12",
            f"v-{first}-V1": "2",
            f"v-{second}-N1": "很多",
            f"v-{second}-V1": "",
        }
        refused = client.post(PAGE, data=form)
        assert refused.status_code == 422
        assert re.search(rf'id="e-v-{first}-V1">2 不是否决项的值', refused.text), refused.text
        assert re.search(rf'id="e-v-{second}-N1">很多 不是数字', refused.text)
        assert f'name="v-{second}-N1" value="很多"' in refused.text  # what was typed is kept
        assert (
            value_grid.load_grid(county.ctx, SYSTEM_OFFICE(county), "county-v", county.ids["template"], "2026-11")
            .rows[0]
            .cells
            == {}
        )  # nothing saved

        form.update({f"v-{first}-V1": "0", f"v-{second}-N1": "30"})
        saved = client.post(PAGE, data=form, follow_redirects=True)
        assert saved.status_code == 200 and "已保存：写入 3 个数值" in saved.text
        assert f'name="v-{first}-N1" value="12"' in saved.text and f'name="v-{second}-N1" value="30"' in saved.text
        assert "键入：office-v" in saved.text and "由 office-v 键入" in saved.text  # where it came from

        in_english = client.get(PAGE, params={**_query(county), "lang": "en"})
        assert "typed: office-v" in in_english.text and "Indicator values" in in_english.text


def SYSTEM_OFFICE(county) -> Actor:  # noqa: N802 - a reader of the stored grid
    return Actor(user_id=None, username="test", role="platform_admin", locality_id=None)


def test_the_sheet_round_trips_and_a_bad_row_imports_nothing(county):
    grid = value_grid.load_grid(county.ctx, SYSTEM_OFFICE(county), "county-v", county.ids["template"], "2026-11")
    first, second = [row.subject_id for row in grid.rows]  # the grid's order (by category, name: collation)
    assert {first, second} == set(county.ids["subjects"])
    with _session(county, "office-v") as client:
        sheet = client.get(f"{PAGE}/sheet", params=_query(county))
        assert sheet.status_code == 200 and sheet.headers["content-type"].startswith(XLSX)
        book = load_workbook(io.BytesIO(sheet.content))
        rows = list(book.active.values)
        assert rows[0] == ("对象编号", "考核对象", "类别", "N1 办件数", "V1 一票否决")
        assert [r[0] for r in rows[1:]] == [first, second]
        book.active["D2"] = 5
        book.active["E3"] = "否决"
        bad = io.BytesIO()
        book.save(bad)
        upload = {"_csrf": client.csrf, "template": str(county.ids["template"]), "period": "2026-11"}
        refused = client.post(f"{PAGE}/import", data=upload, files={"file": ("11月.xlsx", bad.getvalue(), XLSX)})
        assert refused.status_code == 422 and 'id="import-problems"' in refused.text
        assert re.search(r"<td>3</td><td>V1 一票否决</td><td>否决 不是数字</td>", refused.text), refused.text
        assert "未导入任何数据" in refused.text
        assert (
            value_grid.load_grid(county.ctx, SYSTEM_OFFICE(county), "county-v", county.ids["template"], "2026-11")
            .rows[0]
            .cells
            == {}
        )

        book.active["E3"] = 1
        good = io.BytesIO()
        book.save(good)
        imported = client.post(
            f"{PAGE}/import", data=upload, files={"file": ("11月.xlsx", good.getvalue(), XLSX)}, follow_redirects=True
        )
        assert imported.status_code == 200 and "已导入：写入 2 个数值" in imported.text
        assert "文件：11月.xlsx" in imported.text and f'name="v-{second}-V1" value="1"' in imported.text

        wrong_kind = client.get(PAGE, params=_query(county, "2026-Q4"))
        assert wrong_kind.status_code == 422 and 'id="e-period"' in wrong_kind.text and "2026-10" in wrong_kind.text


def test_only_the_office_of_the_locality_and_only_with_the_csrf_token(county):
    first, _ = county.ids["subjects"]
    for username in ("unit-v", "leader-v"):
        with _session(county, username) as client:
            assert client.get(PAGE).status_code == 404, username
            assert client.get(f"{PAGE}/sheet", params=_query(county)).status_code == 404
    with _session(county, "office-v") as client:
        assert client.get(PAGE, params={"template": str(county.ids["foreign"]), "period": "2026-11"}).status_code == 404
        assert (
            client.get(
                f"{PAGE}/sheet", params={"template": str(county.ids["foreign"]), "period": "2026-11"}
            ).status_code
            == 404
        )
        theirs = client.post(
            PAGE,
            data={
                "_csrf": client.csrf,
                "template": str(county.ids["foreign"]),
                "period": "2026-11",
                f"v-{first}-N1": "1",
            },
        )
        assert theirs.status_code == 404
        other_subject = client.post(
            PAGE,
            data={
                "_csrf": client.csrf,
                "template": str(county.ids["template"]),
                "period": "2026-11",
                f"v-{county.ids['theirs']}-N1": "1",
            },
        )
        assert other_subject.status_code == 422
        assert client.get("/admin/localities/other-v/values").status_code == 404
        no_token = client.post(
            PAGE, data={"template": str(county.ids["template"]), "period": "2026-11", f"v-{first}-N1": "1"}
        )
        assert (
            no_token.status_code == 403
            and value_grid.load_grid(county.ctx, SYSTEM_OFFICE(county), "county-v", county.ids["template"], "2026-11")
            .rows[0]
            .cells
            == {}
        )
    with _session(county, "office-w") as client:
        assert client.get(PAGE).status_code == 404


def test_a_value_sent_through_the_api_says_so_there_and_on_the_page(county):
    first, _ = county.ids["subjects"]
    token = county.user("api-v", "office", "county-v")
    with county.client(token) as api:
        sent = api.put(
            "/api/localities/county-v/indicator-values",
            json=[
                {
                    "subject_id": first,
                    "template_id": county.ids["template"],
                    "indicator_code": "N1",
                    "period": "2026-11",
                    "value": 4,
                }
            ],
        )
        assert sent.status_code == 200, sent.text
        listed = api.get("/api/localities/county-v/indicator-values", params={"period": "2026年11月"}).json()
        assert [(v["value"], v["origin"], v["origin_file"], v["origin_run_id"]) for v in listed["items"]] == [
            (4.0, "api", "", None)
        ]
    with _session(county, "office-v") as client:
        page = client.get(PAGE, params=_query(county))
        assert "接口：api-v" in page.text and "由 api-v 通过接口提交" in page.text


def test_saving_a_page_leaves_alone_a_cell_someone_else_saved_meanwhile(county):
    first, second = county.ids["subjects"]
    county.user("office-v2", "office", "county-v")
    with _session(county, "office-v") as mine, _session(county, "office-v2") as theirs:
        page = mine.get(PAGE, params=_query(county))  # opened before the other one saves
        shown = dict(re.findall(r'<input type="hidden" name="(o-[^"]+)" value="([^"]*)"', page.text))
        assert shown[f"o-{first}-N1"] == ""
        assert (
            theirs.post(
                PAGE,
                data={
                    "_csrf": theirs.csrf,
                    "template": str(county.ids["template"]),
                    "period": "2026-11",
                    f"v-{first}-N1": "5",
                },
            ).status_code
            == 302
        )
        form = {
            "_csrf": mine.csrf,
            "template": str(county.ids["template"]),
            "period": "2026-11",
            "page": "1",
            **shown,
            **{f"v-{key[2:]}": value for key, value in shown.items()},
            f"v-{second}-N1": "8",
        }
        saved = mine.post(PAGE, data=form, follow_redirects=True)
        assert "已保存：写入 1 个数值，清除 0 个。" in saved.text
        assert f'name="v-{first}-N1" value="5"' in saved.text and "键入：office-v2" in saved.text


def test_a_granted_parent_office_reads_the_grid_and_changes_nothing(county):
    from sqlalchemy import update
    from sqlmodel import select

    from core.models import Locality
    from core.services import auth

    first, _ = county.ids["subjects"]
    county.locality("city-v", "示范市")
    with county.ctx.db.write() as session:
        city_id = session.exec(select(Locality.id).where(Locality.code == "city-v")).one()
        session.execute(update(Locality).where(Locality.code == "county-v").values(parent_id=city_id))
    county.user("city-office-v", "office", "city-v")
    auth.grant_child_localities(county.ctx, SYSTEM, "city-office-v", True)
    with _session(county, "city-office-v") as client:
        page = client.get(PAGE, params=_query(county))
        assert page.status_code == 200
        assert re.search(rf'name="v-{first}-N1" value="" aria-label="[^"]*" readonly', page.text)
        assert "保存本页" not in page.text and "/values/import" not in page.text
        assert client.get(f"{PAGE}/sheet", params=_query(county)).status_code == 200
        refused = client.post(
            PAGE,
            data={
                "_csrf": client.csrf,
                "template": str(county.ids["template"]),
                "period": "2026-11",
                f"v-{first}-N1": "1",
            },
        )
        assert refused.status_code == 404
    assert (
        value_grid.load_grid(county.ctx, SYSTEM_OFFICE(county), "county-v", county.ids["template"], "2026-11")
        .rows[0]
        .cells
        == {}
    )


def test_values_of_an_adapter_run_link_to_their_data_source(world, fake_platform):
    from core.services import adapters
    from tests.adapter_setup import make_county, sample_records

    made = make_county(world.ctx)
    source = made.http_source(f"{fake_platform.url}/records")
    run = adapters.run_now(world.ctx, SYSTEM, source.id)
    assert run.status == "succeeded", run.error
    world.user("office-a", "office", "county")
    with _session(world, "office-a") as client:
        page = client.get(
            "/admin/localities/county/values",
            params={"template": str(made.template_id), "period": sample_records()[0]["month"]},
        )
        assert page.status_code == 200
        assert f'<a class="prov" href="/admin/localities/county/sources/{source.id}"' in page.text
        assert f"采集 #{run.id}" in page.text and f"数据源 平台 的采集 #{run.id}" in page.text
