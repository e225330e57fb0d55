"""The units tree a page at a time (core.services.unit_tree): depth first by code, below one
unit, a word in the name or code, pages of the same order, and nothing of another locality."""

from __future__ import annotations

from sqlmodel import select

from core.models import Locality, Unit
from core.schemas.org import UnitIn
from core.services import org, unit_tree
from tests.core.people_setup import SYSTEM, make_org, office


def _names(found) -> list[tuple[str, int]]:
    return [(u.name, u.depth) for u in found.items]


def test_the_whole_tree_depth_first_by_code_with_children_counted(ctx):
    o = make_org(ctx)  # root (县委组织部) > child (干部科) > grand (干部一股); sib (县财政局)
    make_org(ctx, "pb", serial=10)  # another locality, same codes
    # a code that sorts between the root and its child by plain text ("root-2" < "root/child")
    org.create_unit(ctx, SYSTEM, o.code, UnitIn(code="root-2", name="县委组织部二"))
    actor = office(ctx, o.code)

    found = unit_tree.search_units(ctx, actor, o.code)

    assert _names(found) == [
        ("县委组织部", 0),
        ("干部科", 1),
        ("干部一股", 2),
        ("县委组织部二", 0),
        ("县财政局", 0),
    ]
    assert found.total == 5 and found.parent is None
    assert [u.children for u in found.items] == [1, 1, 0, 0, 0]
    assert found.items[2].above == ["县委组织部", "干部科"]


def test_below_one_unit_a_word_and_pages(ctx):
    o = make_org(ctx)
    actor = office(ctx, o.code)

    below = unit_tree.search_units(ctx, actor, o.code, parent_id=o.root)
    assert _names(below) == [("干部科", 0), ("干部一股", 1)]
    assert below.parent == (o.root, "县委组织部", "root") and below.trail == [(o.root, "县委组织部")]
    deeper = unit_tree.search_units(ctx, actor, o.code, parent_id=o.child)
    assert deeper.trail == [(o.root, "县委组织部"), (o.child, "干部科")]

    assert _names(unit_tree.search_units(ctx, actor, o.code, q="干部")) == [("干部科", 1), ("干部一股", 2)]
    assert _names(unit_tree.search_units(ctx, actor, o.code, q="GRAND")) == [("干部一股", 2)]  # a code, any case
    assert _names(unit_tree.search_units(ctx, actor, o.code, q="科", parent_id=o.root)) == [("干部科", 0)]
    assert unit_tree.search_units(ctx, actor, o.code, q="100%").total == 0  # % is a character, not a wildcard

    first = unit_tree.search_units(ctx, actor, o.code, limit=3)
    second = unit_tree.search_units(ctx, actor, o.code, limit=3, offset=3)
    assert _names(first) + _names(second) == _names(unit_tree.search_units(ctx, actor, o.code))
    assert first.total == second.total == 4 and second.offset == 3
    past = unit_tree.search_units(ctx, actor, o.code, limit=3, offset=300)
    assert past.offset == 3 and _names(past) == _names(second)  # past the end: the last page


def test_another_localitys_unit_is_no_parent_and_codes_are_found_in_the_own_locality(ctx):
    o = make_org(ctx)
    other = make_org(ctx, "pb", serial=10)
    actor = office(ctx, o.code)
    found = unit_tree.search_units(ctx, actor, o.code, parent_id=other.root)
    assert found.items == [] and found.parent is None and found.total == 0
    assert unit_tree.unit_id_by_code(ctx, actor, o.code, "root") == o.root
    assert unit_tree.unit_id_by_code(ctx, actor, o.code, "nothing") is None
    assert unit_tree.count_units(ctx, actor, o.code) == 4


def test_a_page_of_thousands_of_units(ctx):
    o = make_org(ctx)
    actor = office(ctx, o.code)
    with ctx.db.write() as session:
        locality = session.exec(select(Locality.id).where(Locality.code == o.code)).one()
        session.add_all(
            Unit(locality_id=locality, code=f"x{i:04d}", name=f"乡镇{i:04d}", parent_id=o.sibling) for i in range(2000)
        )
    page = unit_tree.search_units(ctx, actor, o.code, parent_id=o.sibling, offset=1900)
    assert page.total == 2000 and len(page.items) == 100 and page.items[0].name == "乡镇1900"
    assert unit_tree.search_units(ctx, actor, o.code, q="乡镇1999").items[0].above == ["县财政局"]
