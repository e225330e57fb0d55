"""A profile written through the profile API (and a section from a spreadsheet) is an entry of the
audit chain, as the appointment-form import is: who wrote whose profile, the plain fields changed
(the résumé as a length, no ID number) and the rows of each section given; a refused write
leaves no entry; the chain verifies after. On both databases."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from core.models import AuditEntry
from core.services import audit
from core.services.errors import NotFound
from plugins.cadres import service
from plugins.cadres.schemas import ProfileIn
from plugins.cadres.sheets import import_section
from tests.plugins.cadres.setup import make_world
from tests.plugins.cadres.test_sheets import workbook

ID_CARD = "52052119800101002X"


def _last_id(ctx) -> int:
    with ctx.db.read() as session:
        return session.exec(select(AuditEntry.id).order_by(col(AuditEntry.id).desc())).first() or 0


def _entries(ctx, after_id: int) -> list[AuditEntry]:
    with ctx.db.read() as session:
        return list(session.exec(select(AuditEntry).where(col(AuditEntry.id) > after_id).order_by(AuditEntry.id)))


def test_a_profile_write_is_audited_with_what_it_changed(ctx):
    world = make_world(ctx)
    dept, person = world.actors["org_dept"], world.people["李镇长"]
    start = _last_id(ctx)
    data = ProfileIn.model_validate(
        {
            "native_code": "520502",
            "native_name": "贵州毕节",
            "resume": "2001.09--2005.07  贵州大学学习",
            "education": [{"school": "贵州大学", "level": "硕士研究生"}],
            "relations": [{"relation": "妻子", "name": "王芳", "id_card": ID_CARD}],
            "tags": ["农业", "财政"],
        }
    )
    service.write_profile(ctx, dept, "ca", person, data)
    [entry] = _entries(ctx, start)
    assert (entry.action, entry.target_type, entry.target_id) == ("cadres.profile.update", "person", str(person))
    assert (entry.actor, entry.user_id) == (dept.username, dept.user_id) and entry.locality_id is not None
    assert entry.summary["before"] == {"native_code": "520523", "native_name": "毕节市金沙县", "resume": 0}
    assert entry.summary["after"] == {
        "native_code": "520502",
        "native_name": "贵州毕节",
        "resume": len("2001.09--2005.07  贵州大学学习"),
        "sections": {"education": 1, "relations": 1, "tags": 2},
    }
    assert ID_CARD not in str(entry.summary)

    middle = _last_id(ctx)
    service.write_profile(ctx, dept, "ca", person, ProfileIn(native_code="520502"))  # nothing changes
    [same] = _entries(ctx, middle)
    assert same.action == "cadres.profile.update" and same.summary == {"after": {}}
    assert audit.verify(ctx).ok


def test_a_refused_write_leaves_no_entry(ctx):
    world = make_world(ctx)
    start = _last_id(ctx)
    with pytest.raises(NotFound):
        service.write_profile(
            ctx, world.actors["office"], "ca", world.people["李镇长"], ProfileIn(native_code="520502")
        )
    with pytest.raises(NotFound):
        service.write_profile(ctx, world.actors["org_dept"], "ca", world.other_person, ProfileIn(native_code="520502"))
    assert _entries(ctx, start) == []


def test_a_section_from_a_spreadsheet_is_audited_per_person(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    start = _last_id(ctx)
    content = workbook([["姓名", "专业特长"], ["王局长", "财政"], ["王局长", "审计"], ["张书记", "农业"]])
    import_section(ctx, dept, "ca", "tags", "tags.xlsx", content)
    entries = _entries(ctx, start)
    assert sorted((e.action, e.target_id, e.summary["after"]["sections"]["tags"]) for e in entries) == sorted(
        [
            ("cadres.profile.sheet", str(world.people["王局长"]), 2),
            ("cadres.profile.sheet", str(world.people["张书记"]), 1),
        ]
    )
    assert all(e.summary["after"]["file"] == "tags.xlsx" for e in entries)
    assert audit.verify(ctx).ok


def test_the_profile_api_writes_the_entry(ctx, site):
    world, _session, api = site
    person = world.people["张书记"]
    start = _last_id(ctx)
    with api("org_dept") as client:
        answer = client.put(f"/api/localities/ca/cadres/people/{person}", json={"tags": ["党建"]})
    assert answer.status_code == 204
    writes = [e for e in _entries(ctx, start) if e.action.startswith("cadres.")]  # the sign-in has its own
    assert [(e.action, e.target_id, e.summary["after"]) for e in writes] == [
        ("cadres.profile.update", str(person), {"sections": {"tags": 1}})
    ]
    assert audit.verify(ctx).ok
