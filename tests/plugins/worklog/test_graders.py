"""Who grades whom (``plugins.worklog.graders``) on both databases: the supervising leaders by
default; the office assigns another leader to people or to a whole unit (a person's assignment
wins), in bulk, audited; the sheet and grading follow it (404 for a person not assigned); bad
input refused with nothing written; the API and the office's page."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlmodel import select

from core.models import AuditEntry
from core.services.errors import Conflict, Forbidden, Invalid, NotFound
from plugins.worklog import evaluation, graders
from plugins.worklog.evaluation import GradesIn, QuarterIn
from plugins.worklog.graders import AssignIn
from plugins.worklog.models import GraderAssignment
from tests.plugins.worklog.evaluation.setup import QUARTER, make_template
from tests.plugins.worklog.setup import make_world, token
from tests.plugins.worklog.test_pages import site  # noqa: F401 - the fixture


def _open(ctx, world):
    template_id = make_template(ctx)
    evaluation.open_quarter(ctx, world.actors["office"], "wa", QuarterIn(period=QUARTER, template_id=template_id))
    return {d.name: d.id for d in evaluation.sheet(ctx, world.actors["leader"], "wa", QUARTER).dimensions}


@pytest.fixture
def quarter(ctx):
    world = make_world(ctx)
    return world, _open(ctx, world)


def _names(ctx, actor, unit=None) -> list[str]:
    return [r.person_name for r in evaluation.sheet(ctx, actor, "wa", QUARTER, unit).rows]


def test_by_default_the_supervising_leaders_grade_then_the_office_reassigns(ctx, quarter):
    world, dims = quarter
    leader, leader_b, office = world.actors["leader"], world.actors["leader_b"], world.actors["office"]
    all_good = GradesIn(grades=dict.fromkeys(dims.values(), "好"))
    assert _names(ctx, leader) == ["李明", "王芳"] and _names(ctx, leader_b) == ["钱七"]
    listed = graders.list_graders(ctx, office, "wa", QUARTER, world.unit_a)
    assert {r.person_name: r.source for r in listed.rows} == {"李明": "default", "王芳": "default", "张局长": "default"}
    assert {leader_id["name"] for leader_id in listed.leaders} == {"张局长", "赵局长"}

    # 李明 alone goes to the leader of B; the leader of A no longer grades him
    out = graders.assign(
        ctx, office, "wa", QUARTER, AssignIn(grader_id=leader_b.user_id, person_ids=[world.people["李明"]])
    )
    assert (out.people, out.units) == (1, 0)
    assert _names(ctx, leader) == ["王芳"]
    assert _names(ctx, leader_b) == ["钱七"] and _names(ctx, leader_b, world.unit_a) == ["李明"]
    assert [u["id"] for u in evaluation.sheet(ctx, leader_b, "wa", QUARTER).units] == [world.unit_b, world.unit_a]
    with pytest.raises(NotFound):  # the leader of A: as for a person they do not supervise
        evaluation.grade(ctx, leader, "wa", QUARTER, world.people["李明"], all_good)
    evaluation.grade(ctx, leader_b, "wa", QUARTER, world.people["李明"], all_good)

    # the whole unit B to the leader of A; 李明's own assignment still wins over unit A's default
    graders.assign(ctx, office, "wa", QUARTER, AssignIn(grader_id=leader.user_id, unit_ids=[world.unit_b]))
    assert _names(ctx, leader_b) == [] and _names(ctx, leader, world.unit_b) == ["赵局长", "钱七"]
    with pytest.raises(NotFound):
        evaluation.grade(ctx, leader_b, "wa", QUARTER, world.people["钱七"], all_good)
    evaluation.grade(ctx, leader, "wa", QUARTER, world.people["钱七"], all_good)
    listed = graders.list_graders(ctx, office, "wa", QUARTER, world.unit_b)
    assert {r.person_name: (r.grader, r.source) for r in listed.rows} == {
        "赵局长": ("张局长", "unit"),
        "钱七": ("张局长", "unit"),
    }

    # back to the default, in bulk
    graders.assign(
        ctx, office, "wa", QUARTER, AssignIn(grader_id=None, person_ids=[world.people["李明"]], unit_ids=[world.unit_b])
    )
    assert _names(ctx, leader) == ["李明", "王芳"] and _names(ctx, leader_b) == ["钱七"]
    with ctx.db.read() as session:
        assert session.exec(select(GraderAssignment)).all() == []
        audits = session.exec(
            select(AuditEntry).where(AuditEntry.action == "worklog.graders.assign").order_by(AuditEntry.id)
        ).all()
    assert len(audits) == 3
    assert audits[-1].summary["before"]["assignments"] and audits[-1].summary["after"]["grader_id"] is None


def test_bad_assignments_are_refused_and_change_nothing(ctx, quarter):
    world, _ = quarter
    office, leader = world.actors["office"], world.actors["leader"]
    cases = [
        AssignIn(grader_id=world.actors["author"].user_id, person_ids=[world.people["王芳"]]),  # a cadre
        AssignIn(grader_id=world.actors["other_office"].user_id, person_ids=[world.people["王芳"]]),  # other locality
        AssignIn(grader_id=leader.user_id, person_ids=[world.other_person]),  # a person of wb
        AssignIn(grader_id=leader.user_id, unit_ids=[10**6]),
        AssignIn(grader_id=leader.user_id),  # nobody
    ]
    for case in cases:
        with pytest.raises(Invalid):
            graders.assign(ctx, office, "wa", QUARTER, case)
    with pytest.raises(Forbidden):
        graders.assign(ctx, leader, "wa", QUARTER, AssignIn(grader_id=leader.user_id, unit_ids=[world.unit_b]))
    with pytest.raises(NotFound):
        graders.assign(ctx, office, "wa", "2026-Q1", AssignIn(grader_id=leader.user_id, unit_ids=[world.unit_b]))
    with pytest.raises(NotFound):
        graders.assign(ctx, world.actors["other_office"], "wa", QUARTER, AssignIn(unit_ids=[world.unit_b]))
    evaluation.lock_quarter(ctx, office, "wa", QUARTER)
    with pytest.raises(Conflict):
        graders.assign(ctx, office, "wa", QUARTER, AssignIn(grader_id=leader.user_id, unit_ids=[world.unit_b]))
    with ctx.db.read() as session:
        assert session.exec(select(GraderAssignment)).all() == []


def test_the_api_lists_and_assigns_graders(ctx, live_server):
    world = make_world(ctx)
    _open(ctx, world)
    base = f"/api/localities/wa/worklog/quarters/{QUARTER}/graders"

    def client(name):
        return httpx.Client(
            base_url=live_server.url, timeout=30, headers={"Authorization": f"Bearer {token(ctx, world.actors[name])}"}
        )

    with client("office") as office, client("leader") as leader, client("leader_b") as leader_b:
        listed = office.get(base, params={"unit_id": world.unit_a})
        assert listed.status_code == 200 and {r["source"] for r in listed.json()["rows"]} == {"default"}
        answer = office.put(
            base, json={"grader_id": world.actors["leader_b"].user_id, "person_ids": [world.people["王芳"]]}
        )
        assert answer.status_code == 200 and answer.json() == {
            "people": 1,
            "units": 0,
            "grader_id": world.actors["leader_b"].user_id,
        }
        bad = office.put(base, json={"grader_id": world.actors["author"].user_id, "person_ids": [world.people["王芳"]]})
        assert bad.status_code == 422
        assert leader.get(base, params={"unit_id": world.unit_a}).status_code == 403
        dims = evaluation.sheet(ctx, world.actors["leader"], "wa", QUARTER).dimensions
        grades = {"grades": {str(d.id): "好" for d in dims}}
        person = world.people["王芳"]
        assert (
            leader.put(f"/api/localities/wa/worklog/quarters/{QUARTER}/people/{person}", json=grades).status_code == 404
        )
        sheet = leader_b.get(f"/api/localities/wa/worklog/quarters/{QUARTER}/sheet", params={"unit_id": world.unit_a})
        assert [r["person_name"] for r in sheet.json()["rows"]] == ["王芳"]
        assert (
            leader_b.put(f"/api/localities/wa/worklog/quarters/{QUARTER}/people/{person}", json=grades).status_code
            == 200
        )


def test_the_office_page_assigns_in_bulk(ctx, site):  # noqa: F811
    world, session = site
    _open(ctx, world)
    path = f"/admin/localities/wa/worklog/quarters/{QUARTER}/graders"
    with session("office") as office, session("leader") as leader:
        page = office.get(path)
        assert page.status_code == 200 and "评价人设置" in page.text and "主管/分管领导（默认）" in page.text
        assert office.get(f"/admin/localities/wa/worklog/quarters/{QUARTER}").text.count(path) == 1  # linked
        form = {
            "_csrf": office.csrf,
            "unit_id": str(world.unit_a),
            "grader_id": str(world.actors["leader_b"].user_id),
            "target": "people",
        }
        ticked = {"person": [str(world.people["李明"]), str(world.people["王芳"])]}
        done = office.post(path, data={**form, **ticked})
        assert done.status_code == 303 and "done=2" in done.headers["location"]
        page = office.get(done.headers["location"])
        assert "已保存：2 项已更改。" in page.text
        graded_by = dict(
            re.findall(r'<label for="p\d+">([^<]+)</label></th>\s*<td class="grader">([^<]+)</td>', page.text)
        )
        assert graded_by == {"李明": "赵局长", "王芳": "赵局长", "张局长": "分管/主管领导"}
        refused = office.post(path, data={**form, **ticked, "grader_id": str(world.actors["author"].user_id)})
        assert refused.status_code == 422, refused.status_code
        assert "不是本地区的领导账号" in re.search(r"graders-error\">([^<]*)<", refused.text).group(1)
        assert office.post(path, data={**form, "_csrf": "x"}).status_code == 403
        assert leader.get(path).status_code == 404  # the office's page only
        sheet = leader.get(f"/admin/localities/wa/worklog/quarters/{QUARTER}")
        assert sheet.status_code == 200 and "李明" not in sheet.text
