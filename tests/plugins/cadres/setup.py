"""A small locality for the cadre cloud's tests: ``ca`` with units, a few people with full
profiles, and a user of every role (the organisation department and its head among them);
``cb`` with its own organisation department and a person. The plugin is enabled in both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.context import Actor, AppContext
from core.schemas.localities import LocalityIn
from core.schemas.org import PersonIn, UnitIn
from core.services import localities, org
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.cadres import service
from plugins.cadres.schemas import ProfileIn
from tests.plugins.worklog.setup import account, token  # noqa: F401 - re-exported for the tests

SYSTEM = Actor.system("test")
ROLES = ("org_dept", "org_dept_head", "office", "unit_admin", "leader", "cadre", "assessment_group")


@dataclass
class World:
    code: str
    people: dict[str, int]
    actors: dict[str, Actor]  # by role, plus "other_dept" (org_dept of cb) and "admin" (platform)
    other_person: int


def enable(ctx: AppContext, code: str, enabled: bool = True) -> None:
    set_plugin(ctx, SYSTEM, code, "cadres", PluginSettingIn(enabled=enabled, options={}))


# name -> (person fields, profile): the searches' expected answers are read off this table
PEOPLE: dict[str, tuple[dict, dict]] = {
    "张书记": (
        {"gender": "男", "birth_date": "1988-05-10", "ethnicity": "汉族", "party": "中共党员", "rank": "正科级"},
        {
            "native_code": "520521",
            "native_name": "毕节市大方县",
            "rank_since": date(2020, 1, 1),
            "posts": [
                {"unit_name": "大方县委办", "post": "科员", "start": date(2010, 7, 1), "end": date(2016, 6, 30)},
                {"unit_name": "羊场镇", "post": "乡镇党委书记", "start": date(2016, 7, 1), "principal": True},
            ],
            "education": [
                {
                    "school": "贵州大学",
                    "department": "经济学院",
                    "major": "经济学",
                    "level": "本科",
                    "degree": "学士",
                    "start": date(2006, 9, 1),
                    "end": date(2010, 7, 1),
                },
            ],
            "trainings": [{"course": "中青年干部培训班", "hours": 80}],
            "grades": [
                {"year": 2023, "grade": "优秀"},
                {"year": 2024, "grade": "称职"},
                {"year": 2025, "grade": "称职"},
            ],
            "tags": ["经济", "党建"],
        },
    ),
    "李镇长": (
        {"gender": "女", "birth_date": "1983-02", "ethnicity": "苗族", "party": "中共党员", "rank": "副科级"},
        {
            "native_code": "520523",
            "native_name": "毕节市金沙县",
            "rank_since": date(2023, 6, 1),
            "posts": [
                {"unit_name": "金沙县财政局", "post": "科员", "start": date(2005, 7, 1), "end": date(2021, 12, 31)},
                {"unit_name": "岩孔镇", "post": "乡镇党委书记", "start": date(2022, 1, 1)},
            ],
            "education": [
                {
                    "school": "毕节学院",
                    "department": "数学系",
                    "level": "大专",
                    "start": date(2002, 9, 1),
                    "end": date(2005, 7, 1),
                },
                {
                    "kind": "in_service",
                    "school": "省委党校",
                    "level": "本科",
                    "start": date(2010, 3, 1),
                    "end": date(2013, 1, 1),
                },
            ],
            "trainings": [{"course": "网络学院", "hours": 30}, {"course": "乡村振兴专题", "hours": 40}],
            "grades": [{"year": 2025, "grade": "优秀"}],
            "tags": ["农业"],
        },
    ),
    "王局长": (
        {"gender": "男", "birth_date": "1975-11-20", "ethnicity": "汉族", "party": "群众", "rank": "副处级"},
        {
            "native_code": "520302",
            "native_name": "遵义市红花岗区",
            "rank_since": date(2015, 3, 1),
            "posts": [{"unit_name": "县教育局", "post": "局长", "start": date(2015, 3, 1)}],
            "education": [
                {
                    "school": "四川大学",
                    "department": "法学院",
                    "level": "硕士研究生",
                    "degree": "硕士",
                    "start": date(1997, 9, 1),
                    "end": date(2000, 7, 1),
                },
            ],
            "military": [{"unit_designation": "61001部队", "start": date(1993, 3, 1), "end": date(1995, 3, 1)}],
            "relations": [
                {"relation": "配偶", "name": "赵某", "birth": date(1977, 1, 1), "id_card": "52052119770101002X"}
            ],
            "grades": [{"year": 2021, "grade": "优秀"}],
            "tags": ["教育", "法律"],
        },
    ),
}


def make_world(ctx: AppContext, *, enabled: bool = True) -> World:
    for code in ("ca", "cb"):
        localities.create(ctx, SYSTEM, LocalityIn(code=code, name=f"县 {code}"))
    unit = org.create_unit(ctx, SYSTEM, "ca", UnitIn(code="u1", name="县委组织部")).id
    people = {}
    for name, (fields, _profile) in PEOPLE.items():
        people[name] = org.create_person(ctx, SYSTEM, "ca", PersonIn(name=name, unit_id=unit, **fields)).id
    other_unit = org.create_unit(ctx, SYSTEM, "cb", UnitIn(code="u1", name="市委组织部")).id
    other_person = org.create_person(ctx, SYSTEM, "cb", PersonIn(name="孙八", unit_id=other_unit)).id
    actors = {
        role: account(ctx, "ca", f"{role}-ca", role, unit_id=unit if role == "unit_admin" else None) for role in ROLES
    }
    actors["other_dept"] = account(ctx, "cb", "org_dept-cb", "org_dept")
    enable(ctx, "ca", enabled)
    enable(ctx, "cb", enabled)
    if enabled:
        for name, (_fields, profile) in PEOPLE.items():
            service.write_profile(ctx, actors["org_dept"], "ca", people[name], ProfileIn.model_validate(profile))
    return World(code="ca", people=people, actors=actors, other_person=other_person)
