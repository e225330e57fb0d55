"""The cadre cloud in the demo locality: enabled, a small synthetic set of cadres with their
teams and planted relations (``plugins.cadres.synth``), and logins for the organisation
department and its head, so a newcomer can search, place a candidate and read the view log."""

from __future__ import annotations

import secrets

from core.context import Actor, AppContext
from core.models import Role
from core.services import auth
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.cadres.access import PLUGIN
from plugins.cadres.synth import synthesize

DEPT, HEAD = "demo-org", "demo-org-head"
DEMO_CADRES = 60


def load_demo(ctx: AppContext, actor: Actor, code: str) -> list[str]:
    set_plugin(ctx, actor, code, PLUGIN, PluginSettingIn(enabled=True))
    made = synthesize(ctx, code, DEMO_CADRES, seed=2026)
    lines = ["", f"Cadre cloud (cadres) is enabled in {code} with {len(made.person_ids)} synthetic cadres:"]
    for username, role in ((DEPT, Role.org_dept), (HEAD, Role.org_dept_head)):
        password = secrets.token_urlsafe(12)
        if auth.find_user(ctx, username) is None:
            auth.create_user(ctx, actor, username=username, password=password, role=role.value, locality_code=code)
        else:
            auth.set_password(ctx, actor, username, password)
        lines.append(f"  {role.value}: {username} / {password}")
    planted = ", ".join(sorted({p.kind for p in made.planted}))
    lines.append(f"  search under 干部查询; teams under 班子关系与结构 hold planted relations ({planted})")
    return lines
