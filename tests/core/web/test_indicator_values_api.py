"""Indicator values over HTTP: all rows checked before any is written, upserts replace on the
natural key, one audit entry per write, and localities stay apart."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from core.services import values as values_service
from tests.helpers import created, office, ok

A = "/api/localities/county-a"
B = "/api/localities/county-b"

GRADES = [{"label": "优秀", "score": 95}, {"label": "称职", "score": 80}, {"label": "不称职", "score": 50}]
TEMPLATE = {
    "name": "考核表",
    "grade_scale": GRADES,
    "indicators": [
        {"code": "DE", "name": "德", "weight": 40},
        {"code": "N1", "name": "件数", "kind": "numeric"},
        {"code": "B1", "name": "加分", "kind": "bonus", "max_score": 5},
        {"code": "D1", "name": "扣分", "kind": "deduction", "max_score": 10},
        {"code": "V1", "name": "否决", "kind": "veto"},
    ],
}


def subject(api, code: str, base: str = A) -> int:
    unit = created(api.post(f"{base}/units", json={"code": code, "name": f"单位{code}"}))
    return created(
        api.post(
            f"{base}/subjects", json={"name": unit["name"], "kind": "unit", "ref_id": unit["id"], "category": "部门"}
        )
    )["id"]


def setup_locality(api, base: str = A) -> tuple[list[int], int]:
    subjects = [subject(api, f"U{i}", base) for i in range(2)]
    template_id = created(api.post(f"{base}/templates", json=TEMPLATE))["id"]
    return subjects, template_id


def row(subject_id: int, template_id: int, code: str = "B1", value: float = 1.0, period: str = "2026", **extra) -> dict:
    return {
        "subject_id": subject_id,
        "indicator_code": code,
        "template_id": template_id,
        "period": period,
        "value": value,
        "source": "office",
        **extra,
    }


def stored(world) -> list[tuple]:
    with world.ctx.db.engine.connect() as connection:
        return [
            tuple(r)
            for r in connection.execute(
                text(
                    "SELECT subject_id, template_id, indicator_code, period, value, source FROM indicator_values "
                    "ORDER BY subject_id, indicator_code, period"
                )
            )
        ]


def audit_actions(api, action: str) -> list[dict]:
    log = ok(api.get(f"{A}/audit", params={"limit": 1000}))
    return [e for e in log["items"] if e["action"] == action]


def test_upsert_twice_replaces_not_duplicates(world):
    api = office(world)
    (s1, s2), t = setup_locality(api)
    first = [row(s1, t, "B1", 2), row(s1, t, "D1", 3.5), row(s2, t, "V1", 1), row(s2, t, "N1", 42, period="2026-03")]
    assert ok(api.put(f"{A}/indicator-values", json=first)) == {"written": 4}
    assert len(stored(world)) == 4

    second = [row(s1, t, "B1", 4, source="adapter-x"), row(s2, t, "N1", 40, period="2026-03")]
    assert ok(api.put(f"{A}/indicator-values", json=second)) == {"written": 2}
    rows = stored(world)
    assert len(rows) == 4
    assert (s1, t, "B1", "2026", 4.0, "adapter-x") in rows
    assert (s1, t, "D1", "2026", 3.5, "office") in rows
    assert (s2, t, "N1", "2026-03", 40.0, "office") in rows

    # The same key twice in one call: the last one wins, one row.
    assert ok(api.put(f"{A}/indicator-values", json=[row(s1, t, "D1", 1), row(s1, t, "D1", 7)])) == {"written": 1}
    assert (s1, t, "D1", "2026", 7.0, "office") in stored(world)
    assert len(stored(world)) == 4

    entries = audit_actions(api, "indicator_values.upsert")
    assert [e["summary"]["after"]["written"] for e in entries] == [1, 2, 4]  # newest first

    listed = ok(api.get(f"{A}/indicator-values", params={"template_id": t, "period": "2026"}))
    assert listed["total"] == 3
    assert {(i["subject_id"], i["indicator_code"], i["value"]) for i in listed["items"]} == {
        (s1, "B1", 4.0),
        (s1, "D1", 7.0),
        (s2, "V1", 1.0),
    }
    assert ok(api.get(f"{A}/indicator-values", params={"subject_id": s2}))["total"] == 2
    page = ok(api.get(f"{A}/indicator-values", params={"limit": 1, "offset": 1}))
    assert page["total"] == 4 and len(page["items"]) == 1 and page["limit"] == 1 and page["offset"] == 1


def test_bad_rows_are_listed_by_index_and_nothing_is_written(world):
    api = office(world)
    (s1, s2), t = setup_locality(api)
    rows = [
        row(s1, t, "B1", 1),  # 0: fine
        row(s1, t, "B1", "3"),  # 1: a string value
        row(s1, t, "DE", 1),  # 2: a graded indicator
        row(s1, t, "NOPE", 1),  # 3: no such indicator
        row(s2, t, "B1", 1, period=""),  # 4: empty period
        row(s2, t, "B1", 1, period="x" * 21),  # 5: too long a period
        row(s2, t, "B1", True),  # 6: a boolean is not a number
        row(999999, t, "B1", 1),  # 7: no such subject
        row(s1, 999999, "B1", 1),  # 8: no such template
        {"subject_id": s1, "template_id": t},  # 9: fields missing
        "not a row",  # 10
        row(s2, t, "N1", 1, extra="?"),  # 11: unknown field
        row(s2, t, "N1", 2.5),  # 12: fine
    ]
    response = api.put(f"{A}/indicator-values", json=rows)
    assert response.status_code == 422, response.text
    body = response.json()
    bad = {e["index"] for e in body["errors"]}
    assert bad == set(range(1, 12))
    fields = {e["field"] for e in body["errors"]}
    for expected in (
        "[1].value",
        "[2].indicator_code",
        "[3].indicator_code",
        "[4].period",
        "[5].period",
        "[6].value",
        "[7].subject_id",
        "[8].template_id",
        "[9].indicator_code",
        "[9].period",
        "[9].value",
        "[10]",
        "[11].extra",
    ):
        assert expected in fields, (expected, fields)
    assert stored(world) == []
    assert audit_actions(api, "indicator_values.upsert") == []

    # One bad row alone also refuses the good ones around it.
    response = api.put(f"{A}/indicator-values", json=[row(s1, t, "B1", 1), row(s1, t, "DE", 1)])
    assert response.status_code == 422
    assert [e["index"] for e in response.json()["errors"]] == [1]
    assert stored(world) == []


def test_subject_or_template_of_another_locality_is_refused(world):
    api_a = office(world, "county-a")
    api_b = office(world, "county-b")
    (s1, _), t = setup_locality(api_a)
    (other_subject, _), other_template = setup_locality(api_b, B)

    response = api_a.put(f"{A}/indicator-values", json=[row(s1, t), row(other_subject, t)])
    assert response.status_code == 422, response.text
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "[1].subject_id")]

    response = api_a.put(f"{A}/indicator-values", json=[row(s1, other_template)])
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["[0].template_id"]
    assert stored(world) == []


def test_another_locality_is_not_found(world):
    api_a = office(world, "county-a")
    api_b = office(world, "county-b")
    (s1, _), t = setup_locality(api_a)
    ok(api_a.put(f"{A}/indicator-values", json=[row(s1, t)]))

    assert api_b.get(f"{A}/indicator-values").status_code == 404
    assert api_b.put(f"{A}/indicator-values", json=[row(s1, t)]).status_code == 404
    assert ok(api_b.get(f"{B}/indicator-values"))["total"] == 0
    assert api_a.get("/api/localities/nowhere/indicator-values").status_code == 404
    assert len(stored(world)) == 1


def test_too_many_rows_and_non_list_bodies_are_refused(world):
    api = office(world)
    (s1, _), t = setup_locality(api)
    too_many = [row(s1, t, period=str(i)) for i in range(values_service.MAX_VALUE_ROWS + 1)]
    assert api.put(f"{A}/indicator-values", json=too_many).status_code == 422
    assert api.put(f"{A}/indicator-values", json={"rows": []}).status_code == 400
    assert ok(api.put(f"{A}/indicator-values", json=[])) == {"written": 0}
    assert stored(world) == []


def test_ten_thousand_rows_in_one_call(world):
    api = office(world)
    (s1, s2), t = setup_locality(api)
    days = [str(date(2000, 1, 1) + timedelta(days=i // 2)) for i in range(values_service.MAX_VALUE_ROWS)]
    rows = [row(s1 if i % 2 else s2, t, "N1", i, period=days[i]) for i in range(values_service.MAX_VALUE_ROWS)]
    assert ok(api.put(f"{A}/indicator-values", json=rows)) == {"written": values_service.MAX_VALUE_ROWS}
    assert ok(api.put(f"{A}/indicator-values", json=rows)) == {"written": values_service.MAX_VALUE_ROWS}
    assert len(stored(world)) == values_service.MAX_VALUE_ROWS


def test_upsert_values_is_usable_by_other_services(world):
    api = office(world)
    (s1, _), t = setup_locality(api)
    with world.ctx.db.write() as session:
        locality_id = session.execute(text("SELECT id FROM localities WHERE code = 'county-a'")).scalar_one()
        written = values_service.upsert_values(
            session,
            locality_id,
            [{"subject_id": s1, "indicator_code": "N1", "template_id": t, "period": "2026", "value": 3}],
            "adapter-y",
        )
    assert written == 1
    assert stored(world) == [(s1, t, "N1", "2026", 3.0, "adapter-y")]
    assert audit_actions(api, "indicator_values.upsert")[0]["actor"] == "adapter-y"


def test_unit_admin_may_read_but_not_write(world):
    api = office(world)
    (s1, _), t = setup_locality(api)
    unit_admin = world.client(world.user("ua", "unit_admin", "county-a", "U0"))
    assert unit_admin.put(f"{A}/indicator-values", json=[row(s1, t)]).status_code == 403
    assert ok(unit_admin.get(f"{A}/indicator-values"))["total"] == 0


# --- periods -------------------------------------------------------------------------------------


def test_periods_are_stored_canonically_whatever_form_they_were_typed_in(world):
    api = office(world)
    (s1, s2), t = setup_locality(api)
    rows = [
        row(s1, t, "N1", 1, period="2026年第四季度"),
        row(s1, t, "B1", 2, period="２０２６年"),
        row(s2, t, "N1", 3, period="2026/11"),
        row(s2, t, "B1", 4, period="2026年下半年"),
        row(s2, t, "D1", 5, period="2026 年 第 48 周"),
        row(s1, t, "D1", 6, period="2026年11月30日"),
    ]
    assert ok(api.put(f"{A}/indicator-values", json=rows)) == {"written": 6}
    assert {(r[2], r[3]) for r in stored(world)} == {
        ("N1", "2026-Q4"),
        ("B1", "2026"),
        ("N1", "2026-11"),
        ("B1", "2026-H2"),
        ("D1", "2026-W48"),
        ("D1", "2026-11-30"),
    }
    # The same period typed another way is the same key: replaced, not added.
    assert ok(api.put(f"{A}/indicator-values", json=[row(s1, t, "N1", 9, period="2026Q4")])) == {"written": 1}
    assert (s1, t, "N1", "2026-Q4", 9.0, "office") in stored(world) and len(stored(world)) == 6
    # The filter reads periods the same way and answers canonically.
    listed = ok(api.get(f"{A}/indicator-values", params={"period": "2026年11月"}))
    assert [(i["subject_id"], i["period"], i["value"]) for i in listed["items"]] == [(s2, "2026-11", 3.0)]
    assert ok(api.get(f"{A}/indicator-values", params={"period": "2026年四季度"}))["items"][0]["value"] == 9.0
    bad = api.get(f"{A}/indicator-values", params={"period": "2026-13"})
    assert bad.status_code == 422, bad.text
    assert bad.json()["errors"] == [
        {
            "field": "period",
            "message": "'2026-13' is not a period: no such day, week, month, quarter or half-year exists",
        }
    ]


def test_a_period_that_is_no_period_is_refused_with_its_row_and_the_accepted_forms(world):
    api = office(world)
    (s1, _), t = setup_locality(api)
    rows = [
        row(s1, t, "N1", 1, period="2026-11"),
        row(s1, t, "N1", 1, period="2026年13月"),
        row(s1, t, "B1", 1, period="下半年"),
        row(s1, t, "D1", 1, period=2026.5),
    ]
    response = api.put(f"{A}/indicator-values", json=rows)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(1, "[1].period"), (2, "[2].period"), (3, "[3].period")]
    assert "'2026年13月' is not a period: no such" in errors[0]["message"]
    assert errors[1]["message"].startswith("'下半年' is not a period; write a day 2026-11-30, a week 2026-W48")
    assert "'2026.5' is not a period" in errors[2]["message"]
    assert stored(world) == []
    # in Chinese when asked for
    zh = api.put(f"{A}/indicator-values", json=rows[1:2], headers={"Accept-Language": "zh-CN"})
    assert zh.json()["errors"][0]["message"] == "'2026年13月' 不是有效的期间：没有这样的日、周、月、季度或半年"


def test_values_of_another_kind_than_the_templates_are_refused(world):
    api = office(world)
    (s1, s2), _ = setup_locality(api)
    quarterly = created(api.post(f"{A}/templates", json={**TEMPLATE, "name": "季度考核", "period_kind": "quarter"}))
    assert quarterly["period_kind"] == "quarter"
    t = quarterly["id"]
    rows = [
        row(s1, t, "N1", 1, period="2026年第四季度"),
        row(s2, t, "N1", 2, period="2026-11"),
        row(s2, t, "B1", 3, period="2026"),
        row(s1, t, "B1", 4, period="2026-Q3"),
    ]
    response = api.put(f"{A}/indicator-values", json=rows)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["detail"] == "2 of 4 rows are not acceptable; nothing was written"
    assert body["errors"] == [
        {
            "index": 1,
            "field": "[1].period",
            "message": f"period 2026-11 is not of the kind template {t} takes: its values are for periods like 2026-Q4",
        },
        {
            "index": 2,
            "field": "[2].period",
            "message": f"period 2026 is not of the kind template {t} takes: its values are for periods like 2026-Q1",
        },
    ]
    assert stored(world) == []
    zh = api.put(f"{A}/indicator-values", json=rows[1:2], headers={"Accept-Language": "zh"})
    assert zh.json()["errors"][0]["message"] == (
        f"期间 2026-11 与指标模板 {t} 的期间类型不符：该模板的指标值应按 2026-Q4 这样的期间填报"
    )
    assert ok(api.put(f"{A}/indicator-values", json=[rows[0], rows[3]])) == {"written": 2}
    # a copy keeps the kind; a draft may change it
    assert created(api.post(f"/api/templates/{t}/copy"))["period_kind"] == "quarter"
    assert ok(api.put(f"/api/templates/{t}", json={**TEMPLATE, "period_kind": "month"}))["period_kind"] == "month"
    assert ok(api.get(f"{A}/templates"))["items"][-2]["period_kind"] == "month"
    assert api.post(f"{A}/templates", json={**TEMPLATE, "period_kind": "decade"}).status_code == 400


def test_without_a_kind_a_template_takes_the_kinds_of_its_campaigns_periods(world):
    api = office(world)
    (s1, s2), t = setup_locality(api)
    # No campaign uses it yet: any kind.
    assert ok(api.put(f"{A}/indicator-values", json=[row(s1, t, "N1", 1, period="2026-03")])) == {"written": 1}
    created(
        api.post(
            f"{A}/campaigns",
            json={
                "name": "年度考核",
                "kind": "annual",
                "period": "2026年度",
                "categories": [{"name": "全体", "template_id": t}],
            },
        )
    )
    created(
        api.post(
            f"{A}/campaigns",
            json={
                "name": "上年考核",
                "kind": "annual",
                "period": "2025",
                "categories": [{"name": "全体", "template_id": t}],
            },
        )
    )
    response = api.put(
        f"{A}/indicator-values", json=[row(s2, t, "N1", 1, period="2026"), row(s2, t, "N1", 1, period="2026-11")]
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {
            "index": 1,
            "field": "[1].period",
            "message": f"period 2026-11 is not of the kind of the campaigns that use template {t} "
            f"(their periods: 2025, 2026)",
        }
    ]
    assert ok(api.put(f"{A}/indicator-values", json=[row(s2, t, "N1", 1, period="2027")])) == {"written": 1}
