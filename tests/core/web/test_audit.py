"""Every write of the organisation API leaves one audit entry; the log is a tamper-evident hash chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from core.services.audit import verify_chain
from tests.helpers import created, ok

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")

A = "/api/localities/county-a"
ACTOR = "office-county-a"
ID_CARD = "11010519491231002X"


def audit_log(api) -> dict:
    return ok(api.get(f"{A}/audit", params={"limit": 1000}))


class AuditTrail:
    """Checks that each write adds exactly one entry, and returns that entry."""

    def __init__(self, api):
        self.api = api
        self.count = audit_log(api)["total"]

    def last(self) -> dict:
        log = audit_log(self.api)
        assert log["total"] == self.count + 1, [e["action"] for e in log["items"][:3]]
        self.count += 1
        return log["items"][0]

    def unchanged(self) -> None:
        assert audit_log(self.api)["total"] == self.count


def check_entry(entry: dict, action: str, target_type: str, target_id: int, summary: dict) -> None:
    assert entry["actor"] == ACTOR
    assert entry["action"] == action
    assert (entry["target_type"], entry["target_id"]) == (target_type, str(target_id))
    assert entry["summary"] == summary
    at = datetime.fromisoformat(entry["at"])
    assert at.tzinfo is not None, entry["at"]
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=5)


def test_unit_writes_are_audited(world):
    with world.office("county-a") as api:
        trail = AuditTrail(api)
        parent = created(api.post(f"{A}/units", json={"code": "P", "name": "县委"}))
        check_entry(trail.last(), "unit.create", "unit", parent["id"], {"after": parent})
        unit = created(api.post(f"{A}/units", json={"code": "U1", "name": "县委办", "duties": "协调"}))
        check_entry(trail.last(), "unit.create", "unit", unit["id"], {"after": unit})

        changed = ok(
            api.patch(
                f"{A}/units/{unit['id']}", json={"name": "县委办公室", "parent_id": parent["id"], "duties": "协调"}
            )
        )
        check_entry(
            trail.last(),
            "unit.update",
            "unit",
            unit["id"],
            {
                "before": {"name": "县委办", "parent_id": None},
                "after": {"name": "县委办公室", "parent_id": parent["id"]},
            },
        )

        assert api.delete(f"{A}/units/{unit['id']}").status_code == 204
        check_entry(trail.last(), "unit.delete", "unit", unit["id"], {"before": changed})


def test_team_writes_are_audited(world):
    with world.office("county-a") as api:
        unit = created(api.post(f"{A}/units", json={"code": "U1", "name": "县委办"}))
        wang = created(api.post(f"{A}/people", json={"name": "王五"}))
        zhao = created(api.post(f"{A}/people", json={"name": "赵六"}))
        trail = AuditTrail(api)

        team = created(
            api.post(
                f"{A}/teams",
                json={
                    "unit_id": unit["id"],
                    "name": "班子",
                    "members": [{"person_id": wang["id"], "post": "主要领导"}],
                },
            )
        )
        check_entry(trail.last(), "team.create", "team", team["id"], {"after": team})

        changed = ok(
            api.patch(
                f"{A}/teams/{team['id']}",
                json={"name": "领导班子", "members": [{"person_id": zhao["id"], "post": "主要领导"}]},
            )
        )
        check_entry(
            trail.last(),
            "team.update",
            "team",
            team["id"],
            {
                "before": {"name": "班子", "members": team["members"]},
                "after": {"name": "领导班子", "members": changed["members"]},
            },
        )

        assert api.delete(f"{A}/teams/{team['id']}").status_code == 204
        check_entry(trail.last(), "team.delete", "team", team["id"], {"before": changed})


def test_person_writes_are_audited_with_the_id_card_masked(world):
    with world.office("county-a") as api:
        unit = created(api.post(f"{A}/units", json={"code": "U1", "name": "县委办"}))
        trail = AuditTrail(api)

        person = created(api.post(f"{A}/people", json={"name": "张三", "post": "科员"}))
        check_entry(trail.last(), "person.create", "person", person["id"], {"after": person})

        changed = ok(
            api.patch(
                f"{A}/people/{person['id']}",
                json={"post": "主任", "unit_id": unit["id"], "id_card": ID_CARD, "name": "张三"},
            )
        )
        check_entry(
            trail.last(),
            "person.update",
            "person",
            person["id"],
            {
                "before": {"unit_id": None, "post": "科员", "id_card_masked": None},
                "after": {"unit_id": unit["id"], "post": "主任", "id_card_masked": "1101**********002X"},
            },
        )

        assert api.delete(f"{A}/people/{person['id']}").status_code == 204
        entry = trail.last()
        check_entry(entry, "person.delete", "person", person["id"], {"before": changed})
        assert ID_CARD not in api.get(f"{A}/audit").text


def test_subject_writes_are_audited(world):
    with world.office("county-a") as api:
        unit = created(api.post(f"{A}/units", json={"code": "U1", "name": "县委办"}))
        trail = AuditTrail(api)

        subject = created(
            api.post(f"{A}/subjects", json={"name": "县委办", "kind": "unit", "ref_id": unit["id"], "category": "综合"})
        )
        check_entry(trail.last(), "subject.create", "subject", subject["id"], {"after": subject})

        changed = ok(api.patch(f"{A}/subjects/{subject['id']}", json={"category": "党群"}))
        check_entry(
            trail.last(),
            "subject.update",
            "subject",
            subject["id"],
            {"before": {"category": "综合"}, "after": {"category": "党群"}},
        )

        assert api.delete(f"{A}/subjects/{subject['id']}").status_code == 204
        check_entry(trail.last(), "subject.delete", "subject", subject["id"], {"before": changed})


def test_audit_entries_record_the_acting_user(world):
    with world.office("county-a") as api:
        unit = created(api.post(f"{A}/units", json={"code": "U1", "name": "县委办"}))
        with world.ctx.db.engine.connect() as connection:
            user_id = connection.execute(text("SELECT id FROM users WHERE username = :u"), {"u": ACTOR}).scalar_one()
            row = connection.execute(
                text("SELECT user_id, actor FROM audit_log WHERE action = 'unit.create' AND target_id = :t"),
                {"t": str(unit["id"])},
            ).one()
    assert tuple(row) == (user_id, ACTOR)


def test_refused_writes_leave_no_audit_entry(world):
    with world.office("county-a") as api:
        parent = created(api.post(f"{A}/units", json={"code": "P", "name": "县委"}))
        child = created(api.post(f"{A}/units", json={"code": "C", "name": "县委办", "parent_id": parent["id"]}))
        cadre = world.client(world.user("cadre-1", "cadre", "county-a"))
        trail = AuditTrail(api)
        assert api.post(f"{A}/units", json={"code": "P", "name": "again"}).status_code == 409
        assert api.post(f"{A}/units", json={"code": "X", "name": "n", "bogus": 1}).status_code == 400
        assert api.patch(f"{A}/units/{parent['id']}", json={"parent_id": child["id"]}).status_code == 422
        assert api.delete(f"{A}/units/{parent['id']}").status_code == 409
        assert api.delete(f"{A}/units/999999").status_code == 404
        assert api.post(f"{A}/people", json={"name": "n", "id_card": ID_CARD[:17] + "1"}).status_code == 400
        with cadre:
            assert cadre.post(f"{A}/units", json={"code": "Y", "name": "n"}).status_code == 403
        trail.unchanged()


def _write_some(world) -> None:
    with world.office("county-a") as api:
        unit = created(api.post(f"{A}/units", json={"code": "U1", "name": "县委办"}))
        person = created(api.post(f"{A}/people", json={"name": "张三", "unit_id": unit["id"]}))
        ok(api.patch(f"{A}/people/{person['id']}", json={"post": "主任"}))
        created(
            api.post(
                f"{A}/subjects", json={"name": "张三", "kind": "person", "ref_id": person["id"], "category": "干部"}
            )
        )


def _verify(world) -> int | None:
    with world.ctx.db.read() as session:
        return verify_chain(session)


def _entry_ids(world) -> list[int]:
    with world.ctx.db.engine.connect() as connection:
        return list(connection.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars())


def _id_of(world, action: str) -> int:
    with world.ctx.db.engine.connect() as connection:
        return connection.execute(text("SELECT id FROM audit_log WHERE action = :a"), {"a": action}).scalar_one()


def test_verify_chain_accepts_an_intact_log(world):
    assert _verify(world) is None  # an empty log
    _write_some(world)
    assert len(_entry_ids(world)) >= 6
    assert _verify(world) is None


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_log SET actor = 'mallory' WHERE id = :id",
        "UPDATE audit_log SET action = 'unit.read' WHERE id = :id",
        "UPDATE audit_log SET target_id = '999' WHERE id = :id",
        """UPDATE audit_log SET summary = '{"after": {"name": "forged"}}' WHERE id = :id""",
        "UPDATE audit_log SET user_id = NULL WHERE id = :id",
        "UPDATE audit_log SET hash = 'f' WHERE id = :id",
    ],
    ids=["actor", "action", "target", "summary", "user", "hash"],
)
def test_verify_chain_names_a_tampered_entry(world, tamper):
    _write_some(world)
    victim = _id_of(world, "person.update")  # an entry in the middle of the chain, written by a user
    assert _entry_ids(world)[-1] > victim
    with world.ctx.db.engine.begin() as connection:
        assert connection.execute(text(tamper), {"id": victim}).rowcount == 1
    assert _verify(world) == victim


def test_verify_chain_notices_a_deleted_entry(world):
    _write_some(world)
    ids = _entry_ids(world)
    victim = _id_of(world, "person.update")
    with world.ctx.db.engine.begin() as connection:
        assert connection.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": victim}).rowcount == 1
    assert _verify(world) == ids[ids.index(victim) + 1]
