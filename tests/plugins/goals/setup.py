"""A small organisation for the goals' tests: locality ``ga`` with units A (县财政局, a
leadership team of 李明 and 王芳; 周五 works in A outside the team) and B (县教育局, 钱七), an
office, a unit admin of each unit, people's accounts; locality ``gb`` with an office and a person
of its own. Goals enabled in both; a quantitative indicator in ``ga``'s dictionary."""

from __future__ import annotations

from dataclasses import dataclass

from core.context import Actor, AppContext
from core.schemas.localities import LocalityIn
from core.schemas.org import PersonIn, TeamIn, TeamMemberIn, UnitIn
from core.services import localities, org
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.goals import indicators
from plugins.goals.schemas import IndicatorIn
from tests.plugins.worklog.setup import account, token  # noqa: F401 - token: for API tests

SYSTEM = Actor.system("test")
YEAR = 2026


@dataclass
class World:
    code: str
    unit_a: int
    unit_b: int
    team: int
    indicator: int  # 一般公共预算收入 (亿元, higher is better)
    indicator_lower: int  # 万元GDP能耗 (吨标煤, lower is better)
    people: dict[str, int]
    actors: dict[str, Actor]
    other_code: str


def enable(ctx: AppContext, code: str, **options) -> None:
    set_plugin(ctx, SYSTEM, code, "goals", PluginSettingIn(enabled=True, options=options))


def make_world(ctx: AppContext, *, enabled: bool = True) -> World:
    for code in ("ga", "gb"):
        localities.create(ctx, SYSTEM, LocalityIn(code=code, name=f"县 {code}"))
    unit_a = org.create_unit(ctx, SYSTEM, "ga", UnitIn(code="a", name="县财政局")).id
    unit_b = org.create_unit(ctx, SYSTEM, "ga", UnitIn(code="b", name="县教育局")).id
    people = {}
    for name, unit in [("李明", unit_a), ("王芳", unit_a), ("周五", unit_a), ("钱七", unit_b)]:
        people[name] = org.create_person(ctx, SYSTEM, "ga", PersonIn(name=name, unit_id=unit)).id
    team = org.create_team(
        ctx,
        SYSTEM,
        "ga",
        TeamIn(
            unit_id=unit_a,
            name="县财政局领导班子",
            members=[TeamMemberIn(person_id=people["李明"]), TeamMemberIn(person_id=people["王芳"])],
        ),
    ).id
    other_unit = org.create_unit(ctx, SYSTEM, "gb", UnitIn(code="a", name="市财政局")).id
    other_person = org.create_person(ctx, SYSTEM, "gb", PersonIn(name="孙八", unit_id=other_unit)).id
    actors = {
        "office": account(ctx, "ga", "office-ga", "office"),
        "admin_a": account(ctx, "ga", "admin-a", "unit_admin", unit_id=unit_a),
        "admin_b": account(ctx, "ga", "admin-b", "unit_admin", unit_id=unit_b),
        "member": account(ctx, "ga", "liming", "cadre", person_id=people["李明"], unit_id=unit_a),
        "outsider": account(ctx, "ga", "zhouwu", "cadre", person_id=people["周五"], unit_id=unit_a),
        "qian": account(ctx, "ga", "qianqi", "cadre", person_id=people["钱七"], unit_id=unit_b),
        "other_office": account(ctx, "gb", "office-gb", "office"),
        "other": account(ctx, "gb", "sunba", "cadre", person_id=other_person, unit_id=other_unit),
    }
    if enabled:
        enable(ctx, "ga")
        enable(ctx, "gb")
    indicator = indicators.create_indicator(
        ctx, SYSTEM, "ga", IndicatorIn(code="revenue", name="一般公共预算收入", measure="亿元")
    ).id
    lower = indicators.create_indicator(
        ctx, SYSTEM, "ga", IndicatorIn(code="energy", name="万元GDP能耗", measure="吨标煤", direction="lower")
    ).id
    return World("ga", unit_a, unit_b, team, indicator, lower, people, actors, "gb")
