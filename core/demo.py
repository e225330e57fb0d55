"""The demo locality that ``make run`` loads, so a newcomer sees Kaoping work at once.

Loading is idempotent: run it again and it only resets the demo admin's password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from core.context import Actor, AppContext
from core.models import Locality, Person, Role, Unit
from core.plugins import get_plugin_manager
from core.schemas.localities import LocalityIn
from core.schemas.org import SubjectIn, TeamIn, TeamMemberIn
from core.services import auth, imports, localities, org
from core.services import subjects as subject_service

DATA_DIR = Path(__file__).parent / "demo_data"
DEMO_CITY = ("demo-city", "示范市")
DEMO_LOCALITY = ("demo-county", "示范县")
DEMO_ADMIN = "demo-admin"
# A platform admin, so that users and roles (/admin/users) and the locality switcher (the city and
# its county) can be tried in the browser from the printed logins alone.
DEMO_PLATFORM_ADMIN = "demo-platform"

# Subject category per unit type (综合部门 -> 综合管理部门, ...).
UNIT_CATEGORIES = {
    "综合部门": "综合管理部门",
    "业务部门": "业务职能部门",
    "窗口单位": "服务窗口单位",
    "乡镇": "乡镇",
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    notes: tuple[str, ...] = ()


def load_demo(ctx: AppContext) -> DemoLogin:
    system = Actor.system("demo")
    with ctx.db.read() as session:
        has_city = session.exec(select(Locality).where(Locality.code == DEMO_CITY[0])).first() is not None
        has_county = session.exec(select(Locality).where(Locality.code == DEMO_LOCALITY[0])).first() is not None
    if not has_city:
        localities.create(ctx, system, LocalityIn(code=DEMO_CITY[0], name=DEMO_CITY[1]))
    notes: list[str] = []
    if not has_county:
        localities.create(
            ctx, system, LocalityIn(code=DEMO_LOCALITY[0], name=DEMO_LOCALITY[1], parent_code=DEMO_CITY[0])
        )
        _load_organisation(ctx, system)
        for lines in get_plugin_manager().hook.kaoping_load_demo(ctx=ctx, actor=system, locality_code=DEMO_LOCALITY[0]):
            notes.extend(lines or [])
    password = secrets.token_urlsafe(12)
    if auth.find_user(ctx, DEMO_ADMIN) is None:
        auth.create_user(
            ctx, system, username=DEMO_ADMIN, password=password, role=Role.office, locality_code=DEMO_LOCALITY[0]
        )
    else:
        auth.set_password(ctx, system, DEMO_ADMIN, password)
    platform_password = secrets.token_urlsafe(12)
    if auth.find_user(ctx, DEMO_PLATFORM_ADMIN) is None:
        auth.create_user(
            ctx,
            system,
            username=DEMO_PLATFORM_ADMIN,
            password=platform_password,
            role=Role.platform_admin,
            locality_code=None,
        )
    else:
        auth.set_password(ctx, system, DEMO_PLATFORM_ADMIN, platform_password)
    notes.insert(
        0,
        "Users and roles (用户), the sign-in log of every locality and the switch between "
        f"{DEMO_CITY[1]} and {DEMO_LOCALITY[1]}: platform admin {DEMO_PLATFORM_ADMIN} / {platform_password}",
    )
    return DemoLogin(username=DEMO_ADMIN, password=password, notes=tuple(notes))


def _load_organisation(ctx: AppContext, actor: Actor) -> None:
    code = DEMO_LOCALITY[0]
    for kind, filename in (("units", "county-units.csv"), ("people", "county-people.csv")):
        path = DATA_DIR / filename
        imports.import_file(ctx, actor, code, kind, path.name, path.read_bytes())
    with ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == code)).one()
        units = session.exec(select(Unit).where(Unit.locality_id == locality.id).order_by(Unit.code)).all()
        first_unit = units[0]
        staff = session.exec(select(Person).where(Person.unit_id == first_unit.id).order_by(Person.id).limit(3)).all()
    team = org.create_team(
        ctx,
        actor,
        code,
        TeamIn(
            unit_id=first_unit.id,
            name=f"{first_unit.name}领导班子",
            members=[
                TeamMemberIn(person_id=staff[0].id, post="主要领导", in_charge_of="全面工作"),
                *[TeamMemberIn(person_id=p.id, post="分管领导", in_charge_of="综合协调") for p in staff[1:]],
            ],
        ),
    )
    for unit in units:
        category = UNIT_CATEGORIES.get(unit.type, "其他单位")
        subject_service.create_subject(
            ctx, actor, code, SubjectIn(name=unit.name, kind="unit", ref_id=unit.id, category=category)
        )
    subject_service.create_subject(
        ctx, actor, code, SubjectIn(name=team.name, kind="team", ref_id=team.id, category="领导班子")
    )
    for member in team.members:
        category = "班子主要领导" if member.post == "主要领导" else "一般领导干部"
        subject_service.create_subject(
            ctx, actor, code, SubjectIn(name=member.name, kind="person", ref_id=member.person_id, category=category)
        )
