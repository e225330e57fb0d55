"""The units and subjects exports of core.services.org_lists, written by the streaming .xlsx
writer (core.tabular.xlsx_stream): the units file imports back into another locality as the
same tree, and the subjects file keeps its columns. SQLite and PostgreSQL (the ``ctx`` fixture)."""

from __future__ import annotations

import io
import types

import pytest
from openpyxl import load_workbook

from core.context import Actor
from core.schemas.localities import LocalityIn
from core.services import imports, localities, org_lists
from core.services.errors import NotFound
from tests.core.services.test_imports import UNITS_CSV

ACTOR = Actor.system("test")


def _rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].values)


def _tree(ctx, code: str) -> list[tuple]:
    units = org_lists.all_units(ctx, ACTOR, code)
    code_of = {u.id: u.code for u in units}
    return sorted((u.code, u.name, u.type, code_of.get(u.parent_id), u.contact_phone, u.duties) for u in units)


def test_a_streamed_units_export_imports_back_as_the_same_tree(ctx):
    for code in ("county-x", "county-y"):
        localities.create(ctx, ACTOR, LocalityIn(code=code, name=code))
    imports.import_file(ctx, ACTOR, "county-x", "units", "units.csv", UNITS_CSV)
    chunks = org_lists.export_units(ctx, ACTOR, "county-x")
    assert isinstance(chunks, types.GeneratorType)  # handed out as it is written, not built whole
    content = b"".join(chunks)
    header, *rows = _rows(content)
    assert list(header) == [h for _k, h in org_lists.UNIT_EXPORT]
    assert len(rows) == len(_tree(ctx, "county-x")) > 1
    result = imports.import_file(ctx, ACTOR, "county-y", "units", "units.xlsx", content)
    assert result.created == len(rows)
    assert _tree(ctx, "county-y") == _tree(ctx, "county-x")
    with pytest.raises(NotFound):  # the locality is checked before any byte
        org_lists.export_units(ctx, ACTOR, "no-such-county")


def test_a_streamed_subjects_export_keeps_its_columns_and_filter(ctx):
    from core.schemas.org import SubjectIn
    from core.services import subjects

    localities.create(ctx, ACTOR, LocalityIn(code="county-z", name="county-z"))
    imports.import_file(ctx, ACTOR, "county-z", "units", "units.csv", UNITS_CSV)
    units = org_lists.all_units(ctx, ACTOR, "county-z")
    for unit, category in zip(units[:3], ["乡镇", "乡镇", "县直部门"], strict=True):
        subjects.create_subject(
            ctx, ACTOR, "county-z", SubjectIn(name=unit.name, kind="unit", ref_id=unit.id, category=category)
        )
    header, *rows = _rows(b"".join(org_lists.export_subjects(ctx, ACTOR, "county-z")))
    assert header == ("考核对象", "类型", "考核对象类别")
    made = zip(units[:3], ["乡镇", "乡镇", "县直部门"], strict=True)
    assert sorted(rows) == sorted((u.name, "单位", c) for u, c in made)
    towns = _rows(b"".join(org_lists.export_subjects(ctx, ACTOR, "county-z", category="乡镇")))
    assert [r[2] for r in towns[1:]] == ["乡镇", "乡镇"]
    with pytest.raises(NotFound):
        org_lists.export_subjects(ctx, ACTOR, "no-such-county")
