"""The cadre cloud in the demo locality: enabled, a small synthetic set of cadres with their
teams and planted relations (``plugins.cadres.synth``), a few negative-information records as an
adapter source would bring them in, then the periodic warnings pass (``watch``) as production
runs it, so the warnings page has warnings; and logins for the organisation department and its
head, so a newcomer can search, place a candidate, read the warnings and the view log."""

from __future__ import annotations

import secrets
from datetime import date

from sqlmodel import select

from core.context import Actor, AppContext
from core.models import Locality, Role
from core.services import auth
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.cadres.access import PLUGIN
from plugins.cadres.models import NegativeKind, NegativeRecord
from plugins.cadres.synth import synthesize
from plugins.cadres.watch import watch_locality

DEPT, HEAD = "demo-org", "demo-org-head"
DEMO_CADRES = 60
NEGATIVE_SOURCE = "县纪委监委信访室（演示）"
# (index of the synthetic cadre, kind, the record's id at the source, title, day)
DEMO_NEGATIVE = (
    (3, NegativeKind.complaint, "XF-2026-0117", "群众来信反映其在项目验收中推诿扯皮", date(2026, 9, 14)),
    (11, NegativeKind.audit, "SJ-2026-0042", "经济责任审计发现专项资金拨付滞后", date(2026, 10, 9)),
    (24, NegativeKind.discipline, "JJ-2026-0008", "因违规发放津补贴被诫勉谈话", date(2026, 11, 3)),
)


def _demo_warnings(ctx: AppContext, code: str, person_ids: list[int]) -> int:
    """The demo's negative records (once: a record of the same source and id is not added again)
    and the warnings pass over the locality, as the periodic task ``cadres-watch`` runs it."""
    with ctx.db.write() as session:
        locality_id = session.exec(select(Locality.id).where(Locality.code == code)).one()
        have = set(
            session.exec(
                select(NegativeRecord.external_id).where(
                    NegativeRecord.locality_id == locality_id, NegativeRecord.source == NEGATIVE_SOURCE
                )
            )
        )
        for index, kind, external_id, title, on in DEMO_NEGATIVE:
            if external_id not in have and index < len(person_ids):
                session.add(
                    NegativeRecord(
                        locality_id=locality_id,
                        person_id=person_ids[index],
                        kind=kind.value,
                        source=NEGATIVE_SOURCE,
                        external_id=external_id,
                        title=title,
                        on=on,
                    )
                )
    return watch_locality(ctx, locality_id, {})


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
    warned = _demo_warnings(ctx, code, made.person_ids)
    planted = ", ".join(sorted({p.kind for p in made.planted}))
    lines.append(f"  search under 干部查询; teams under 班子关系与结构 hold planted relations ({planted})")
    lines.append(f"  {warned} warnings under 干部预警 (negative records of a demo source)")
    return lines
