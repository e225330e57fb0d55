"""A locality's rules of the relationship check and team structure (the cadre cloud's options
``relations`` and ``structure``), and relation kinds added by another plugin through the hook
``kaoping_cadre_relation_kinds``, on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from core.hookspecs import hookimpl
from core.plugins import get_plugin_manager
from core.schemas.org import PersonIn
from core.services import org
from core.services.errors import Invalid
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.cadres import teams
from plugins.cadres.facts import Message
from plugins.cadres.relations import Relation
from plugins.cadres.synth import synthesize
from tests.plugins.cadres.setup import SYSTEM, make_world

ON = date(2026, 11, 30)


class SameSurname:
    """A locality's own kind: people of one surname (a test of the hook, not a real rule)."""

    name = "same_surname"
    label = "same surname"

    def keys(self, person, context):
        return {person.name[:1]} if person.name else set()

    def relate(self, a, b, context):
        return Relation(self.name, a.id, b.id, "weak", (Message("both named {surname}", {"surname": a.name[:1]}),))


class KindsPlugin:
    @hookimpl
    def kaoping_cadre_relation_kinds(self):
        return [SameSurname()]


@pytest.fixture
def kinds_plugin():
    pm = get_plugin_manager()
    plugin = KindsPlugin()
    pm.register(plugin, name="test-kinds")
    yield "test-kinds"
    pm.unregister(plugin)


def _options(ctx, code, **options):
    set_plugin(ctx, SYSTEM, code, "cadres", PluginSettingIn(enabled=True, options=options))


def _two_zhangs(ctx, world):
    unit = org.create_person(ctx, SYSTEM, "ca", PersonIn(name="张三")).id
    return [world.people["张书记"], unit]


def test_a_plugins_relation_kind_is_checked_where_the_locality_names_it(ctx, kinds_plugin):
    world = make_world(ctx)
    actor = world.actors["org_dept"]
    people = _two_zhangs(ctx, world)
    assert [r["kind"] for r in teams.check_people(ctx, actor, "ca", people, on=ON)] == []
    set_plugin(ctx, SYSTEM, "ca", kinds_plugin, PluginSettingIn(enabled=True))
    assert teams.check_people(ctx, actor, "ca", people, on=ON) == []  # enabled, but not named in the rules
    _options(ctx, "ca", relations={"kinds": ["relative", "same_surname"]})
    found = teams.check_people(ctx, actor, "ca", people, on=ON)
    assert [(r["kind"], r["strength"]) for r in found] == [("same_surname", "weak")]
    assert found[0]["evidence"] == [{"msgid": "both named {surname}", "params": {"surname": "张"}}]
    # the plugin disabled while the rules still name its kind: a clear 422, not a failure
    set_plugin(ctx, SYSTEM, "ca", kinds_plugin, PluginSettingIn(enabled=False))
    with pytest.raises(Invalid) as caught:
        teams.check_people(ctx, actor, "ca", people, on=ON)
    assert caught.value.params == {"kind": "same_surname"} and "relations.kinds" in caught.value.message


def test_the_relation_rules_are_the_localitys(ctx):
    world = make_world(ctx)
    actor = world.actors["org_dept"]
    people = [world.people["张书记"], world.people["李镇长"]]  # one city (毕节): weak 同乡 by default
    assert {r["kind"] for r in teams.check_people(ctx, actor, "ca", people, on=ON)} == {"fellow_townsman"}
    _options(ctx, "ca", relations={"hometown_city": "strong"})
    assert [r["strength"] for r in teams.check_people(ctx, actor, "ca", people, on=ON)] == ["strong"]
    _options(ctx, "ca", relations={"hometown_city": None})
    assert teams.check_people(ctx, actor, "ca", people, on=ON) == []
    _options(ctx, "ca", relations={"kinds": ["relative"]})
    assert teams.check_people(ctx, actor, "ca", people, on=ON) == []


def test_bad_rules_are_refused_with_the_field(ctx):
    make_world(ctx)
    with pytest.raises(Invalid) as caught:
        _options(ctx, "ca", relations={"hometown_city": "very"}, structure={"min_women": -1})
    fields = {e["field"] for e in caught.value.errors}
    assert {"options.relations.hometown_city", "options.structure.min_women"} <= fields


def test_the_structure_rules_are_the_localitys(ctx):
    from core.context import Actor
    from core.schemas.localities import LocalityIn
    from core.services import localities
    from tests.plugins.cadres.setup import account, enable

    localities.create(ctx, Actor.system("test"), LocalityIn(code="sy", name="合成县"))
    enable(ctx, "sy")
    made = synthesize(ctx, "sy", 60, seed=7, today=ON)
    dept = account(ctx, "sy", "org-sy", "org_dept")
    team = made.team_ids[0]
    before = teams.check_team(ctx, dept, "sy", team, on=ON)["before"]["dimensions"]["gender"]
    women = len(before["counts"].get("女", []))
    _options(ctx, "sy", structure={"min_women": women + 1, "women_levels": []})
    after = teams.check_team(ctx, dept, "sy", team, on=ON)["before"]["dimensions"]["gender"]
    assert after["status"] == "red" and after["why"]
