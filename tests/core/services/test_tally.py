"""The tally through real votes and the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import bindparam, text

from tests.conftest import truncate_all
from tests.plugins.test_weighted_mean_property import scenarios
from tests.tally_reference import stored_items, write

LEAVES = ("DE1", "DE2", "JI1", "ALL")


def vote(world, code: str, grades: dict[int, str]) -> None:
    with world.client() as client:
        login = client.post("/api/ballot/login", json={"code": code})
        assert login.status_code == 200, login.text
    with world.client(login.json()["token"]) as voter:
        items = [{"subject_id": s, "indicator": leaf, "grade": g} for s, g in grades.items() for leaf in LEAVES]
        response = voter.post("/api/ballot/submit", json={"items": items})
        assert response.status_code == 200, response.text


def scores(body: dict) -> dict[int, tuple]:
    return {s["subject_id"]: (pytest.approx(s["score"]), s["rank"]) for s in body["subjects"]}


def test_tally_aggregates_valid_ballots_only_and_is_repeatable(world, setup):
    s0, s1, s2 = setup.subject_ids
    leaders = setup.issue("县领导", 2)
    [base] = setup.issue("基层代表", 1)
    setup.open()
    vote(world, leaders[0]["code"], {s0: "优秀", s1: "优秀", s2: "优秀"})
    vote(world, leaders[1]["code"], {s0: "称职", s1: "称职", s2: "称职"})
    vote(world, base["code"], {s0: "优秀", s1: "不称职", s2: "不称职"})
    url = f"/api/campaigns/{setup.campaign_id}"
    assert setup.api.post(f"{url}/tally").status_code == 409  # still open
    assert setup.api.get(f"{url}/results").status_code == 409
    setup.close()
    with world.ctx.db.engine.begin() as connection:
        locality_id = connection.execute(
            text("SELECT locality_id FROM campaigns WHERE id = :c"), {"c": setup.campaign_id}
        ).scalar()
        connection.execute(
            text(
                "INSERT INTO indicator_values (locality_id, subject_id, template_id, indicator_code, period, value, source, "
                "updated_at) VALUES (:l, :s, :t, 'BONUS', '', 9, 'test', CURRENT_TIMESTAMP)"
            ),
            {"l": locality_id, "s": s2, "t": setup.template_id},
        )
        connection.execute(text("UPDATE subjects SET name = '=HYPERLINK(1)' WHERE id = :s"), {"s": s1})

    first = setup.api.post(f"{url}/tally")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["rule"] == "weighted_mean" and body["policies"] == []
    # every ballot grades all leaves alike, so its score is that grade's hidden score;
    # 县领导 mean 87.5 (weight 40), 基层代表 95 or 50 (weight 60)
    assert scores(body) == {s0: (92, 1), s1: (65, 3), s2: (65 + 5, 2)}  # s2: bonus 9 capped at 5
    subject = next(s for s in body["subjects"] if s["subject_id"] == s0)
    assert subject["by_category"] == {
        "县领导": {"score": pytest.approx(87.5), "ballots": 2},
        "基层代表": {"score": pytest.approx(95), "ballots": 1},
    }
    assert subject["by_indicator"]["ALL"]["distribution"] == {"优秀": 2, "称职": 1, "基本称职": 0, "不称职": 0}
    assert subject["grade"] is None and subject["flags"] == [] and subject["category"] == "综合管理部门"
    again = setup.api.post(f"{url}/tally").json()
    assert again["subjects"] == body["subjects"]
    assert setup.api.get(f"{url}/results").json()["subjects"] == body["subjects"]

    # an invalid ballot (e.g. over a cap) does not count
    with world.ctx.db.engine.begin() as connection:
        names = dict(connection.execute(text("SELECT id, name FROM campaign_categories")).all())
        best = sorted({b for b, _c, cat, _s, _i, g in stored_items(connection) if names[cat] == "县领导" and g == 0})
        assert len(best) == 1
        connection.execute(
            text("UPDATE ballots SET valid = :f WHERE id IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"f": False, "ids": best},
        )
    third = setup.api.post(f"{url}/tally").json()
    assert scores(third) == {s0: (89, 1), s1: (62, 3), s2: (67, 2)}
    assert next(s for s in third["subjects"] if s["subject_id"] == s0)["by_category"]["县领导"]["ballots"] == 1

    sheet = setup.api.get(f"{url}/results.xlsx")
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Subject ID", "Subject", "Subject category", "Place", "Score")  # no Accept-Language: English
    names = {row[0]: row[1] for row in rows[1:]}
    assert names[s1] == "=HYPERLINK(1)" and len(rows) == 4  # exactly, as a text cell


def test_rules_must_be_enabled_for_the_locality(world, setup):
    url = f"/api/campaigns/{setup.campaign_id}"
    refused = setup.api.patch(url, json={"scoring": {"rule": "trimmed_mean", "options": {"trim_ratio": 0.2}}})
    assert refused.status_code == 422, refused.text
    assert setup.api.patch(url, json={"scoring": {"rule": "weighted_mean", "options": {"x": 1}}}).status_code == 422
    enabled = setup.api.put("/api/localities/county-a/plugins/rules", json={"enabled": True})
    assert enabled.status_code == 200, enabled.text
    changed = setup.api.patch(url, json={"scoring": {"rule": "trimmed_mean", "options": {"trim_ratio": 0.2}}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["scoring"]["rule"] == "trimmed_mean"
    # the default rule when none is named
    created = setup.api.post("/api/localities/county-a/campaigns", json={"name": "默认"})
    assert created.status_code == 201 and created.json()["scoring"] == {
        "rule": "weighted_mean",
        "options": {"thresholds": []},
    }


def test_trimmed_mean_uses_single_ballot_scores_in_sql(world, setup):
    s0, s1, s2 = setup.subject_ids
    assert setup.api.put("/api/localities/county-a/plugins/rules", json={"enabled": True}).status_code == 200
    url = f"/api/campaigns/{setup.campaign_id}"
    assert (
        setup.api.patch(
            url,
            json={
                "scoring": {
                    "rule": "trimmed_mean",
                    "options": {
                        "trim_ratio": 0.34,
                        "thresholds": [{"grade": "优秀", "min_score": 90}, {"grade": "称职", "min_score": 70}],
                    },
                }
            },
        ).status_code
        == 200
    )
    leaders = setup.issue("县领导", 3)
    setup.issue("基层代表", 1)
    setup.open()
    for account, grade in zip(leaders, ("优秀", "称职", "不称职")):
        vote(world, account["code"], {s0: grade, s1: "优秀", s2: "基本称职"})
    setup.close()
    body = setup.api.post(f"{url}/tally").json()
    # floor(3 x 0.34) = 1 dropped at each end: s0 keeps 80; only 县领导 voted
    assert scores(body) == {s1: (95, 1), s0: (80, 2), s2: (65, 3)}
    assert {s["subject_id"]: s["proposed_grade"] for s in body["subjects"]} == {s1: "优秀", s0: "称职", s2: None}
    assert body["options"]["trim_ratio"] == 0.34


def test_indicator_values_of_the_campaigns_period_count(world, setup):
    """Bonus and deduction values entered through the API count for the campaign's period only."""
    s0, s1, s2 = setup.subject_ids
    url = f"/api/campaigns/{setup.campaign_id}"
    assert setup.api.patch(url, json={"period": "2026"}).json()["period"] == "2026"
    leaders = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    vote(world, leaders[0]["code"], {s0: "称职", s1: "称职", s2: "称职"})
    setup.close()
    values = [
        {"subject_id": s0, "template_id": setup.template_id, "indicator_code": "BONUS", "period": "2026", "value": 3},
        {"subject_id": s1, "template_id": setup.template_id, "indicator_code": "BONUS", "period": "2025", "value": 3},
    ]
    written = setup.api.put("/api/localities/county-a/indicator-values", json=values)
    assert written.status_code == 200, written.text
    body = setup.api.post(f"{url}/tally").json()
    assert scores(body) == {s0: (83, 1), s1: (80, 2), s2: (80, 2)}


