"""A plain-Python reference of the weighted_mean formulas (issue 4, item 3), over raw ballots,
and a fast writer of such a scenario straight into the database (for the property test and
bench/tally.py). Independent of plugins/ on purpose."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import column, insert, text
from sqlalchemy import table as sa_table

from core.models import (
    Ballot,
    BallotPosition,
    Campaign,
    CampaignCategory,
    CampaignSubject,
    Indicator,
    IndicatorTemplate,
    IndicatorValue,
    Locality,
    Subject,
)
from core.models.base import utcnow


@dataclass
class Node:
    id: int
    code: str
    kind: str = "graded"
    weight: float = 1.0
    max_score: float | None = None
    children: list[Node] = field(default_factory=list)


@dataclass
class Template:
    id: int
    grades: list[float]  # hidden scores, best first
    nodes: list[Node]  # top level


@dataclass
class Scenario:
    templates: list[Template]
    categories: list[tuple[int, float, int]]  # (id, weight, template id)
    subjects: list[int]
    ballots: list[tuple[int, bool, dict[tuple[int, int], int]]]  # (category id, valid, {(subject, leaf): grade})
    values: dict[tuple[int, int, str], float] = field(default_factory=dict)  # (subject, template, code) -> value
    period: str = "2026"


def walk(nodes: list[Node]):
    for node in nodes:
        yield node
        yield from walk(node.children)


def leaf_weights(nodes: list[Node], factor: float = 1.0) -> dict[int, float]:
    graded = [n for n in nodes if n.kind == "graded"]
    total = sum(n.weight for n in graded)
    out: dict[int, float] = {}
    for node in graded:
        share = factor * (node.weight / total if total else 0.0)
        if node.children:
            out.update(leaf_weights(node.children, share))
        else:
            out[node.id] = share
    return out


def reference(s: Scenario) -> dict[int, dict]:
    """subject id -> {score, veto, ballots: {category id: n}, category: {category id: score}}."""
    templates = {t.id: t for t in s.templates}
    weights = {t.id: leaf_weights(t.nodes) for t in s.templates}
    sums: dict[tuple[int, int], list[float]] = {}
    for category_id, valid, items in s.ballots:
        if not valid:
            continue
        template_id = next(t for c, _w, t in s.categories if c == category_id)
        per_subject: dict[int, float] = {}
        for (subject_id, leaf), grade in items.items():
            per_subject[subject_id] = per_subject.get(subject_id, 0.0) + (
                weights[template_id][leaf] * templates[template_id].grades[grade]
            )
        for subject_id, score in per_subject.items():
            sums.setdefault((category_id, subject_id), []).append(score)
    out = {}
    for subject_id in s.subjects:
        numerator = denominator = 0.0
        cats, counts = {}, {}
        for category_id, weight, _t in s.categories:
            scores = sums.get((category_id, subject_id))
            if not scores:
                continue
            mean = sum(scores) / len(scores)
            cats[category_id], counts[category_id] = mean, len(scores)
            numerator += weight * mean
            denominator += weight
        score = numerator / denominator if denominator else None
        veto = False
        for template_id in dict.fromkeys(t for _c, _w, t in s.categories):
            for node in walk(templates[template_id].nodes):
                value = s.values.get((subject_id, template_id, node.code))
                if value is None:
                    continue
                if node.kind == "veto":
                    veto = veto or value != 0
                elif node.kind in ("bonus", "deduction") and score is not None:
                    capped = min(value, node.max_score)
                    score += capped if node.kind == "bonus" else -capped
        out[subject_id] = {"score": score, "veto": veto, "ballots": counts, "category": cats}
    return out


def write(
    connection,
    s: Scenario,
    *,
    locality_id: int = 1,
    campaign_id: int = 1,
    batch: int = 50_000,
    items_table: bool = False,
) -> None:
    """Insert the scenario as a closed campaign, with explicit ids, in bulk: each ballot's grades
    packed by its category's item order (``core.services.ballot_grades``), or with
    ``items_table`` one ``ballot_items`` row per item, as stored before migration 0021 (then only
    the columns named here are written: the models may have more than that schema)."""

    def put(table, rows) -> None:
        if items_table:
            table = sa_table(table.name, *(column(key, table.c[key].type) for key in rows[0]))
        connection.execute(insert(table), rows)

    now = utcnow()
    put(
        Locality.__table__,
        [
            {
                "id": locality_id,
                "code": f"ref{locality_id}",
                "name": "参照",
                "plugin_config_version": 0,
                "created_at": now,
            }
        ],
    )
    for t in s.templates:
        put(
            IndicatorTemplate.__table__,
            [
                {
                    "id": t.id,
                    "locality_id": locality_id,
                    "name": f"t{t.id}",
                    "version": 1,
                    "status": "frozen",
                    "grade_scale": [{"label": f"G{i}", "score": g} for i, g in enumerate(t.grades)],
                    "created_at": now,
                }
            ],
        )
        rows = []

        def add(nodes, parent, t=t, rows=rows):
            for position, n in enumerate(nodes):
                rows.append(
                    {
                        "id": n.id,
                        "locality_id": locality_id,
                        "template_id": t.id,
                        "parent_id": parent,
                        "position": position,
                        "code": n.code,
                        "name": n.code,
                        "kind": n.kind,
                        "weight": n.weight,
                        "max_score": n.max_score,
                        "overall": False,
                        "standard": "",
                        "basis": "",
                        "data_source": "",
                        "responsible": "",
                        "unit_of_measure": "",
                    }
                )
                add(n.children, n.id, t, rows)

        add(t.nodes, None)
        put(Indicator.__table__, rows)
    put(
        Campaign.__table__,
        [
            {
                "id": campaign_id,
                "locality_id": locality_id,
                "name": "参照",
                "kind": "democratic",
                "status": "closed",
                "period": s.period,
                "scoring": {"rule": "weighted_mean", "options": {"thresholds": []}},
                "distribution": [],
                "tally": {},
                "created_at": now,
            }
        ],
    )
    put(
        CampaignCategory.__table__,
        [
            {
                "id": c,
                "locality_id": locality_id,
                "campaign_id": campaign_id,
                "position": i,
                "name": f"c{c}",
                "weight": w,
                "template_id": t,
                "subject_categories": [],
            }
            for i, (c, w, t) in enumerate(s.categories)
        ],
    )
    put(
        Subject.__table__,
        [
            {
                "id": sid,
                "locality_id": locality_id,
                "name": f"s{sid}",
                "kind": "person",
                "ref_id": sid,
                "category": "班子成员",
                "created_at": now,
            }
            for sid in s.subjects
        ],
    )
    put(
        CampaignSubject.__table__,
        [{"campaign_id": campaign_id, "subject_id": sid, "locality_id": locality_id} for sid in s.subjects],
    )
    ballots, items = [], []
    # The frozen item order of each category: every (subject, leaf) its ballots rate, sorted.
    orders = {
        c: sorted({item for category_id, _v, grades in s.ballots if category_id == c for item in grades})
        for c, _w, _t in s.categories
    }
    if not items_table:
        positions = [
            {
                "campaign_id": campaign_id,
                "category_id": c,
                "position": p,
                "locality_id": locality_id,
                "subject_id": sid,
                "indicator_id": leaf,
            }
            for c, order in orders.items()
            for p, (sid, leaf) in enumerate(order)
        ]
        if positions:
            put(BallotPosition.__table__, positions)
    index = {c: {item: p for p, item in enumerate(order)} for c, order in orders.items()}

    def flush():
        if ballots:
            put(Ballot.__table__, ballots)
        if items:
            connection.execute(
                text(
                    "INSERT INTO ballot_items (ballot_id, subject_id, indicator_id, campaign_id, grade) "
                    "VALUES (:ballot_id, :subject_id, :indicator_id, :campaign_id, :grade)"
                ),
                items,
            )
        ballots.clear()
        items.clear()

    pending = 0  # items in the ballots not written yet
    for category_id, valid, grades in s.ballots:
        ballot_id = uuid.uuid4().hex
        ballot = {
            "id": ballot_id,
            "locality_id": locality_id,
            "campaign_id": campaign_id,
            "category_id": category_id,
            "valid": valid,
            "reason": "",
            "comment": "",
        }
        if items_table:
            items.extend(
                {
                    "ballot_id": ballot_id,
                    "subject_id": sid,
                    "indicator_id": leaf,
                    "campaign_id": campaign_id,
                    "grade": g,
                }
                for (sid, leaf), g in grades.items()
            )
        else:
            packed = bytearray(len(orders[category_id]))
            for item, g in grades.items():
                packed[index[category_id][item]] = g + 1
            ballot["grades"] = bytes(packed)
        ballots.append(ballot)
        pending += len(grades)
        if pending >= batch:
            flush()
            pending = 0
    flush()
    if s.values:
        put(
            IndicatorValue.__table__,
            [
                {
                    "locality_id": locality_id,
                    "subject_id": sid,
                    "template_id": tid,
                    "indicator_code": code,
                    "period": s.period,
                    "value": v,
                    "source": "ref",
                    "updated_at": now,
                }
                for (sid, tid, code), v in s.values.items()
            ],
        )


def stored_items(connection, campaign_id: int | None = None) -> list[tuple[str, int, int, int, int, int]]:
    """``(ballot id, campaign id, category id, subject id, indicator id, grade index)`` of every
    item of the stored ballots (of ``campaign_id``), unpacked from their grades."""
    from core.services.ballot_grades import Layout, load_layouts, unpack

    sql = "SELECT id, campaign_id, category_id, grades FROM ballots"
    rows = connection.execute(
        text(sql + (" WHERE campaign_id = :c" if campaign_id is not None else "")), {"c": campaign_id}
    ).all()
    layouts = {c: load_layouts(connection, c) for c in {row.campaign_id for row in rows}}
    return [
        (row.id, row.campaign_id, row.category_id, s, i, g)
        for row in rows
        for s, i, g in unpack(layouts[row.campaign_id].get(row.category_id, Layout(row.category_id, ())), row.grades)
    ]
