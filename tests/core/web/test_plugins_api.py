"""The plugin host: installed plugins, per-locality enablement and options, essential plugins,
hook calls filtered per locality, and a third-party plugin found through its entry point."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.models import Locality
from core.services.plugins import hooks_for, rules_for
from tests.helpers import ok

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


def _rule_names(world, code: str) -> set[str]:
    with world.ctx.db.read() as session:
        locality_id = session.exec(select(Locality.id).where(Locality.code == code)).one()
        return set(rules_for(session, locality_id))


def test_installed_plugins_are_listed_with_labels_contributions_and_schema(world):
    with world.office("county-a") as api:
        plugins = {p["name"]: p for p in ok(api.get("/api/plugins"))}
    assert {"ballots", "weighted_mean", "rules", "distribution", "example"} <= set(plugins)
    assert plugins["ballots"]["essential"] and plugins["weighted_mean"]["essential"]
    assert not plugins["example"]["essential"]
    assert plugins["example"]["label_zh"] == "示例插件"
    assert plugins["example"]["contributes"]["scoring_rules"] == ["highest_category"]
    assert plugins["example"]["options_schema"]["properties"]["note"]["type"] == "string"


def test_third_party_plugin_is_enabled_for_one_locality_only(world):
    a = world.office("county-a")
    b = world.office("county-b")
    listed = {p["name"]: p for p in ok(a.get("/api/localities/county-a/plugins"))}
    assert listed["example"]["enabled"] is False and listed["weighted_mean"]["enabled"] is True
    assert "highest_category" not in _rule_names(world, "county-a")

    answer = ok(a.put("/api/localities/county-a/plugins/example", json={"enabled": True, "options": {"note": "试用"}}))
    assert answer == {"name": "example", "enabled": True, "options": {"note": "试用"}, "essential": False}
    assert "highest_category" in _rule_names(world, "county-a")
    assert "highest_category" not in _rule_names(world, "county-b")
    assert {p["name"]: p["enabled"] for p in ok(b.get("/api/localities/county-b/plugins"))}["example"] is False

    a.close()
    b.close()


def test_a_campaign_may_only_name_rules_its_locality_enabled(world):
    a = world.office("county-a")
    b = world.office("county-b")
    a.put("/api/localities/county-a/plugins/example", json={"enabled": True})
    campaign = {"name": "测评", "scoring": {"rule": "highest_category", "options": {"bonus": 2}}}
    created = a.post("/api/localities/county-a/campaigns", json=campaign)
    assert created.status_code == 201, created.text
    assert created.json()["scoring"] == {"rule": "highest_category", "options": {"bonus": 2.0}}
    refused = b.post("/api/localities/county-b/campaigns", json=campaign)
    assert refused.status_code == 422
    assert "highest_category" in refused.json()["detail"]
    bad_options = a.post(
        "/api/localities/county-a/campaigns",
        json={"name": "测评", "scoring": {"rule": "highest_category", "options": {"bonus": -1}}},
    )
    assert bad_options.status_code == 422
    assert bad_options.json()["errors"][0]["field"] == "scoring.options.bonus"
    a.close()
    b.close()


def test_options_are_validated_against_the_plugins_model(world):
    with world.office("county-a") as api:
        wrong_type = api.put("/api/localities/county-a/plugins/example", json={"enabled": True, "options": {"note": 5}})
        unknown = api.put(
            "/api/localities/county-a/plugins/example", json={"enabled": True, "options": {"colour": "red"}}
        )
        missing_plugin = api.put("/api/localities/county-a/plugins/nope", json={"enabled": True})
        listed = {p["name"]: p for p in ok(api.get("/api/localities/county-a/plugins"))}
    assert wrong_type.status_code == 422 and wrong_type.json()["errors"][0]["field"] == "options.note"
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "options.colour"
    assert missing_plugin.status_code == 404
    assert listed["example"]["enabled"] is False  # nothing was saved


def test_essential_plugins_cannot_be_disabled(world):
    with world.office("county-a") as api:
        refused = api.put("/api/localities/county-a/plugins/weighted_mean", json={"enabled": False})
        assert refused.status_code == 409
        assert {p["name"]: p["enabled"] for p in ok(api.get("/api/localities/county-a/plugins"))}["weighted_mean"]


def test_disabling_a_plugin_an_open_campaign_uses_answers_409(world, setup):
    api = setup.api
    ok(api.put("/api/localities/county-a/plugins/example", json={"enabled": True}))
    patched = api.patch(f"/api/campaigns/{setup.campaign_id}", json={"scoring": {"rule": "highest_category"}})
    assert patched.status_code == 200, patched.text
    setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    refused = api.put("/api/localities/county-a/plugins/example", json={"enabled": False})
    assert refused.status_code == 409 and str(setup.campaign_id) in refused.json()["detail"]
    setup.close()
    assert ok(api.put("/api/localities/county-a/plugins/example", json={"enabled": False}))["enabled"] is False


def test_a_change_reaches_every_instance_through_the_config_version(world):
    """A second app instance has the old hook caller cached; the version bump makes it rebuild."""
    with world.office("county-a") as api:
        with world.ctx.db.read() as session:
            locality_id = session.exec(select(Locality.id).where(Locality.code == "county-a")).one()
            before = hooks_for(session, locality_id)
        ok(api.put("/api/localities/county-a/plugins/example", json={"enabled": True}))
        with world.ctx.db.read() as session:
            after = hooks_for(session, locality_id)
            assert after.version == before.version + 1
            assert "highest_category" in {r.name for rules in after.kaoping_scoring_rules() for r in rules}
            assert "highest_category" not in {r.name for rules in before.kaoping_scoring_rules() for r in rules}


def test_other_localities_plugin_settings_are_not_found(world):
    world.office("county-a").close()
    with world.office("county-b") as b:
        assert b.get("/api/localities/county-a/plugins").status_code == 404
        assert b.put("/api/localities/county-a/plugins/example", json={"enabled": True}).status_code == 404


def test_plugin_changes_are_audited(world):
    with world.office("county-a") as api:
        ok(api.put("/api/localities/county-a/plugins/example", json={"enabled": True, "options": {"note": "x"}}))
        entries = ok(api.get("/api/localities/county-a/audit"))["items"]
    entry = next(e for e in entries if e["action"] == "plugin.set")
    assert entry["target_id"] == "example"
    assert entry["summary"] == {"before": {"enabled": False}, "after": {"enabled": True, "options": {"note": "x"}}}