def test_values_count_for_the_campaigns_period_however_either_was_typed(world, setup):
    """The campaign's period and the values' are the same period written differently: they match.
    A value of another kind of period is refused when it is entered, not left out of the tally."""
    s0, s1, s2 = setup.subject_ids
    url = f"/api/campaigns/{setup.campaign_id}"
    assert setup.api.patch(url, json={"period": "2026年度"}).json()["period"] == "2026"
    leaders = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    vote(world, leaders[0]["code"], {s0: "称职", s1: "称职", s2: "称职"})
    setup.close()
    values = "/api/localities/county-a/indicator-values"
    row = {"template_id": setup.template_id, "indicator_code": "BONUS"}
    written = setup.api.put(
        values,
        json=[
            {**row, "subject_id": s0, "period": "２０２６年", "value": 3},
            {**row, "subject_id": s1, "period": 2026, "value": 1},
        ],
    )
    assert written.status_code == 200, written.text
    refused = setup.api.put(values, json=[{**row, "subject_id": s2, "period": "2026年11月", "value": 5}])
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "[0].period"
    assert "(their periods: 2026)" in refused.json()["errors"][0]["message"]
    body = setup.api.post(f"{url}/tally").json()
    assert scores(body) == {s0: (83, 1), s1: (81, 2), s2: (80, 3)}


