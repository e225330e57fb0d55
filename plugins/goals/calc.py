"""The goals' arithmetic, free of the database: a quantitative goal's percentage, the weighted
roll-up of a tree, and a goal's status on a day.

- ``percent_of``: % = (actual − baseline) / (target − baseline) × 100, capped to 0–100. A goal
  where lower is better has its target below its baseline, so the same formula reads it the
  right way round (baseline 10, target 5, actual 7: 60 %).
- ``rollup``: a goal with sub-goals has the mean of its children's percentages weighted by their
  ``weight``; a leaf has its latest report's (0 without one). A parent is done when all its
  children are.
- ``status``: ``done`` when done; ``overdue`` when ``today`` is after its end and it is not done;
  ``behind`` when its percentage is below the share of its span elapsed; ``on_track`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from plugins.goals.models import GoalStatus


def percent_of(actual: float, baseline: float, target: float) -> float:
    """The percentage (0–100) a quantitative goal reached; ``target != baseline`` (checked when
    the goal is saved: ``ValueError`` otherwise)."""
    if target == baseline:
        raise ValueError("target equals baseline")
    raw = (actual - baseline) / (target - baseline) * 100.0
    return round(min(100.0, max(0.0, raw)), 2)


def elapsed_percent(start: date, end: date, today: date) -> float:
    """How much of ``start``–``end`` (both days included) has passed by the end of ``today``."""
    if today < start:
        return 0.0
    if today >= end:
        return 100.0
    return ((today - start).days + 1) / ((end - start).days + 1) * 100.0


def status(percent: float, done: bool, start: date, end: date, today: date) -> GoalStatus:
    if done:
        return GoalStatus.done
    if today > end:
        return GoalStatus.overdue
    if percent + 1e-9 < elapsed_percent(start, end, today):
        return GoalStatus.behind
    return GoalStatus.on_track


@dataclass(slots=True)
class Node:
    """A goal in a roll-up: its own report (``percent``, ``done``) and its children."""

    id: int
    weight: float
    start: date
    end: date
    percent: float = 0.0
    done: bool = False
    children: list[Node] = field(default_factory=list)
    status: GoalStatus = GoalStatus.on_track


def rollup(roots: list[Node], today: date, *, every_status: bool = True) -> tuple[float, bool]:
    """Fill every node's ``percent``, ``done`` and ``status`` from its children (post-order,
    without recursion: trees may be deep); answer the roots' weighted percentage and whether all
    are done. ``every_status`` False: the roots' statuses only (the others stay ``on_track``).

    Percentages are rounded to 2 places only once all are rolled up (a parent takes its
    children's exact values), so the county view, which rolls up in SQL, gives the same figures."""
    stack: list[tuple[Node, bool]] = [(root, False) for root in roots]
    seen: list[Node] = []
    while stack:
        node, visited = stack.pop()
        if node.children and not visited:
            stack.append((node, True))
            stack.extend((child, False) for child in node.children)
            continue
        if node.children:
            node.percent, node.done = exact(node.children)
        seen.append(node)
    total, done = exact(roots)
    for node in seen if every_status else roots:
        node.percent = round(node.percent, 2)
        node.status = status(node.percent, node.done, node.start, node.end, today)
    return round(total, 2), done


def exact(nodes: list[Node]) -> tuple[float, bool]:
    """The weighted mean percentage of ``nodes`` (0 for none), unrounded, and whether all are done."""
    total = sum(n.weight for n in nodes)
    if not nodes or total <= 0:
        return 0.0, bool(nodes) and all(n.done for n in nodes)
    return sum(n.percent * n.weight for n in nodes) / total, all(n.done for n in nodes)


def weighted(nodes: list[Node]) -> tuple[float, bool]:
    """The weighted mean percentage of ``nodes`` (0 for none), rounded to 2 places, and whether
    all are done."""
    percent, done = exact(nodes)
    return round(percent, 2), done
