"""An appointment-form import writes people as the core's people service does: every person
created or changed and every profile written is in the audit chain, which still verifies; a
refused upload leaves no entry. On both databases."""

from __future__ import annotations

from sqlmodel import col, select

from core.models import AuditEntry
from core.services import audit
from plugins.cadres.imports import import_lrmx
from tests.plugins.cadres.conftest import FIELDS, ID_NUMBER, form
from tests.plugins.cadres.setup import make_world


def _entries(ctx, after_id: int) -> list[AuditEntry]:
    with ctx.db.read() as session:
        return list(session.exec(select(AuditEntry).where(col(AuditEntry.id) > after_id).order_by(AuditEntry.id)))


def _last_id(ctx) -> int:
    with ctx.db.read() as session:
        return session.exec(select(AuditEntry.id).order_by(col(AuditEntry.id).desc())).first() or 0


def test_an_import_is_audited_and_the_chain_verifies(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    start = _last_id(ctx)
    [report] = import_lrmx(ctx, dept, "ca", "zhang.lrmx", form())
    created = _entries(ctx, start)
    assert [(e.action, e.target_id, e.actor) for e in created] == [
        ("person.create", str(report.person_id), dept.username),
        ("cadres.profile.import", str(report.person_id), dept.username),
    ]
    assert created[0].summary["after"]["name"] == "张三" and created[0].summary["after"]["ethnicity"] == "彝族"
    assert ID_NUMBER not in str(created[0].summary)  # the ID number is never written out in the log
    assert created[1].summary["after"]["file"] == "zhang.lrmx" and created[1].summary["after"]["posts"] == 4

    middle = _last_id(ctx)
    import_lrmx(ctx, dept, "ca", "zhang.lrmx", form({**FIELDS, "MinZu": "汉族"}))
    changed = _entries(ctx, middle)
    assert [e.action for e in changed] == ["person.update", "cadres.profile.import"]
    assert changed[0].summary == {"before": {"ethnicity": "彝族"}, "after": {"ethnicity": "汉族"}}
    report = audit.verify(ctx)
    assert report.ok, report


def test_a_refused_upload_leaves_no_entry(ctx):
    world = make_world(ctx)
    start = _last_id(ctx)
    bad_id = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    [report] = import_lrmx(ctx, world.actors["org_dept"], "ca", "bad.lrmx", form({**FIELDS, "ShenFenZheng": bad_id}))
    assert report.status == "refused" and _entries(ctx, start) == []