# --- the SQL aggregation against plain Python, on random ballots ------------------------------

_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@contextmanager
def _tally_data(ctx, scenario):
    from core.models import Campaign
    from core.services.tally import tally_data

    truncate_all(ctx.db)
    with ctx.db.engine.begin() as connection:
        write(connection, scenario)
    with ctx.db.read() as session:
        yield tally_data(session, session.get(Campaign, 1))


def _expected_counts(scenario) -> dict[tuple[int, int, int], list[int]]:
    sizes = {t.id: len(t.grades) for t in scenario.templates}
    template_of = {c: t for c, _w, t in scenario.categories}
    counts: dict[tuple[int, int, int], list[int]] = {}
    for category_id, valid, grades in scenario.ballots:
        if valid:
            for (subject_id, leaf), grade in grades.items():
                counts.setdefault((category_id, subject_id, leaf), [0] * sizes[template_of[category_id]])[grade] += 1
    return counts


@_SETTINGS
@given(scenario=scenarios(), chunk=st.sampled_from([1, 2, 3, 4096]))
def test_counts_equal_plain_python(ctx, monkeypatch, scenario, chunk):
    """The counting pass over the packed grades counts exactly what Python counts, however the
    ballots fall into the chunks it reads (a chunk mixes categories, and ballots of one)."""
    from core.services import ballot_grades

    monkeypatch.setattr(ballot_grades, "READ_CHUNK", chunk)
    with _tally_data(ctx, scenario) as data:
        assert data.counts == _expected_counts(scenario)


@_SETTINGS
@given(scenario=scenarios(), data=st.data(), chunk=st.sampled_from([1, 3, 4096]))
def test_ballot_scores_equal_plain_python(ctx, monkeypatch, scenario, data, chunk):
    from core.services import ballot_grades

    monkeypatch.setattr(ballot_grades, "READ_CHUNK", chunk)
    with _tally_data(ctx, scenario) as tally:
        for category_id, _weight, template_id in scenario.categories:
            template = next(t for t in scenario.templates if t.id == template_id)
            leaves = sorted({leaf for c, _v, grades in scenario.ballots if c == category_id for _s, leaf in grades})
            contrib = {
                leaf: {g: data.draw(st.floats(-100, 100)) for g in range(len(template.grades))} for leaf in leaves
            }
            expected: dict[int, list[float]] = {}
            for c, valid, grades in scenario.ballots:
                if c != category_id or not valid:
                    continue
                per_subject: dict[int, float] = {}
                for (subject_id, leaf), grade in sorted(grades.items()):
                    per_subject[subject_id] = per_subject.get(subject_id, 0.0) + contrib[leaf][grade]
                for subject_id, score in per_subject.items():
                    expected.setdefault(subject_id, []).append(score)
            got = tally.ballot_scores(category_id, contrib)
            assert set(got) == set(expected)
            for subject_id, scores_ in expected.items():
                assert sorted(got[subject_id]) == pytest.approx(sorted(scores_), abs=1e-9)
