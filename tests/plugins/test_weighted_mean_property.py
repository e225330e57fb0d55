"""Property: for random templates, categories and ballots, the stored tally equals the
plain-Python reference of the formulas (tests/tally_reference.py), on both databases."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from core.context import Actor
from core.models import CampaignResult
from core.services import tally
from tests.conftest import truncate_all
from tests.tally_reference import Node, Scenario, Template, reference, write

weights = st.one_of(st.integers(0, 10).map(float), st.floats(0.01, 100, allow_nan=False))


@st.composite
def scenarios(draw) -> Scenario:
    ids = itertools.count(1)
    templates = []
    for t in range(draw(st.integers(1, 2))):
        template_id = t + 1

        def tree(depth: int) -> list[Node]:
            nodes = []
            for _ in range(draw(st.integers(1, 3))):
                node_id = next(ids)
                node = Node(id=node_id, code=f"I{node_id}", weight=draw(weights))
                if depth < draw(st.integers(1, 3)):
                    node.children = tree(depth + 1)
                nodes.append(node)
            return nodes

        nodes = tree(1)
        for kind in ("bonus", "deduction", "veto"):
            node_id = next(ids)
            nodes.append(
                Node(
                    id=node_id,
                    code=f"{kind}{node_id}",
                    kind=kind,
                    max_score=draw(st.floats(0, 10)) if kind != "veto" else None,
                )
            )
        grades = sorted(draw(st.lists(st.floats(0, 100), min_size=2, max_size=5)), reverse=True)
        templates.append(Template(id=template_id, grades=grades, nodes=nodes))
    categories = [
        (c + 1, draw(st.floats(0.1, 100)), draw(st.sampled_from(templates)).id) for c in range(draw(st.integers(1, 3)))
    ]
    subjects = list(range(1, draw(st.integers(1, 4)) + 1))
    by_id = {t.id: t for t in templates}
    ballots = []
    for category_id, _weight, template_id in categories:
        template = by_id[template_id]
        leaves = [n.id for n in _walk(template.nodes) if n.kind == "graded" and not n.children]
        for _ in range(draw(st.integers(0, 4))):
            rated = draw(st.lists(st.sampled_from(subjects), min_size=1, unique=True))
            grades = {(s, leaf): draw(st.integers(0, len(template.grades) - 1)) for s in rated for leaf in leaves}
            ballots.append((category_id, draw(st.booleans()), grades))
    values = {}
    for template in templates:
        for node in template.nodes:
            if node.kind != "graded":
                for s in subjects:
                    if draw(st.booleans()):
                        values[(s, template.id, node.code)] = draw(st.sampled_from([0.0, 1.0, 3.5, 20.0]))
    return Scenario(templates=templates, categories=categories, subjects=subjects, ballots=ballots, values=values)


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios())
def test_stored_results_equal_the_reference(ctx, scenario):
    truncate_all(ctx.db)
    with ctx.db.engine.begin() as connection:
        write(connection, scenario)
    tally.tally(ctx, Actor.system("test"), 1)
    expected = reference(scenario)
    with ctx.db.read() as session:
        stored = {r.subject_id: r for r in session.exec(select(CampaignResult).where(CampaignResult.campaign_id == 1))}
    assert set(stored) == set(expected)
    for subject_id, want in expected.items():
        got = stored[subject_id]
        if want["score"] is None:
            assert got.score is None
        else:
            assert abs(got.score - want["score"]) <= 1e-9, (subject_id, got.score, want["score"])
        assert ("veto" in got.flags) == want["veto"]
        assert {int(name[1:]): v["ballots"] for name, v in got.by_category.items()} == want["ballots"]
        for category_id, score in want["category"].items():
            assert abs(got.by_category[f"c{category_id}"]["score"] - score) <= 1e-9
