"""The office's decisions on a tallied campaign over HTTP: adjusting a grade needs a reason and a
grade of the scale, is stored and audited; publishing freezes the results.

The results are written straight into the database (the tally is tested on its own)."""

from __future__ import annotations

from sqlalchemy import text

from tests.helpers import ok

A = "/api/localities/county-a"


def set_status(world, campaign_id: int, status: str) -> None:
    with world.ctx.db.engine.begin() as connection:
        connection.execute(text("UPDATE campaigns SET status = :s WHERE id = :id"), {"s": status, "id": campaign_id})


def add_results(world, campaign_id: int, subject_ids: list[int], grades: list[str | None]) -> None:
    with world.ctx.db.engine.begin() as connection:
        locality_id = connection.execute(
            text("SELECT locality_id FROM campaigns WHERE id = :id"), {"id": campaign_id}
        ).scalar_one()
        for rank, (subject_id, grade) in enumerate(zip(subject_ids, grades, strict=True), start=1):
            connection.execute(
                text(
                    "INSERT INTO campaign_results (campaign_id, subject_id, locality_id, score, rank, proposed_grade, "
                    "grade, flags, by_category, by_indicator) VALUES (:c, :s, :l, :score, :rank, :g, NULL, '[]', '{}', '{}')"
                ),
                {"c": campaign_id, "s": subject_id, "l": locality_id, "score": 100.0 - rank, "rank": rank, "g": grade},
            )


def stored_grades(world, campaign_id: int) -> dict[int, tuple]:
    with world.ctx.db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT subject_id, proposed_grade, grade FROM campaign_results WHERE campaign_id = :c"),
            {"c": campaign_id},
        )
        return {r[0]: (r[1], r[2]) for r in rows}


def adjustments(world, campaign_id: int) -> list[tuple]:
    with world.ctx.db.engine.connect() as connection:
        return [
            tuple(r)
            for r in connection.execute(
                text(
                    "SELECT subject_id, from_grade, grade, reason, actor FROM campaign_adjustments WHERE campaign_id = :c "
                    "ORDER BY id"
                ),
                {"c": campaign_id},
            )
        ]


def audit_of(api, action: str) -> list[dict]:
    log = ok(api.get(f"{A}/audit", params={"limit": 1000}))
    return [e for e in log["items"] if e["action"] == action]


def tallied(world, setup) -> tuple:
    s1, s2, s3 = setup.subject_ids
    set_status(world, setup.campaign_id, "tallied")
    add_results(world, setup.campaign_id, [s1, s2], ["优秀", "称职"])
    return s1, s2, s3


