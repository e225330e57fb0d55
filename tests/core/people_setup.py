"""A small organisation for people's-accounts tests: locality ``pa`` (and ``pb``), units
root > child > grandchild plus a sibling, people with ID-card numbers, one team member."""

from __future__ import annotations

from dataclasses import dataclass

from core.context import Actor, AppContext
from core.schemas.localities import LocalityIn
from core.schemas.org import PersonIn, TeamIn, TeamMemberIn, UnitIn
from core.services import localities, org

SYSTEM = Actor.system("test")
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_card(serial: int) -> str:
    """A valid 18-character ID-card number (GB 11643 check character)."""
    body = f"11010119800101{serial:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


@dataclass
class Org:
    code: str
    root: int
    child: int
    grandchild: int
    sibling: int
    people: dict[str, int]  # name -> person id
    cards: dict[str, str]  # name -> ID-card number


def make_org(ctx: AppContext, code: str = "pa", serial: int = 0) -> Org:
    localities.create(ctx, SYSTEM, LocalityIn(code=code, name=f"Locality {code}"))
    root = org.create_unit(ctx, SYSTEM, code, UnitIn(code="root", name="县委组织部")).id
    child = org.create_unit(ctx, SYSTEM, code, UnitIn(code="child", name="干部科", parent_id=root)).id
    grand = org.create_unit(ctx, SYSTEM, code, UnitIn(code="grand", name="干部一股", parent_id=child)).id
    sibling = org.create_unit(ctx, SYSTEM, code, UnitIn(code="sib", name="县财政局")).id
    people, cards = {}, {}
    for i, (name, unit) in enumerate([("张三", root), ("李四", child), ("王五", grand), ("赵六", sibling)]):
        cards[name] = id_card(serial + i + 1)
        people[name] = org.create_person(ctx, SYSTEM, code, PersonIn(name=name, unit_id=unit, id_card=cards[name])).id
    org.create_team(
        ctx,
        SYSTEM,
        code,
        TeamIn(unit_id=root, name="领导班子", members=[TeamMemberIn(person_id=people["张三"], post="部长")]),
    )
    return Org(code=code, root=root, child=child, grandchild=grand, sibling=sibling, people=people, cards=cards)


def office(ctx: AppContext, code: str) -> Actor:
    """A new office user of locality ``code``, as an actor."""
    from core.services import auth
    from tests.conftest import TEST_PASSWORD

    user = auth.create_user(
        ctx, SYSTEM, username=f"office-{code}", password=TEST_PASSWORD, role="office", locality_code=code
    )
    return auth.actor_of(user)
