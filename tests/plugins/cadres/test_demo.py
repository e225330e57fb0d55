"""The cadre cloud's demo: enabled, synthetic cadres with planted relations, two logins that work."""

from __future__ import annotations

from core.schemas.localities import LocalityIn
from core.services import auth, localities
from plugins.cadres import search, teams
from plugins.cadres.demo import DEMO_CADRES, load_demo
from tests.plugins.cadres.setup import SYSTEM


def test_the_demo_enables_the_plugin_with_cadres_and_two_logins(ctx):
    localities.create(ctx, SYSTEM, LocalityIn(code="demo", name="示范县"))
    lines = load_demo(ctx, SYSTEM, "demo")
    logins = {line.split(":")[0].strip(): line.split(":")[1].strip().split(" / ") for line in lines if " / " in line}
    assert set(logins) == {"org_dept", "org_dept_head"}
    username, password = logins["org_dept"]
    user = auth.authenticate(ctx, username, password, "127.0.0.1")
    actor = auth.actor_of(user)
    found = search.run_search(ctx, actor, "demo", {})
    assert found["total"] == DEMO_CADRES
    scanned = teams.scan_teams(ctx, actor, "demo")
    assert any(r["strength"] == "strong" for item in scanned for r in item["relations"])


def test_the_demo_locality_has_warnings_and_the_department_is_notified(ctx):
    from sqlmodel import select

    from core.models import Notification, User
    from plugins.cadres.warnings import list_warnings

    localities.create(ctx, SYSTEM, LocalityIn(code="demo", name="示范县"))
    lines = load_demo(ctx, SYSTEM, "demo")
    assert any(line.strip().startswith("3 warnings under 干部预警") for line in lines)
    user = auth.find_user(ctx, "demo-org")
    page = list_warnings(ctx, auth.actor_of(user), "demo")
    assert page.total == 3 and {item.kind for item in page.items} == {"negative"}
    with ctx.db.read() as session:
        head = session.exec(select(User.id).where(User.username == "demo-org-head")).one()
        assert len(session.exec(select(Notification).where(Notification.user_id == head)).all()) == 3
