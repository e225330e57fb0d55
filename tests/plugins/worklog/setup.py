"""A small organisation for the worklog's tests: locality ``wa`` with units A and B, people
with accounts (an author and a colleague in A, the leader of A, the leader of B), an office
user; locality ``wb`` with a person of its own. Worklog enabled in both."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlmodel import select

from core.context import Actor, AppContext
from core.models import Locality, User
from core.schemas.localities import LocalityIn
from core.schemas.org import PersonIn, UnitIn
from core.security import hash_password
from core.services import auth, localities, org
from core.services.plugins import PluginSettingIn, set_plugin
from tests.conftest import TEST_PASSWORD

SYSTEM = Actor.system("test")


@dataclass
class World:
    code: str
    unit_a: int
    unit_b: int
    people: dict[str, int]  # name -> person id
    actors: dict[str, Actor]  # author, colleague, leader, leader_b, office, other (of wb), admin_less (no person)
    other_code: str
    other_person: int


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(TEST_PASSWORD)  # argon2 is slow on purpose: once per test process


def account(
    ctx: AppContext, code: str, username: str, role: str, *, person_id: int | None = None, unit_id: int | None = None
) -> Actor:
    """A user of ``code`` (password ``TEST_PASSWORD``), the account of ``person_id`` if given."""
    with ctx.db.write() as session:
        locality = session.exec(select(Locality).where(Locality.code == code)).one()
        row = User(
            username=username,
            password_hash=_password_hash(),
            role=role,
            locality_id=locality.id,
            unit_id=unit_id,
            person_id=person_id,
        )
        session.add(row)
        session.flush()
        return auth.actor_of(row)


def enable(ctx: AppContext, code: str, **options) -> None:
    set_plugin(ctx, SYSTEM, code, "worklog", PluginSettingIn(enabled=True, options=options))


def make_world(ctx: AppContext, *, colleagues_can_read: bool = False, enabled: bool = True) -> World:
    for code in ("wa", "wb"):
        localities.create(ctx, SYSTEM, LocalityIn(code=code, name=f"县 {code}"))
    unit_a = org.create_unit(ctx, SYSTEM, "wa", UnitIn(code="a", name="县财政局")).id
    unit_b = org.create_unit(ctx, SYSTEM, "wa", UnitIn(code="b", name="县教育局")).id
    people = {}
    for name, unit in [("李明", unit_a), ("王芳", unit_a), ("张局长", unit_a), ("赵局长", unit_b), ("钱七", unit_b)]:
        people[name] = org.create_person(ctx, SYSTEM, "wa", PersonIn(name=name, unit_id=unit)).id
    other_unit = org.create_unit(ctx, SYSTEM, "wb", UnitIn(code="a", name="市财政局")).id
    other_person = org.create_person(ctx, SYSTEM, "wb", PersonIn(name="孙八", unit_id=other_unit)).id
    actors = {
        "author": account(ctx, "wa", "liming", "cadre", person_id=people["李明"], unit_id=unit_a),
        "colleague": account(ctx, "wa", "wangfang", "cadre", person_id=people["王芳"], unit_id=unit_a),
        "leader": account(ctx, "wa", "zhang", "leader", person_id=people["张局长"], unit_id=unit_a),
        "leader_b": account(ctx, "wa", "zhao", "leader", person_id=people["赵局长"], unit_id=unit_b),
        "office": account(ctx, "wa", "office-wa", "office"),
        "unit_admin": account(ctx, "wa", "unitadmin-wa", "unit_admin", unit_id=unit_a),
        "other": account(ctx, "wb", "sunba", "cadre", person_id=other_person, unit_id=other_unit),
        "other_office": account(ctx, "wb", "office-wb", "office"),
    }
    if enabled:
        enable(ctx, "wa", colleagues_can_read=colleagues_can_read)
        enable(ctx, "wb")
    return World(
        code="wa",
        unit_a=unit_a,
        unit_b=unit_b,
        people=people,
        actors=actors,
        other_code="wb",
        other_person=other_person,
    )


def locality_id(ctx: AppContext, code: str) -> int:
    with ctx.db.read() as session:
        return session.exec(select(Locality.id).where(Locality.code == code)).one()


def token(ctx: AppContext, actor: Actor) -> str:
    """A bearer token of ``actor``'s user, for API tests."""
    from datetime import timedelta

    with ctx.db.read() as session:
        user = session.get(User, actor.user_id)
    return auth.issue_token(ctx, user, kind="api", ttl=timedelta(hours=1)).token
