"""Importing one section of many profiles from a spreadsheet, on both databases: good rows
replace the section of each person named (by ID number or name); a bad date, an unknown
person or an empty required cell is reported by row and column and nothing is written."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from core.services.errors import Invalid, NotFound
from plugins.cadres import service
from plugins.cadres.sheets import import_section
from tests.plugins.cadres.setup import make_world


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_section_replaces_the_rows_of_each_person_named(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    content = workbook(
        [
            ["姓名", "任职单位", "职务", "起始时间", "终止时间"],
            ["张书记", "大方县委办", "科员", "2010.07", "2016年6月"],
            ["张书记", "羊场镇", "乡镇党委书记", "2016.07", ""],
            ["李镇长", "岩孔镇", "镇长", "2022-01", ""],
        ]
    )
    assert import_section(ctx, dept, "ca", "posts", "posts.xlsx", content) == {"rows": 3, "people": 2}
    zhang = service.read_profile(ctx, dept, "ca", world.people["张书记"])
    assert [(p.post, str(p.start), str(p.end)) for p in zhang.posts] == [
        ("科员", "2010-07-01", "2016-06-01"),
        ("乡镇党委书记", "2016-07-01", "None"),
    ]
    assert [p.post for p in service.read_profile(ctx, dept, "ca", world.people["李镇长"]).posts] == ["镇长"]
    tags = workbook([["姓名", "专业特长"], ["王局长", "财政"], ["王局长", "审计"]])
    import_section(ctx, dept, "ca", "tags", "tags.xlsx", tags)
    assert service.read_profile(ctx, dept, "ca", world.people["王局长"]).tags == ["审计", "财政"]


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    content = workbook(
        [
            ["姓名", "任职单位", "职务", "起始时间"],
            ["张书记", "羊场镇", "乡镇党委书记", "1984.13"],
            ["无此人", "羊场镇", "副镇长", "2001.01"],
            ["李镇长", "", "镇长", "2022.01"],
            ["王局长", "县教育局", "副局长", "2012.03"],
        ]
    )
    with pytest.raises(Invalid) as caught:
        import_section(ctx, dept, "ca", "posts", "posts.xlsx", content)
    errors = sorted((e["row"], e["column"].split(" ")[0]) for e in caught.value.errors)
    assert errors == [(2, "起始时间"), (3, "姓名"), (4, "任职单位")]
    assert "13" in next(e["message"] for e in caught.value.errors if e["row"] == 2)
    assert [p.post for p in service.read_profile(ctx, dept, "ca", world.people["王局长"]).posts] == ["局长"]
    assert len(service.read_profile(ctx, dept, "ca", world.people["张书记"]).posts) == 2  # unchanged
    with pytest.raises(NotFound):
        import_section(ctx, world.actors["office"], "ca", "posts", "posts.xlsx", content)
