"""The cadre cloud's rules on the locality's plugins page, on both databases: the relationship
and structure rules are fieldsets of their own fields (nested options), a bad value is shown
beside its field with nothing saved, and what is saved is what the checks read."""

from __future__ import annotations

from plugins.cadres import teams
from plugins.cadres.rules import cadre_options

PAGE = "/admin/localities/ca/plugins/cadres"


def test_the_rules_are_fieldsets_checked_beside_the_field_and_read_by_the_checks(ctx, site):
    world, session, _api = site
    with session("office") as office:
        page = office.get(PAGE)
        assert (
            page.status_code == 200
            and "关系检查规则" in page.text
            and "同乡：籍贯同市（不同县）" in page.text
            and "Classmate Same Class" not in page.text
        )
        assert '<fieldset class="option-group" id="f-opt_relations">' in page.text
        assert 'name="opt_relations.hometown_city"' in page.text and 'name="opt_structure.min_women"' in page.text
        assert 'name="opt_relations.kinds"' in page.text  # a list: one kind a line
        base = {"_csrf": office.csrf, "enabled": "on", "opt_relations.kinds": "fellow_townsman\nrelative"}
        bad = office.post(PAGE, data={**base, "opt_structure.min_women": "-1"})
        assert bad.status_code == 422
        assert 'id="e-opt_structure.min_women"' in bad.text and 'value="-1"' in bad.text  # beside it, as typed
        with ctx.db.read() as db:
            assert cadre_options(db, 1).structure.min_women == 1  # nothing saved
        good = office.post(PAGE, data={**base, "opt_relations.hometown_city": "strong", "opt_structure.min_women": "2"})
        assert good.status_code == 200 and "已保存" in good.text
        assert 'value="strong" selected' in good.text
    with ctx.db.read() as db:
        options = cadre_options(db, 1)
    assert options.relations.kinds == ["fellow_townsman", "relative"] and options.relations.hometown_city == "strong"
    assert options.structure.min_women == 2
    found = teams.check_people(ctx, world.actors["org_dept"], "ca", [world.people["张书记"], world.people["李镇长"]])
    assert [(r["kind"], r["strength"]) for r in found] == [("fellow_townsman", "strong")]
