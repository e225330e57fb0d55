"""The audit log's pages in the reader's language: an action's label instead of its identifier,
a target as "<kind> #id", a changed field's label; an identifier without a label as it is."""

from __future__ import annotations

import re

from sqlmodel import select

from core.context import Actor
from core.models import AuditEntry
from core.services import audit, auth
from tests.core.web.test_console_permissions import _session

AUDIT = "/admin/localities/county-a/audit"
ROW = re.compile(r"<tr>.*?</tr>", re.DOTALL)


def _setup(world) -> int:
    world.locality("county-a")
    world.user("alice", "office", "county-a")
    user = auth.find_user(world.ctx, "alice")
    with world.ctx.db.write() as session:
        audit.record(
            session,
            Actor.system("test"),
            locality_id=user.locality_id,
            action="someplugin.thing_done",
            target_type="gadget",
            target_id=7,
            after={"colour": "red"},
        )
        audit.record(  # a plugin's action: labelled from that plugin's catalogue
            session,
            Actor.system("test"),
            locality_id=user.locality_id,
            action="goals.published",
            target_type="goal_set",
        )
    return user.id


def _row(html: str, needle: str) -> str:
    return next(row for row in ROW.findall(html) if needle in row)


def test_the_audit_list_shows_labels_in_the_page_language(world):
    user_id = _setup(world)
    with _session(world, "alice") as client:
        chinese = client.get(AUDIT).text
        english = client.get(AUDIT + "?lang=en").text
    created = _row(chinese, "新建用户")
    assert f"用户 #{user_id}" in created
    assert "角色" in created and "单位" in created and "用户名" in created
    assert "user.create" not in created and f"user:{user_id}" not in created and "unit_id" not in created
    assert '<option value="user.create">新建用户</option>' in chinese
    created = _row(english, "Created a user")
    assert f"User #{user_id}" in created and "Role" in created and "User name" in created
    assert "unit_id" not in created
    unknown = _row(chinese, "someplugin.thing_done")  # no label: the identifiers as they are
    assert "gadget #7" in unknown and "colour" in unknown
    assert '<option value="goals.published">发布目标</option>' in chinese
    assert '<option value="goals.published">goals.published</option>' in english  # no English label: as it is


def test_the_audit_entry_shows_labels_in_the_page_language(world):
    user_id = _setup(world)
    with world.ctx.db.read() as session:
        entry_id = session.exec(select(AuditEntry.id).where(AuditEntry.action == "user.create")).first()
    with _session(world, "alice") as client:
        chinese = client.get(f"{AUDIT}/{entry_id}").text
        english = client.get(f"{AUDIT}/{entry_id}?lang=en").text
    assert "新建用户" in chinese and f"用户 #{user_id}" in chinese
    assert '<td title="role">角色</td>' in chinese and '<td title="unit_id">单位</td>' in chinese
    assert "Created a user" in english and f"User #{user_id}" in english
    assert '<td title="role">Role</td>' in english


def test_every_action_the_core_and_the_ballots_record_has_a_label_in_chinese():
    """An action recorded by the core, the ballots or the adapters (``action="x.y"`` in their
    code) is in the one table of labels, and the label is translated (a new action fails here)."""
    import re
    from pathlib import Path

    from core.i18n import _catalog
    from core.web.admin.audit_labels import ACTIONS

    root = Path(__file__).resolve().parents[3]
    recorded = {
        action
        for folder in ("core", "ballots", "adapters")
        for path in (root / folder).rglob("*.py")
        for action in re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8"))
    }
    assert {"user.create", "paper_ballot.entered", "audit.rekey"} <= recorded
    assert sorted(recorded - ACTIONS.keys()) == []
    chinese = _catalog("zh_CN", root / "core" / "locales")
    assert sorted(label for label in ACTIONS.values() if label not in chinese) == []
