"""The goals' arithmetic without a database: percentages (capped, lower is better), the weighted
roll-up, statuses (done, overdue, behind, on track)."""

from __future__ import annotations

from datetime import date

import pytest

from plugins.goals.calc import Node, percent_of, rollup, status
from plugins.goals.models import GoalStatus

START, END = date(2026, 1, 1), date(2026, 12, 31)


@pytest.mark.parametrize(
    ("actual", "baseline", "target", "expected"),
    [
        (15, 10, 20, 50.0),  # half way
        (25, 10, 20, 100.0),  # beyond the target: capped
        (5, 10, 20, 0.0),  # below the baseline: capped
        (7, 10, 5, 60.0),  # lower is better: the target below the baseline
        (4, 10, 5, 100.0),
        (12, 10, 5, 0.0),
        (1, 0, 3, 33.33),
    ],
)
def test_the_percentage_of_a_quantitative_goal(actual, baseline, target, expected):
    assert percent_of(actual, baseline, target) == expected


def test_a_target_equal_to_the_baseline_has_no_percentage():
    with pytest.raises(ValueError):
        percent_of(5, 5, 5)


def test_statuses_on_a_day():
    mid = date(2026, 7, 1)  # about half the year gone
    assert status(100, True, START, END, date(2027, 3, 1)) is GoalStatus.done  # done beats overdue
    assert status(99, False, START, END, date(2027, 1, 1)) is GoalStatus.overdue
    assert status(30, False, START, END, mid) is GoalStatus.behind
    assert status(60, False, START, END, mid) is GoalStatus.on_track
    assert status(0, False, START, END, date(2025, 12, 1)) is GoalStatus.on_track  # not begun


def test_parents_roll_up_by_child_weight_at_any_depth():
    leaf_a = Node(1, weight=3, start=START, end=END, percent=100, done=True)
    leaf_b = Node(2, weight=1, start=START, end=END, percent=20)
    middle = Node(3, weight=1, start=START, end=END, children=[leaf_a, leaf_b])
    other = Node(4, weight=1, start=START, end=END, percent=0, done=False)
    percent, done = rollup([middle, other], date(2026, 2, 1))
    assert middle.percent == 80.0  # (100*3 + 20*1) / 4, not the plain mean 60
    assert percent == 40.0 and not done
    assert leaf_a.status is GoalStatus.done and middle.status is GoalStatus.on_track
    assert other.status is GoalStatus.behind  # a month gone, nothing done


def test_a_parent_is_done_when_all_its_children_are():
    children = [Node(i, weight=1, start=START, end=END, percent=100, done=True) for i in (1, 2)]
    parent = Node(3, weight=1, start=START, end=END, children=children)
    assert rollup([parent], date(2027, 2, 1)) == (100.0, True)
    assert parent.status is GoalStatus.done


def test_a_deep_tree_rolls_up_without_recursion():
    node = Node(0, weight=1, start=START, end=END, percent=50)
    for i in range(1, 5000):
        node = Node(i, weight=1, start=START, end=END, children=[node])
    assert rollup([node], date(2026, 6, 1))[0] == 50.0
