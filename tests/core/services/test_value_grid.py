"""The office's grid of indicator values (core.services.value_grid) on SQLite and PostgreSQL:
pages of subjects from SQL, a page saved all or nothing with each bad cell named, only changed
cells written (an adapter's untouched value keeps its origin), the sheet downloaded prefilled
and read back with row and column errors, and where each value came from."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from core.context import Actor
from core.models import Locality, Subject
from core.schemas.indicators import TemplateIn
from core.schemas.localities import LocalityIn
from core.services import auth, localities, templates, value_grid, value_sheet
from core.services.errors import Invalid, NotFound
from core.services.values import Origin, upsert_values

SYSTEM = Actor.system("test")
SCALE = [{"label": "优秀", "score": 95}, {"label": "称职", "score": 80}]
INDICATORS = [
    {"code": "DE", "name": "德", "weight": 100},
    {"code": "N1", "name": "办件数", "kind": "numeric", "unit_of_measure": "件"},
    {"code": "B1", "name": "加分", "kind": "bonus", "max_score": 5},
    {"code": "V1", "name": "一票否决", "kind": "veto"},
]


@pytest.fixture
def county(ctx):
    localities.create(ctx, SYSTEM, LocalityIn(code="county-g", name="示范县"))
    localities.create(ctx, SYSTEM, LocalityIn(code="other-g", name="别的县"))
    monthly = templates.create(
        ctx,
        SYSTEM,
        "county-g",
        TemplateIn.model_validate(
            {"name": "月度考核", "grade_scale": SCALE, "indicators": INDICATORS, "period_kind": "month"}
        ),
    ).id
    graded = templates.create(
        ctx,
        SYSTEM,
        "county-g",
        TemplateIn.model_validate({"name": "只有评价", "grade_scale": SCALE, "indicators": INDICATORS[:1]}),
    ).id
    foreign = templates.create(
        ctx,
        SYSTEM,
        "other-g",
        TemplateIn.model_validate({"name": "别处", "grade_scale": SCALE, "indicators": INDICATORS}),
    ).id
    with ctx.db.write() as session:
        ids = dict(session.exec(select(Locality.code, Locality.id)).all())
        session.add_all(
            [
                Subject(
                    locality_id=ids["county-g"], name=f"单位{i:03d}", kind="unit", category="部门" if i % 2 else "乡镇"
                )
                for i in range(120)
            ]
        )
        session.add(Subject(locality_id=ids["other-g"], name="别处单位", kind="unit", category="部门"))
    with ctx.db.read() as session:
        mine = list(
            session.exec(
                select(Subject.id)
                .where(Subject.locality_id == ids["county-g"])
                .order_by(Subject.category, Subject.name, Subject.id)
            )
        )
        theirs = session.exec(select(Subject.id).where(Subject.locality_id == ids["other-g"])).one()
    user = auth.create_user(
        ctx, SYSTEM, username="office-g", password="a-long-password-1", role="office", locality_code="county-g"
    )
    office = Actor(user_id=user.id, username="office-g", role="office", locality_id=ids["county-g"])
    return {
        "monthly": monthly,
        "graded": graded,
        "foreign": foreign,
        "subjects": mine,
        "theirs": theirs,
        "office": office,
        "locality_id": ids["county-g"],
    }


def test_the_grid_pages_subjects_in_sql_and_checks_template_and_period(ctx, county):
    office = county["office"]
    choices = value_grid.value_templates(ctx, office, "county-g")
    assert [c.id for c in choices] == [county["monthly"]]  # only templates that take values
    grid = value_grid.load_grid(ctx, office, "county-g", county["monthly"], "2026年11月", offset=100)
    assert str(grid.period) == "2026-11" and grid.total == 120 and len(grid.rows) == 20
    assert [c.code for c in grid.columns] == ["N1", "B1", "V1"]
    assert [r.subject_id for r in grid.rows] == county["subjects"][100:]
    by_category = value_grid.load_grid(ctx, office, "county-g", county["monthly"], "2026-11", category="乡镇")
    assert by_category.total == 60 and {r.category for r in by_category.rows} == {"乡镇"}
    assert value_grid.subject_categories(ctx, office, "county-g") == ["乡镇", "部门"]

    with pytest.raises(Invalid) as wrong_kind:
        value_grid.load_grid(ctx, office, "county-g", county["monthly"], "2026-Q4")
    assert wrong_kind.value.errors[0]["field"] == "period" and "2026-10" in wrong_kind.value.message
    with pytest.raises(Invalid) as no_period:
        value_grid.load_grid(ctx, office, "county-g", county["monthly"], "十一月")
    assert no_period.value.errors[0]["field"] == "period"
    with pytest.raises(Invalid):
        value_grid.load_grid(ctx, office, "county-g", county["graded"], "2026-11")
    with pytest.raises(NotFound):
        value_grid.load_grid(ctx, office, "county-g", county["foreign"], "2026-11")


def test_a_page_is_saved_all_or_nothing_and_only_changed_cells_are_written(ctx, county):
    office, t = county["office"], county["monthly"]
    first, second = county["subjects"][:2]
    with ctx.db.write() as session:  # an adapter's value, which the page will leave alone
        upsert_values(
            session,
            county["locality_id"],
            [{"subject_id": second, "template_id": t, "indicator_code": "N1", "period": "2026-11", "value": 7}],
            source="adapter:x",
            origin=Origin("adapter"),
        )
    bad = {
        (first, "N1"): "12",
        (first, "B1"): "三",
        (first, "V1"): "2",
        (county["theirs"], "N1"): "1",
        (second, "N1"): "7",
        (second, "DE"): "1",
    }
    with pytest.raises(Invalid) as refused:
        value_grid.save_grid(ctx, office, "county-g", t, "2026-11", bad)
    fields = {e["field"]: e["message"] for e in refused.value.errors}
    assert fields == {
        f"v-{first}-B1": "三 is not a number",
        f"v-{first}-V1": "2 is not a veto value: write 1 (vetoed) or 0 (not vetoed)",
        f"v-{county['theirs']}-N1": f"no subject with id {county['theirs']} in this locality",
        f"v-{second}-DE": "DE is not a value indicator of this template",
    }
    grid = value_grid.load_grid(ctx, office, "county-g", t, "2026-11")
    assert {(r.subject_id, c) for r in grid.rows for c in r.cells} == {(second, "N1")}  # nothing written

    saved = value_grid.save_grid(
        ctx,
        office,
        "county-g",
        t,
        "2026-11",
        {(first, "N1"): "1,200", (first, "B1"): "2.5", (first, "V1"): "是", (second, "N1"): "7", (second, "B1"): ""},
    )
    assert saved == value_grid.Saved(written=3, cleared=0)
    cells = value_grid.load_grid(ctx, office, "county-g", t, "2026-11").rows
    first_row, second_row = cells[0].cells, cells[1].cells
    assert {c: v.value for c, v in first_row.items()} == {"N1": 1200, "B1": 2.5, "V1": 1}
    assert first_row["N1"].origin == "typed" and first_row["N1"].user == "office-g"
    assert second_row["N1"].origin == "adapter"  # untouched: still the adapter's

    cleared = value_grid.save_grid(ctx, office, "county-g", t, "2026-11", {(first, "B1"): "", (first, "N1"): "1200"})
    assert cleared == value_grid.Saved(written=0, cleared=1)
    assert "B1" not in value_grid.load_grid(ctx, office, "county-g", t, "2026-11").rows[0].cells


def _sheet(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_sheet_is_the_grid_prefilled_and_is_read_back_all_or_nothing(ctx, county):
    office, t = county["office"], county["monthly"]
    first, second, third = county["subjects"][:3]
    value_grid.save_grid(ctx, office, "county-g", t, "2026-11", {(first, "N1"): "5"})
    content, period = value_sheet.grid_workbook(ctx, office, "county-g", t, "2026年11月")
    assert period == "2026-11"
    rows = list(load_workbook(io.BytesIO(content)).active.values)
    assert rows[0] == ("对象编号", "考核对象", "类别", "N1 办件数", "B1 加分", "V1 一票否决")
    assert len(rows) == 121 and rows[1][0] == first and rows[1][3] == 5 and rows[2][3] is None

    bad = _sheet(
        [
            list(rows[0]),
            [first, "", "", 6, None, 0],
            [second, "", "", "很多", 1, 3],
            [county["theirs"], "", "", 1],
            ["abc", "", "", 1],
            [first, "", "", 2],
        ]
    )
    with pytest.raises(Invalid) as refused:
        value_sheet.import_grid(ctx, office, "county-g", t, "2026-11", "values.xlsx", bad)
    problems = [(e["row"], e["column"], e["message"]) for e in refused.value.errors]
    assert problems == [
        (3, "N1 办件数", "很多 is not a number"),
        (3, "V1 一票否决", "3 is not a veto value: write 1 (vetoed) or 0 (not vetoed)"),
        (4, "对象编号", f"no subject with id {county['theirs']} in this locality"),
        (5, "对象编号", "abc is not a subject id"),
        (6, "对象编号", f"subject {first} appears twice (also in row 2)"),
    ]
    grid = value_grid.load_grid(ctx, office, "county-g", t, "2026-11")
    assert grid.rows[0].cells["N1"].value == 5 and "N1" not in grid.rows[1].cells  # nothing written

    good = _sheet([list(rows[0]), [first, "", "", 6, None, 0], [second, "", "", 8, 1, None], [third]])
    assert value_sheet.import_grid(ctx, office, "county-g", t, "2026-11", "11月数据.xlsx", good) == value_grid.Saved(
        written=4, cleared=0
    )
    cells = value_grid.load_grid(ctx, office, "county-g", t, "2026-11").rows
    assert cells[0].cells["N1"].value == 6 and cells[0].cells["N1"].origin == "import"
    assert cells[0].cells["N1"].file == "11月数据.xlsx" and cells[0].cells["N1"].user == "office-g"
    assert cells[1].cells["B1"].value == 1 and cells[0].cells["V1"].value == 0

    csv = "对象编号,考核对象,N1 办件数,X9 别的\n".encode()
    with pytest.raises(Invalid) as header:
        value_sheet.import_grid(ctx, office, "county-g", t, "2026-11", "values.csv", csv)
    assert [(e["row"], e["column"]) for e in header.value.errors] == [(1, "X9 别的")]


def test_only_the_office_of_the_locality_reads_and_writes(ctx, county):
    t = county["monthly"]
    leader = Actor(user_id=None, username="u", role="unit_admin", locality_id=county["locality_id"])
    from core.services.errors import Forbidden

    with pytest.raises((Forbidden, NotFound)):
        value_grid.load_grid(ctx, leader, "county-g", t, "2026-11")
    stranger = Actor(user_id=None, username="s", role="office", locality_id=county["locality_id"] + 1)
    with pytest.raises((Forbidden, NotFound)):
        value_grid.save_grid(ctx, stranger, "county-g", t, "2026-11", {})


def test_values_of_an_adapter_run_name_the_run_and_its_source(ctx, fake_platform):
    from core.services import adapters
    from tests.adapter_setup import make_county, sample_records

    county = make_county(ctx)
    source = county.http_source(f"{fake_platform.url}/records")
    run = adapters.run_now(ctx, SYSTEM, source.id)
    assert run.status == "succeeded", run.error
    record = sample_records()[0]
    grid = value_grid.load_grid(
        ctx, SYSTEM, "county", county.template_id, record["month"], limit=len(county.subject_by_unit)
    )
    row = next(r for r in grid.rows if r.subject_id == county.subject_by_unit[record["dept_code"]])
    stored = next(iter(row.cells.values()))
    assert (stored.origin, stored.run_id, stored.source_name, stored.user) == ("adapter", run.id, "平台", "")


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("12", "numeric", 12),
        ("1,200", "numeric", 1200),
        ("１２．５", "bonus", 12.5),
        ("-3", "deduction", -3),
        (" ", "numeric", None),
        ("是", "veto", 1),
        ("否", "veto", 0),
        (1, "veto", 1),
        (2.5, "numeric", 2.5),
    ],
)
def test_cells_are_read_as_offices_type_numbers(typed, kind, value):
    assert value_grid.parse_cell(typed, kind) == value


@pytest.mark.parametrize(
    ("typed", "kind", "message"),
    [
        ("三", "numeric", "三 is not a number"),
        ("1e400", "numeric", "1e400 is not a number"),
        ("nan", "numeric", "nan is not a number"),
        ("1_000", "numeric", "1_000 is not a number"),
        ("9" * 60, "numeric", "9" * 40 + "… is not a number"),
        (True, "veto", "True is not a number"),
        ("0.5", "veto", "0.5 is not a veto value: write 1 (vetoed) or 0 (not vetoed)"),
    ],
)
def test_cells_that_are_no_value_say_why(typed, kind, message):
    with pytest.raises(ValueError) as refused:
        value_grid.parse_cell(typed, kind)
    assert str(refused.value) == message


def test_a_page_of_the_grid_reads_its_values_as_rows_without_mapped_objects(ctx, county):
    """A page's values (hundreds at 50 subjects a page) are read as plain rows: no mapped
    IndicatorValue is built (nor tracked) for what is only shown; provenance kept as before."""
    from sqlalchemy import event

    from core.models import IndicatorValue

    office, t = county["office"], county["monthly"]
    first = county["subjects"][0]
    value_grid.save_grid(ctx, office, "county-g", t, "2026-11", {(first, "N1"): "3", (first, "B1"): "1.5"})
    built: list[object] = []

    def loaded(target, _context):
        built.append(target)

    event.listen(IndicatorValue, "load", loaded)
    try:
        grid = value_grid.load_grid(ctx, office, "county-g", t, "2026-11")
    finally:
        event.remove(IndicatorValue, "load", loaded)
    cells = grid.rows[0].cells
    assert {c: v.value for c, v in cells.items()} == {"N1": 3, "B1": 1.5}
    assert cells["N1"].origin == "typed" and cells["N1"].user == "office-g" and cells["N1"].updated_at is not None
    assert built == []
