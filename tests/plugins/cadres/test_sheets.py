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


def test_family_members_and_rewards_import_as_sections(ctx):
    from plugins.cadres.dates import id_check_character

    world = make_world(ctx)
    dept = world.actors["org_dept"]
    prefix = "52052119800101002"
    member_id = prefix + id_check_character(prefix)
    family = workbook(
        [
            ["姓名", "称谓", "成员姓名", "出生日期", "成员身份证号", "政治面貌", "工作单位及职务"],
            ["张书记", "妻子", "王芳", "1980.01", member_id, "中共党员", "大方县第一中学教师"],
            ["张书记", "父亲", "张大山", "1950年1月", "", "群众", "已退休"],
        ]
    )
    assert import_section(ctx, dept, "ca", "relations", "family.xlsx", family) == {"rows": 2, "people": 1}
    relations = service.read_profile(ctx, dept, "ca", world.people["张书记"]).relations
    assert [(r.relation, r.name, str(r.birth), r.party, r.unit_post) for r in relations] == [
        ("妻子", "王芳", "1980-01-01", "中共党员", "大方县第一中学教师"),
        ("父亲", "张大山", "1950-01-01", "群众", "已退休"),
    ]
    assert relations[0].id_card_masked and member_id not in relations[0].id_card_masked
    assert relations[1].id_card_masked is None
    rewards = workbook(
        [
            ["姓名", "奖惩类别", "奖惩名称", "批准机关", "批准时间"],
            ["李镇长", "奖励", "全省脱贫攻坚先进个人", "省委省政府", "2019.12"],
            ["李镇长", "惩处", "诫勉谈话", "县纪委", "2021-03-05"],
        ]
    )
    assert import_section(ctx, dept, "ca", "rewards", "rewards.xlsx", rewards) == {"rows": 2, "people": 1}
    got = service.read_profile(ctx, dept, "ca", world.people["李镇长"]).rewards
    assert sorted((r.kind, r.title, r.issuer, str(r.on)) for r in got) == [
        ("punishment", "诫勉谈话", "县纪委", "2021-03-05"),
        ("reward", "全省脱贫攻坚先进个人", "省委省政府", "2019-12-01"),
    ]


def test_bad_family_and_reward_rows_are_reported_by_row_and_column(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    family = workbook(
        [
            ["姓名", "称谓", "成员姓名", "出生日期", "成员身份证号"],
            ["张书记", "妻子", "王芳", "1980.13", ""],
            ["张书记", "父亲", "", "1950.01", ""],
            ["张书记", "母亲", "刘英", "", "520521195001010011"],  # the check character is wrong
        ]
    )
    with pytest.raises(Invalid) as caught:
        import_section(ctx, dept, "ca", "relations", "family.xlsx", family)
    errors = sorted((e["row"], e["column"].split(" ")[0]) for e in caught.value.errors)
    assert errors == [(2, "出生日期"), (3, "成员姓名"), (4, "成员身份证号")]
    rewards = workbook([["姓名", "奖惩类别", "奖惩名称"], ["李镇长", "表扬", "先进个人"], ["李镇长", "奖励", ""]])
    with pytest.raises(Invalid) as caught:
        import_section(ctx, dept, "ca", "rewards", "rewards.xlsx", rewards)
    assert sorted((e["row"], e["column"].split(" ")[0]) for e in caught.value.errors) == [
        (2, "奖惩类别"),
        (3, "奖惩名称"),
    ]
    assert "表扬 is neither 奖励 (reward) nor 惩处 (punishment)" in str(caught.value.errors)
    assert service.read_profile(ctx, dept, "ca", world.people["张书记"]).relations == []
    assert service.read_profile(ctx, dept, "ca", world.people["李镇长"]).rewards == []
