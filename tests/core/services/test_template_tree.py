"""Editing a draft template one part at a time, and templates from an office's own sheet and
back (SQLite and PostgreSQL: the ``ctx`` fixture)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from core.context import Actor
from core.schemas.indicators import TemplateIn
from core.schemas.localities import LocalityIn
from core.services import localities, template_sheet, template_tree, templates
from core.services.errors import Conflict, Invalid, NotFound

ACTOR = Actor.system("test")
BUREAU = Path("/work/shared/data/bureau-indicator-table.xlsx")
SCALE = [{"label": "优秀", "score": 95}, {"label": "称职", "score": 80}]


@pytest.fixture
def draft(ctx):
    localities.create(ctx, ACTOR, LocalityIn(code="county-a", name="示范县"))
    content = TemplateIn.model_validate(
        {
            "name": "年度考核",
            "grade_scale": SCALE,
            "indicators": [
                {
                    "code": "1",
                    "name": "德",
                    "weight": 50,
                    "children": [{"code": "1.1", "name": "政治品德", "weight": 100}],
                },
                {"code": "2", "name": "能", "weight": 50},
            ],
        }
    )
    return templates.create(ctx, ACTOR, "county-a", content).id


def shape(template) -> list:
    def walk(items):
        return [(i.code, i.name, i.kind, i.weight, walk(i.children)) for i in items]

    return walk(template.indicators)


def test_add_edit_move_and_delete_indicators(ctx, draft):
    edit = template_tree
    edit.add_indicator(ctx, ACTOR, draft, {"code": "1.2", "name": "职业道德", "weight": 0}, parent_code="1")
    edit.add_indicator(ctx, ACTOR, draft, {"code": "3", "name": "加分", "kind": "bonus", "max_score": 3, "weight": 0})
    edit.update_indicator(
        ctx, ACTOR, draft, "1.2", {"code": "1.2", "name": "职业道德", "weight": 30, "standard": "遵守职业规范"}
    )
    edit.move_indicator(ctx, ACTOR, draft, "1.2", step=-1)
    t = edit.move_indicator(ctx, ACTOR, draft, "2", parent_code="1")
    assert shape(t) == [
        (
            "1",
            "德",
            "graded",
            50,
            [
                ("1.2", "职业道德", "graded", 30, []),
                ("1.1", "政治品德", "graded", 100, []),
                ("2", "能", "graded", 50, []),
            ],
        ),
        ("3", "加分", "bonus", 0, []),
    ]
    assert template_tree.find_indicator(t, "1.2")[0].standard == "遵守职业规范"
    t = edit.move_indicator(ctx, ACTOR, draft, "2", to_top=True)
    t = edit.delete_indicator(ctx, ACTOR, draft, "1")
    assert [i.code for i in t.indicators] == ["3", "2"]
    assert templates.get(ctx, ACTOR, draft).indicators[0].max_score == 3  # stored, not only answered


def test_edits_that_break_the_template_are_refused_and_nothing_changes(ctx, draft):
    before = shape(templates.get(ctx, ACTOR, draft))
    with pytest.raises(Invalid) as taken:
        template_tree.add_indicator(ctx, ACTOR, draft, {"code": "1.1", "name": "重复", "weight": 1})
    assert taken.value.errors == [{"field": "code", "message": "already used in this template"}]
    with pytest.raises(Invalid) as bonus:
        template_tree.add_indicator(ctx, ACTOR, draft, {"code": "9", "name": "加分", "kind": "bonus", "weight": 0})
    assert "needs max_score" in bonus.value.message
    with pytest.raises(Invalid) as cycle:
        template_tree.move_indicator(ctx, ACTOR, draft, "1", parent_code="1.1")
    assert cycle.value.errors[0]["field"] == "parent"
    with pytest.raises(NotFound):
        template_tree.update_indicator(ctx, ACTOR, draft, "404", {"code": "404", "name": "无"})
    with pytest.raises(Invalid):
        template_tree.update_settings(
            ctx,
            ACTOR,
            draft,
            name="年度考核",
            period_kind=None,
            grade_scale=[{"label": "优秀", "score": 95}, {"label": "优秀", "score": 80}],
        )
    assert shape(templates.get(ctx, ACTOR, draft)) == before

    template_tree.add_indicator(ctx, ACTOR, draft, {"code": "3", "name": "加分", "kind": "bonus", "max_score": 2})
    with pytest.raises(Invalid) as child_of_bonus:
        template_tree.add_indicator(ctx, ACTOR, draft, {"code": "3.1", "name": "子项"}, parent_code="3")
    assert "only graded indicators can have children" in child_of_bonus.value.message
    template_tree.delete_indicator(ctx, ACTOR, draft, "1")
    template_tree.delete_indicator(ctx, ACTOR, draft, "3")
    with pytest.raises(Invalid):  # a template keeps at least one indicator
        template_tree.delete_indicator(ctx, ACTOR, draft, "2")
    assert shape(templates.get(ctx, ACTOR, draft)) == [before[1]]


def test_a_frozen_template_cannot_be_edited(ctx, draft):
    from sqlmodel import select

    from core.models import IndicatorTemplate

    with ctx.db.write() as session:
        row = session.exec(select(IndicatorTemplate).where(IndicatorTemplate.id == draft)).one()
        row.status = "frozen"
        session.add(row)
    with pytest.raises(Conflict):
        template_tree.add_indicator(ctx, ACTOR, draft, {"code": "9", "name": "新"})


def test_weights_that_do_not_add_up_are_named(ctx, draft):
    assert template_tree.weight_sums(templates.get(ctx, ACTOR, draft)) == []
    template_tree.add_indicator(ctx, ACTOR, draft, {"code": "1.2", "name": "职业道德", "weight": 20}, parent_code="1")
    template_tree.add_indicator(ctx, ACTOR, draft, {"code": "4", "name": "总体评价", "weight": 0, "overall": True})
    sums = template_tree.weight_sums(templates.get(ctx, ACTOR, draft))
    assert [(s.parent_code, s.parent_name, s.total) for s in sums] == [("1", "德", 120)]


def test_the_bureau_table_with_merged_levels_becomes_a_three_level_template(ctx, draft):
    t = template_sheet.import_template(
        ctx, ACTOR, "county-a", BUREAU.name, BUREAU.read_bytes(), name="市场监管局机关一表"
    )
    assert [i.name for i in t.indicators] == ["共同类指标", "管理类指标", "业务类指标", "加分项", "一票否决项"]
    common = t.indicators[0]
    assert [c.name for c in common.children] == ["作风建设", "品德修养", "廉洁效能"]
    discipline = common.children[0].children[0]
    assert (
        discipline.code,
        discipline.name,
        discipline.kind,
        discipline.max_score,
        discipline.standard,
        discipline.responsible,
        discipline.unit_of_measure,
    ) == ("1.1.1", "遵守工作纪律", "deduction", 4, "迟到早退每次扣0.2分，扣完为止", "办公室", "次")
    efficiency = common.children[2].children[1]
    assert (efficiency.name, efficiency.kind, efficiency.weight, efficiency.data_source) == (
        "办事效率",
        "numeric",
        3,
        "业务平台",
    )
    assert common.children[1].weight == 5  # 职业道德 3 + 家庭美德 2
    bonus = t.indicators[3]
    assert [(c.name, [(g.name, g.kind, g.max_score) for g in c.children]) for c in bonus.children] == [
        ("开拓创新", [("工作获市级以上表彰", "bonus", 3)]),
        ("见义勇为", [("见义勇为受表彰", "bonus", 2)]),
    ]
    assert t.indicators[4].children[0].children[0].kind == "veto"


def test_an_exported_template_imports_back_the_same(ctx, draft):
    template_tree.add_indicator(
        ctx,
        ACTOR,
        draft,
        {
            "code": "3",
            "name": "扣分",
            "kind": "deduction",
            "max_score": 5,
            "weight": 0,
            "standard": "每次扣1分",
            "unit_of_measure": "次",
        },
    )
    template_tree.add_indicator(ctx, ACTOR, draft, {"code": "4", "name": "总体评价", "weight": 0, "overall": True})
    original = templates.get(ctx, ACTOR, draft)
    again = template_sheet.import_template(
        ctx,
        ACTOR,
        "county-a",
        "t.xlsx",
        template_sheet.template_workbook(original),
        name=original.name,
        grade_scale=[g.model_dump() for g in original.grade_scale],
    )

    def strip(items):
        return [{**i.model_dump(exclude={"id", "children"}), "children": strip(i.children)} for i in items]

    assert strip(again.indicators) == strip(original.indicators)


def _sheet(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_bad_rows_are_listed_with_row_and_column_and_nothing_is_created(ctx, draft):
    content = _sheet(
        [
            ["2026年度指标"],
            ["一级指标", "二级指标", "指标类型", "分值"],
            ["德", "政治品德", "评价", 10],
            [None, "职业道德", "测验", "十"],  # row 4: bad type, bad points
            [None, None, None, None],
            ["能", None, "定量", -1],
        ]
    )  # row 6: negative points
    with pytest.raises(Invalid) as refused:
        template_sheet.import_template(ctx, ACTOR, "county-a", "t.xlsx", content, name="坏表")
    assert [(e["row"], e["column"]) for e in refused.value.errors] == [
        (4, "指标类型 (C)"),
        (4, "分值 (D)"),
        (6, "分值 (D)"),
    ]
    codes = _sheet(
        [["指标编码", "指标名称", "上级指标编码"], ["1", "德", None], ["1.1", "品德", "9"], ["1", "重复", None]]
    )
    with pytest.raises(Invalid) as by_code:
        template_sheet.import_template(ctx, ACTOR, "county-a", "t.xlsx", codes, name="坏表")
    assert [(e["row"], e["message"]) for e in by_code.value.errors] == [
        (3, "no indicator with code 9 on a row above"),
        (4, "the same code is on row 2"),
    ]
    with pytest.raises(Invalid):
        template_sheet.import_template(
            ctx, ACTOR, "county-a", "t.xlsx", _sheet([["随便", "什么"], ["a", "b"]]), name="无表头"
        )
    assert templates.list_templates(ctx, ACTOR, "county-a").total == 1