def test_adjust_then_publish_then_frozen(world, setup):
    api, campaign_id = setup.api, setup.campaign_id
    s1, s2, _ = tallied(world, setup)
    url = f"/api/campaigns/{campaign_id}"

    answer = api.post(f"{url}/adjustments", json={"subject_id": s1, "grade": "称职", "reason": "群众反映问题已核实"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["subject_id"], body["from_grade"], body["grade"], body["reason"]) == (
        s1,
        "优秀",
        "称职",
        "群众反映问题已核实",
    )
    assert stored_grades(world, campaign_id)[s1] == ("优秀", "称职")
    assert adjustments(world, campaign_id) == [(s1, "优秀", "称职", "群众反映问题已核实", "office-county-a")]

    [entry] = audit_of(api, "campaign.adjust")
    assert entry["target_id"] == str(campaign_id) and entry["actor"] == "office-county-a"
    assert entry["summary"]["before"]["grade"] == "优秀" and entry["summary"]["before"]["subject_id"] == s1
    assert entry["summary"]["after"] == {"subject_id": s1, "grade": "称职", "reason": "群众反映问题已核实"}

    # A second adjustment of the same subject starts from the adjusted grade.
    ok_ = api.post(f"{url}/adjustments", json={"subject_id": s1, "grade": "基本称职", "reason": "复核"})
    assert ok_.status_code == 201 and ok_.json()["from_grade"] == "称职"
    assert [a["grade"] for a in ok(api.get(f"{url}/adjustments"))] == ["称职", "基本称职"]

    published = ok(api.post(f"{url}/publish"))
    assert published == {"campaign_id": campaign_id, "status": "published", "subjects": 2}
    assert ok(api.get(url))["status"] == "published"
    # Subjects the office left alone keep their proposed grade as the final one.
    assert stored_grades(world, campaign_id) == {s1: ("优秀", "基本称职"), s2: ("称职", "称职")}
    [entry] = audit_of(api, "campaign.publish")
    assert entry["summary"]["before"] == {"status": "tallied"} and entry["summary"]["after"]["status"] == "published"

    late = api.post(f"{url}/adjustments", json={"subject_id": s2, "grade": "优秀", "reason": "晚了"})
    assert late.status_code == 409, late.text
    assert "published" in late.json()["detail"]
    assert api.post(f"{url}/publish").status_code == 409
    assert stored_grades(world, campaign_id)[s2] == ("称职", "称职")
    assert len(adjustments(world, campaign_id)) == 2


def test_adjustment_is_checked(world, setup):
    api, campaign_id = setup.api, setup.campaign_id
    s1, _, s3 = tallied(world, setup)
    url = f"/api/campaigns/{campaign_id}/adjustments"

    def refused(payload: dict, status: int, field: str | None = None) -> None:
        answer = api.post(url, json=payload)
        assert answer.status_code == status, answer.text
        if field is not None:
            assert field in [e["field"] for e in answer.json()["errors"]], answer.text

    refused({"subject_id": s1, "grade": "称职", "reason": ""}, 422, "reason")
    refused({"subject_id": s1, "grade": "称职", "reason": "   "}, 422, "reason")
    refused({"subject_id": s1, "grade": "称职"}, 400)
    refused({"subject_id": s1, "grade": "良好", "reason": "不在等次表中"}, 422, "grade")
    refused({"subject_id": s1, "grade": "", "reason": "空"}, 422, "grade")
    refused({"subject_id": s3, "grade": "称职", "reason": "没有结果"}, 422, "subject_id")
    refused({"subject_id": 999999, "grade": "称职", "reason": "不存在"}, 422, "subject_id")
    assert adjustments(world, campaign_id) == []
    assert audit_of(api, "campaign.adjust") == []
    assert stored_grades(world, campaign_id)[s1] == ("优秀", None)


def test_only_a_tallied_campaign_is_adjusted_or_published(world, setup):
    api, campaign_id = setup.api, setup.campaign_id
    s1, _, _ = setup.subject_ids
    add_results(world, campaign_id, [s1], ["优秀"])
    url = f"/api/campaigns/{campaign_id}"
    for status in ("draft", "open", "closed"):
        set_status(world, campaign_id, status)
        answer = api.post(f"{url}/adjustments", json={"subject_id": s1, "grade": "称职", "reason": "试"})
        assert answer.status_code == 409, (status, answer.text)
        assert api.post(f"{url}/publish").status_code == 409
    assert adjustments(world, campaign_id) == []
    assert audit_of(api, "campaign.publish") == []


def test_another_locality_cannot_decide(world, setup):
    campaign_id = setup.campaign_id
    s1, _, _ = tallied(world, setup)
    other = world.office("county-b")
    url = f"/api/campaigns/{campaign_id}"
    assert (
        other.post(f"{url}/adjustments", json={"subject_id": s1, "grade": "称职", "reason": "越权"}).status_code == 404
    )
    assert other.post(f"{url}/publish").status_code == 404
    assert other.get(f"{url}/adjustments").status_code == 404
    assert ok(setup.api.get(url))["status"] == "tallied"
    assert adjustments(world, campaign_id) == []
    assert setup.api.post("/api/campaigns/999999/publish").status_code == 404
