"""Forced-distribution policies (plugins/distribution.py), with hand-computed examples.

The pure policy tests build the scoring types by hand; the API tests enable the
``distribution`` plugin for the locality and vote through the real ballot API (SQLite and
PostgreSQL)."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from core.scoring import (
    BallotCheck,
    CategoryData,
    IndicatorData,
    SubjectData,
    SubjectScore,
    TallyData,
    TemplateData,
)
from core.services.errors import Invalid
from plugins.distribution import BallotCap, BallotCapOptions, ResultQuota, UnitQuota, allowed_count
from tests.campaign_setup import full_items, make_campaign

GRADES = (("优秀", 95.0), ("称职", 80.0), ("基本称职", 65.0), ("不称职", 50.0))


def _template(overall: bool = True) -> TemplateData:
    indicators = [
        IndicatorData(1, "DE", "德", None, "graded", 40, None, False),
        IndicatorData(2, "DE1", "政治品德", 1, "graded", 50, None, False),
        IndicatorData(3, "JI1", "工作实绩", None, "graded", 60, None, False),
    ]
    if overall:
        indicators.append(IndicatorData(4, "ALL", "总体评价", None, "graded", 1, None, True))
    return TemplateData(id=1, grades=GRADES, indicators=tuple(indicators))


# Subjects 1-4 in category A, 5-6 in category B.
SUBJECTS = [SubjectData(i, f"s{i}", "unit", None, "A" if i <= 4 else "B") for i in range(1, 7)]


def _ballot(template: TemplateData, top: dict[int, set[int]]) -> BallotCheck:
    """Every subject rated 称职 on every leaf, except ``top``: indicator id -> subjects rated 优秀."""
    leaves = [i.id for i in template.graded_leaves()]
    grades = {(s.id, leaf): 0 if s.id in top.get(leaf, set()) else 1 for s in SUBJECTS for leaf in leaves}
    return BallotCheck(campaign_id=1, category="县领导", template=template, subjects=SUBJECTS, grades=grades)


def _check(template: TemplateData, top: dict[int, set[int]], **options):
    return BallotCap().check_ballot(_ballot(template, top), BallotCapOptions(**options))


@pytest.mark.parametrize(
    ("ratio", "n", "rounding", "expected"),
    [
        (0.5, 3, "floor", 1),
        (0.5, 3, "round", 2),
        (0.5, 3, "ceil", 2),
        (0.2, 3, "floor", 0),
        (0.2, 3, "round", 1),
        (0.2, 3, "ceil", 1),
        (0.15, 20, "ceil", 3),  # 0.15 × 20 is 3.0000000000000004 in floats: not 4
        (0.25, 2, "round", 1),  # halves round up
        (0.3, 0, "ceil", 0),
        (1.0, 7, "floor", 7),
    ],
)
def test_allowed_count(ratio, n, rounding, expected):
    assert allowed_count(ratio, n, rounding) == expected


def test_ballot_cap_per_subject_category_with_each_rounding():
    template = _template()
    # A has 4 subjects: 0.3 × 4 = 1.2 -> floor 1, round 1, ceil 2; B has 2: 0.6 -> 0, 1, 1.
    two_in_a = {4: {1, 2}}
    assert (
        _check(template, two_in_a, max_ratio=0.3, rounding="floor").reason
        == "at most 1 of 4 subjects may be rated 优秀 (总体评价, A: 2 are)"
    )
    assert _check(template, two_in_a, max_ratio=0.3, rounding="round") is not None
    assert _check(template, two_in_a, max_ratio=0.3, rounding="ceil") is None
    one_in_b = {4: {5}}
    assert (
        _check(template, one_in_b, max_ratio=0.3, rounding="floor").reason
        == "at most 0 of 2 subjects may be rated 优秀 (总体评价, B: 1 are)"
    )
    assert _check(template, one_in_b, max_ratio=0.3, rounding="round") is None
    assert _check(template, one_in_b, max_ratio=0.3, rounding="ceil") is None


def test_ballot_cap_scope_ballot_counts_the_whole_ballot():
    template = _template()
    # 优秀 for 1, 2 (A) and 5 (B): per category A 2 of 4, B 1 of 2; on the ballot 3 of 6.
    top = {4: {1, 2, 5}}
    assert _check(template, top, max_ratio=0.5, scope="subject_category") is None
    assert _check(template, top, max_ratio=0.5, scope="ballot") is None  # 3 of 6 allowed
    verdict = _check(template, top, max_ratio=0.4, scope="ballot")  # 2.4 -> 2
    assert verdict.reason == "at most 2 of 6 subjects may be rated 优秀 (总体评价: 3 are)"
    assert _check(template, top, max_ratio=0.4, scope="ballot", rounding="round") is not None  # 2.4 -> 2
    assert _check(template, top, max_ratio=0.4, scope="ballot", rounding="ceil") is None  # 2.4 -> 3
    assert _check(template, top, max_ratio=0.4, scope="subject_category") is not None  # A: 1.6 -> 1 < 2


def test_ballot_cap_action_grade_and_indicator():
    template = _template()
    top = {4: {1, 2}}
    assert _check(template, top, max_ratio=0.25).reject is False
    verdict = _check(template, top, max_ratio=0.25, action="reject")
    assert verdict.valid is False and verdict.reject is True
    # The overall indicator is the default: 优秀 on another indicator does not count.
    assert _check(template, {3: {1, 2, 3, 4}}, max_ratio=0.25) is None
    assert _check(template, {3: {1, 2}}, max_ratio=0.25, indicator="JI1") is not None
    # Another grade: with 1, 2, 5 rated 优秀, A has 2 of 4 rated 称职 (2 allowed), B 1 of 2 (1 allowed).
    assert _check(template, {4: {1, 2, 5}}, max_ratio=0.5, grade="称职") is None
    assert _check(template, {}, max_ratio=0.5, grade="称职").reason.startswith(
        "at most 2 of 4 subjects may be rated 称职"
    )


def test_ballot_cap_without_an_overall_indicator_caps_every_leaf():
    template = _template(overall=False)  # leaves: DE1 (2), JI1 (3)
    assert _check(template, {2: {1}, 3: {2}}, max_ratio=0.25) is None  # 1 of 4 on each leaf
    verdict = _check(template, {2: {1}, 3: {2, 3}}, max_ratio=0.25)
    assert verdict.reason == "at most 1 of 4 subjects may be rated 优秀 (工作实绩, A: 2 are)"


# --- result_quota ----------------------------------------------------------------------------


def _data(subjects=None, other_results=None) -> TallyData:
    return TallyData(
        campaign_id=1,
        locality_id=1,
        period="2026",
        categories=[CategoryData(1, "县领导", 1, 1)],
        templates={1: _template()},
        subjects=subjects or [],
        counts={},
        ballots={},
        values={},
        ballot_scores=lambda _c, _w: {},
        other_results=other_results or (lambda _campaign_id: []),
    )


def _results(category: str, ranks: list[int], start: int = 1, grade: str = "优秀") -> list[SubjectScore]:
    return [
        SubjectScore(
            subject_id=start + i,
            name=f"s{start + i}",
            category=category,
            score=100.0 - rank,
            rank=rank,
            proposed_grade=grade,
        )
        for i, rank in enumerate(ranks)
    ]


def _grades(results):
    return [(r.subject_id, r.proposed_grade, r.flags) for r in results]


def test_result_quota_by_rank_per_category():
    # A: 10 subjects all proposed 优秀, ratio 0.25: floor 2, round 3 (2.5 up), ceil 3. B: 2 subjects, 0.5.
    for rounding, keep in (("floor", 2), ("round", 3), ("ceil", 3)):
        results = _results("A", list(range(1, 11))) + _results("B", [1, 2], start=11)
        ResultQuota().apply(results, _data(), ResultQuota.options_model(max_ratio=0.25, rounding=rounding))
        a = [r.proposed_grade for r in results[:10]]
        assert a == ["优秀"] * keep + ["称职"] * (10 - keep)
        assert all(not r.flags for r in results)
        b = [r.proposed_grade for r in results[10:]]
        assert b == (["称职", "称职"] if rounding == "floor" else ["优秀", "称职"])  # 0.5 -> 0 / 1 / 1


def test_result_quota_ties_across_the_boundary_all_get_the_next_grade_and_are_flagged():
    # 5 subjects, ranks 1, 2, 2, 4, 5; 0.4 × 5 = 2 may keep 优秀: subjects 2 and 3 share rank 2.
    results = _results("A", [1, 2, 2, 4, 5])
    results[4].proposed_grade = "称职"  # already below: untouched
    ResultQuota().apply(results, _data(), ResultQuota.options_model(max_ratio=0.4))
    assert _grades(results) == [
        (1, "优秀", []),
        (2, "称职", ["tie_at_quota"]),
        (3, "称职", ["tie_at_quota"]),
        (4, "称职", []),
        (5, "称职", []),
    ]
    # A tie inside the quota is fine: ranks 1, 1, 3 with 2 allowed.
    results = _results("A", [1, 1, 3, 4, 5])
    ResultQuota().apply(results, _data(), ResultQuota.options_model(max_ratio=0.4))
    assert _grades(results)[:3] == [(1, "优秀", []), (2, "优秀", []), (3, "称职", [])]


def test_result_quota_other_grade_and_fewer_holders_than_the_quota():
    results = _results("A", [1, 2, 3, 4], grade="称职")
    results[0].proposed_grade = "优秀"
    ResultQuota().apply(results, _data(), ResultQuota.options_model(grade="称职", max_ratio=0.5))  # 2 of 4
    assert [r.proposed_grade for r in results] == ["优秀", "称职", "称职", "基本称职"]
    results = _results("A", [1, 2, 3, 4], grade="称职")
    ResultQuota().apply(results, _data(), ResultQuota.options_model(max_ratio=0.25))  # no 优秀 at all
    assert [r.proposed_grade for r in results] == ["称职"] * 4


# --- unit_quota ------------------------------------------------------------------------------


def test_unit_quota_by_the_units_rank():
    # Units 100..103 ranked 1..4 in campaign 7; top_n 1 (30%), others 15%, the last none.
    unit_results = [{"subject_id": 900 + u, "unit_id": 100 + u, "rank": u + 1} for u in range(4)]
    subjects, results = [], []
    next_id = 1
    for unit, people in ((100, 10), (101, 10), (102, 4), (103, 5)):
        for i in range(people):
            subjects.append(SubjectData(next_id, f"p{next_id}", "person", next_id, "干部", unit_id=unit))
            results.append(SubjectScore(next_id, f"p{next_id}", "干部", 100.0 - i, rank=i + 1, proposed_grade="优秀"))
            next_id += 1
    data = _data(subjects, other_results=lambda cid: unit_results if cid == 7 else [])
    options = UnitQuota.options_model(unit_campaign_id=7, top_n=1)
    UnitQuota().apply(results, data, options)
    grades = [r.proposed_grade for r in results]
    assert grades[:10] == ["优秀"] * 3 + ["称职"] * 7  # rank 1: 30% of 10
    assert grades[10:20] == ["优秀"] * 1 + ["称职"] * 9  # rank 2: 15% of 10 = 1.5 -> 1
    assert grades[20:24] == ["称职"] * 4  # 15% of 4 = 0.6 -> 0
    assert grades[24:] == ["称职"] * 4 + ["基本称职"]  # last unit: 80% of 5 = 4, the rest one grade lower


def test_unit_quota_ties_and_other_subjects_untouched():
    unit_results = [{"ref_id": 100, "rank": 1}, {"ref_id": 101, "rank": 2}]
    subjects = [SubjectData(i, f"p{i}", "person", i, "干部", unit_id=100) for i in range(1, 5)]
    subjects.append(SubjectData(5, "单位", "unit", 100, "部门"))
    results = [
        SubjectScore(i, f"p{i}", "干部", 90.0, rank=r, proposed_grade="优秀")
        for i, r in zip(range(1, 5), [1, 2, 2, 4], strict=True)
    ]
    results.append(SubjectScore(5, "单位", "部门", 90.0, rank=1, proposed_grade="优秀"))
    data = _data(subjects, other_results=lambda _cid: unit_results)
    # top_ratio 0.5 of 4 = 2, but the 2nd and 3rd share rank 2: both lose 优秀 and are flagged.
    UnitQuota().apply(results, data, UnitQuota.options_model(unit_campaign_id=7, top_n=1, top_ratio=0.5))
    assert _grades(results) == [
        (1, "优秀", []),
        (2, "称职", ["tie_at_quota"]),
        (3, "称职", ["tie_at_quota"]),
        (4, "称职", []),
        (5, "优秀", []),
    ]


# --- through the API -------------------------------------------------------------------------


def _enable(api, enabled: bool = True, code: str = "county-a"):
    return api.put(f"/api/localities/{code}/plugins/distribution", json={"enabled": enabled})


def _capped(world, **options):
    """The standard campaign (3 subjects of one subject category) with a ballot_cap, open."""
    setup = make_campaign(world)
    assert _enable(setup.api).status_code == 200
    patched = setup.api.patch(
        f"/api/campaigns/{setup.campaign_id}", json={"distribution": [{"policy": "ballot_cap", "options": options}]}
    )
    assert patched.status_code == 200, patched.text
    setup.issue("县领导", 1)  # every category needs accounts to open
    setup.issue("基层代表", 1)
    return setup


def _vote(world, setup, category: str, top: int):
    """Log in with a new code and submit 优秀 on ALL for the first ``top`` subjects."""
    [account] = setup.issue(category, 1)
    with world.client() as client:
        token = client.post("/api/ballot/login", json={"code": account["code"]}).json()["token"]
    items = full_items(setup.subject_ids)
    for item in items:
        if item["indicator"] == "ALL" and item["subject_id"] in setup.subject_ids[:top]:
            item["grade"] = "优秀"
    with world.client(token) as voter:
        return voter.post("/api/ballot/submit", json={"items": items})


def test_reject_answers_422_naming_the_cap(world):
    setup = _capped(world, max_ratio=0.5, action="reject")  # 0.5 × 3 = 1.5 -> 1
    setup.open()
    [account] = setup.issue("县领导", 1)
    with world.client() as client:
        token = client.post("/api/ballot/login", json={"code": account["code"]}).json()["token"]
    with world.client(token) as voter:
        ballot = voter.get("/api/ballot").json()
        assert ballot["caps"] == [
            {
                "grade": "优秀",
                "indicator": "ALL",
                "indicator_name": "总体评价",
                "scope": "subject_category",
                "category": "综合管理部门",
                "subject_ids": setup.subject_ids,
                "total": 3,
                "allowed": 1,
                "action": "reject",
            }
        ]
        items = full_items(setup.subject_ids)
        for item in items:
            if item["indicator"] == "ALL" and item["subject_id"] != setup.subject_ids[2]:
                item["grade"] = "优秀"
        refused = voter.post("/api/ballot/submit", json={"items": items})
        assert refused.status_code == 422
        assert "at most 1 of 3 subjects may be rated 优秀" in refused.text
        items[0 * 4 + 3]["grade"] = "称职"  # subject 0's ALL: now only one 优秀
        accepted = voter.post("/api/ballot/submit", json={"items": items})
        assert accepted.status_code == 200, accepted.text
        assert accepted.json() == {"status": "submitted", "valid": True, "reason": None}
    setup.close()
    with world.ctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballots")).scalar() == 1


CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def _ballot_form(page_html: str, subject_ids: list[int], top: int = 2) -> dict[str, str]:
    """The ballot form: 称职 everywhere but 优秀 on ALL for the first ``top`` subjects."""
    form = {"_csrf": CSRF.search(page_html).group(1), "action": "submit", "comment": ""}
    for item in full_items(subject_ids):
        best = item["indicator"] == "ALL" and item["subject_id"] in subject_ids[:top]
        form[f"g:{item['subject_id']}:{item['indicator']}"] = "优秀" if best else item["grade"]
    return form


def _page_submit(world, setup, lang: str | None, browser: httpx.Client | None = None):
    """Sign in on the /b/ pages (in ``lang``, or the default) and submit 优秀 on ALL for two of
    the three subjects, over a cap of 1."""
    [account] = setup.issue("县领导", 1)
    with contextlib.nullcontext(browser) if browser else world.client() as browser:
        query = f"?lang={lang}" if lang else ""
        assert browser.get(f"/b/{query}").status_code == 200
        assert browser.post("/b/login", data={"code": account["code"]}).status_code in (200, 302, 303)
        page = browser.get("/b/ballot")
        return browser.post("/b/ballot", data=_ballot_form(page.text, setup.subject_ids))


def test_reject_message_on_the_ballot_pages_says_what_to_change_in_chinese_and_english(world):
    setup = _capped(world, max_ratio=0.5, action="reject")  # 0.5 × 3 = 1.5 -> 1
    setup.open()
    chinese = _page_submit(world, setup, None)  # zh-CN is the default
    assert chinese.status_code == 422
    html = re.sub(r"\s+", " ", chinese.text)
    assert (
        "总体评价 · 综合管理部门：您评了 2 个优秀，3 个对象中最多只能评 1 个。请至少将其中 1 个改为其他等次后再提交。"
        in html
    )
    assert "at most" not in html
    # the two 优秀 of 总体评价 are marked, nothing else
    marked = re.findall(r'<fieldset class="over">.*?name="g:(\d+):(\w+)"', chinese.text, re.S)
    assert sorted(marked) == sorted((str(s), "ALL") for s in setup.subject_ids[:2])
    english = _page_submit(world, setup, "en")
    assert english.status_code == 422
    html = re.sub(r"\s+", " ", english.text)
    assert (
        "总体评价 · 综合管理部门: you rated 2 subjects 优秀, but at most 1 of 3 may be. "
        "Change at least 1 of them to another grade, then submit."
    ) in html
    with world.ctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballots")).scalar() == 0


def test_a_ballot_recorded_invalid_is_told_so_and_why_on_the_done_page(world):
    setup = _capped(world, max_ratio=0.5)  # invalid, not refused: 1 优秀 of 3 allowed
    setup.open()
    with world.client() as browser:
        submitted = _page_submit(world, setup, None, browser)
        assert submitted.status_code == 303 and submitted.headers["location"] == "/b/done"  # nothing in the URL
        done = browser.get("/b/done")
        html = re.sub(r"\s+", " ", done.text)
        assert "您的测评表已提交，但被记为无效票。" in html
        assert "原因：3 个对象中最多 1 个可评为优秀（总体评价 · 综合管理部门：现有 2 个）" in html
        assert "感谢" not in html
        assert re.sub(r"\s+", " ", browser.get("/b/done").text) == html  # a reload: the same receipt
        english = re.sub(r"\s+", " ", browser.get("/b/done?lang=en").text)
        assert "Your ballot has been recorded, but it counts as invalid." in english
        assert "at most 1 of 3 subjects may be rated 优秀 (总体评价, 综合管理部门: 2 are)" in english
        # Back to the ballot: the receipt again, not an error
        back = browser.get("/b/ballot?lang=zh_CN")
        assert back.status_code == 303 and back.headers["location"] == "/b/done"
        # A forged receipt is not shown.
        receipt = browser.cookies.get("kaoping_receipt")
        browser.cookies.clear()
        browser.cookies.set("kaoping_receipt", receipt[:-4] + ("0000" if receipt[-4:] != "0000" else "1111"), path="/b")
        assert browser.get("/b/done").status_code == 303
    with world.client() as stranger:  # no receipt: nothing to confirm
        assert stranger.get("/b/done").headers["location"] == "/b/"
    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert progress["total"]["submitted"] == 1 and progress["total"]["invalid"] == 1


def test_a_valid_ballot_is_thanked_and_the_api_translates_the_reason(world):
    setup = _capped(world, max_ratio=0.5)
    setup.open()
    [account] = setup.issue("县领导", 1)
    with world.client() as browser:
        assert browser.post("/b/login", data={"code": account["code"]}).status_code == 303
        page = browser.get("/b/ballot")
        assert browser.post("/b/ballot", data=_ballot_form(page.text, setup.subject_ids, top=1)).status_code == 303
        html = re.sub(r"\s+", " ", browser.get("/b/done").text)
        assert "提交成功，感谢您的参与！" in html and "无效" not in html
    over = _vote(world, setup, "县领导", 3)
    assert over.json()["reason"] == "at most 1 of 3 subjects may be rated 优秀 (总体评价, 综合管理部门: 3 are)"
    [account] = setup.issue("县领导", 1)
    with world.client() as client:
        token = client.post("/api/ballot/login", json={"code": account["code"]}).json()["token"]
    items = full_items(setup.subject_ids)
    for item in items:
        if item["indicator"] == "ALL":
            item["grade"] = "优秀"
    with world.client(token) as voter:
        answer = voter.post("/api/ballot/submit", json={"items": items}, headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "submitted",
        "valid": False,
        "reason": "3 个对象中最多 1 个可评为优秀（总体评价 · 综合管理部门：现有 3 个）",
    }


def test_cap_reasons_translate_with_their_values():
    from core.i18n import Translator
    from plugins.distribution import cap_reason

    locales = Path(__file__).resolve().parents[2] / "ballots" / "locales"
    zh, en = Translator("zh_CN", locales), Translator("en", locales)
    cap = {"allowed": 2, "total": 15, "grade": "优秀", "indicator_name": "总体评价", "category": "班子成员"}
    both = cap_reason(cap, 3)
    assert both == "at most 2 of 15 subjects may be rated 优秀 (总体评价, 班子成员: 3 are)"
    assert zh.translate(both) == "15 个对象中最多 2 个可评为优秀（总体评价 · 班子成员：现有 3 个）"
    assert en.translate(both) == both
    whole_ballot = cap_reason({**cap, "category": None}, 4)
    assert zh.translate(whole_ballot) == "15 个对象中最多 2 个可评为优秀（总体评价：现有 4 个）"
    # plain message ids still translate, unknown text passes through
    assert zh.translate("this evaluation is closed") == "本次测评已结束。"
    assert zh.translate("something else (x: 1 are)") == "something else (x: 1 are)"


def test_invalid_is_stored_invalid_with_its_reason(world):
    setup = _capped(world, max_ratio=0.5, rounding="ceil")  # 1.5 -> 2
    setup.open()
    over = _vote(world, setup, "县领导", 3)
    assert over.status_code == 200, over.text
    assert over.json() == {
        "status": "submitted",
        "valid": False,
        "reason": "at most 2 of 3 subjects may be rated 优秀 (总体评价, 综合管理部门: 3 are)",
    }
    within = _vote(world, setup, "县领导", 2)
    assert within.json()["valid"] is True
    # while open the validity is sealed in the ballot box, and turnout still counts it
    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert progress["categories"]["县领导"]["valid"] == 1 and progress["categories"]["县领导"]["invalid"] == 1
    setup.close()
    with world.ctx.db.engine.connect() as connection:
        rows = connection.execute(text("SELECT valid, reason FROM ballots ORDER BY valid")).all()
    assert [(bool(v), r) for v, r in rows] == [(False, over.json()["reason"]), (True, "")]
    after = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert after["categories"]["县领导"] == progress["categories"]["县领导"]


@pytest.mark.parametrize(("action", "warned"), [("invalid", True), ("reject", False)])
def test_the_ballot_page_warns_that_going_over_an_invalid_cap_voids_the_ballot(world, action, warned):
    setup = _capped(world, max_ratio=0.5, action=action)
    setup.open()
    [account] = setup.issue("县领导", 1)
    with world.client() as browser:
        assert browser.post("/b/login", data={"code": account["code"]}).status_code in (200, 302, 303)
        page = browser.get("/b/ballot").text
        english = browser.get("/b/ballot?lang=en").text
    assert ("超过此限额的测评表将被记为无效票，不计入结果。" in page) is warned
    assert ("A ballot over this limit is recorded as invalid and does not count." in english) is warned


def test_scope_ballot_and_floor_through_the_api(world):
    setup = _capped(world, max_ratio=0.4, scope="ballot")  # 1.2 -> 1
    setup.open()
    assert _vote(world, setup, "县领导", 1).json()["valid"] is True
    verdict = _vote(world, setup, "县领导", 2).json()
    assert verdict["valid"] is False and verdict["reason"].startswith(
        "at most 1 of 3 subjects may be rated 优秀 (总体评价:"
    )


def test_ballot_page_shows_the_count(world):
    setup = _capped(world, max_ratio=0.5)
    setup.open()
    [account] = setup.issue("县领导", 1)
    with world.client() as browser:
        assert browser.post("/b/login", data={"code": account["code"]}).status_code in (200, 302, 303)
        page = browser.get("/b/ballot?lang=zh_CN")
        assert page.status_code == 200
        html = re.sub(r"\s+", " ", page.text)
        assert '优秀 <span class="cap-count">0</span>/1' in html
        assert "3 个对象中最多 1 个可评为优秀" in html
        assert "cap-count" in html and "addEventListener" in html


def test_campaign_naming_a_policy_needs_the_plugin_enabled(world, monkeypatch):
    from core.scoring import NoOptions
    from core.services import plugins
    from core.services.plugins import check_campaign_plugins

    # Only the policies are under test here: any scoring rule will do.
    rule = type("Rule", (), {"name": "weighted_mean", "options_model": NoOptions})()
    monkeypatch.setattr(plugins, "rules_for", lambda _session, _locality_id: {"weighted_mean": rule})
    with world.office("county-a") as api:
        assert _enable(api).status_code == 200
    world.office("county-b")
    wanted = [{"policy": "ballot_cap", "options": {"max_ratio": 0.15}}]
    with world.ctx.db.read() as session:
        ids = dict(session.execute(text("SELECT code, id FROM localities")).all())
        _, distribution = check_campaign_plugins(session, ids["county-a"], {}, wanted)
        assert distribution == [
            {
                "policy": "ballot_cap",
                "options": {
                    "grade": None,
                    "indicator": None,
                    "max_ratio": 0.15,
                    "rounding": "floor",
                    "scope": "subject_category",
                    "action": "invalid",
                    "accept_zero": False,
                },
            }
        ]
        with pytest.raises(Invalid) as refused:
            check_campaign_plugins(session, ids["county-b"], {}, wanted)
        assert refused.value.status_code == 422
        with pytest.raises(Invalid) as bad:
            check_campaign_plugins(
                session, ids["county-a"], {}, [{"policy": "ballot_cap", "options": {"max_ratio": 2}}]
            )
        assert bad.value.errors[0]["field"] == "distribution[0].options.max_ratio"


def test_disabling_the_plugin_while_an_open_campaign_uses_it_is_refused(world):
    setup = _capped(world, max_ratio=0.5)
    setup.issue("县领导", 1)
    setup.open()
    assert _enable(setup.api, False).status_code == 409
    setup.close()
    assert _enable(setup.api, False).status_code == 200


# --- a rounding that leaves 0 ------------------------------------------------------------------


def test_warnings_name_each_group_a_rounding_leaves_without_the_grade():
    template = _template()
    # A has 4 subjects, B 2: 30 % rounded down allows 1 in A and 0 in B.
    [cap] = BallotCap().warnings(template, SUBJECTS, BallotCapOptions(max_ratio=0.3))
    assert {k: cap[k] for k in ("policy", "grade", "indicator", "group", "total", "allowed")} == {
        "policy": "ballot_cap",
        "grade": "优秀",
        "indicator": "ALL",
        "group": "B",
        "total": 2,
        "allowed": 0,
    }
    assert cap["message"] == (
        "ballot_cap allows 0 of the 2 subjects of B to be rated 优秀 on 总体评价 (30%, rounding floor): "
        "no ballot may give any of them 优秀; raise max_ratio, round up, or set accept_zero if "
        "that is intended"
    )
    assert BallotCap().warnings(template, SUBJECTS, BallotCapOptions(max_ratio=0.3, rounding="round")) == []
    assert BallotCap().warnings(template, SUBJECTS, BallotCapOptions(max_ratio=0.3, accept_zero=True)) == []
    assert BallotCap().warnings(template, SUBJECTS, BallotCapOptions(max_ratio=0)) == []  # zero on purpose
    [whole] = BallotCap().warnings(template, SUBJECTS, BallotCapOptions(max_ratio=0.15, scope="ballot"))  # 0.9 -> 0
    assert whole["group"] is None and whole["total"] == 6 and "of a ballot" in whole["message"]
    # every leaf of a template without an overall indicator
    assert {
        w["indicator"]
        for w in BallotCap().warnings(_template(overall=False), SUBJECTS, BallotCapOptions(max_ratio=0.2))
    } == {"DE1", "JI1"}
    [quota] = ResultQuota().warnings(template, SUBJECTS, ResultQuota.options_model(max_ratio=0.3))
    assert (quota["policy"], quota["group"], quota["total"], quota["allowed"]) == ("result_quota", "B", 2, 0)
    assert ResultQuota().warnings(template, SUBJECTS, ResultQuota.options_model(max_ratio=0.3, accept_zero=True)) == []


def test_a_cap_that_allows_none_is_flagged_when_saved_and_the_campaign_cannot_open(world):
    """15 % of 3 subjects (or 5), rounded down, allows no 优秀: every ballot with one would be
    invalid. The office sees it in the answer of every save, and opening is refused until the
    policy is changed or says zero is intended."""
    setup = make_campaign(world)
    assert _enable(setup.api).status_code == 200
    setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    url = f"/api/campaigns/{setup.campaign_id}"
    patched = setup.api.patch(url, json={"distribution": [{"policy": "ballot_cap", "options": {"max_ratio": 0.15}}]})
    assert patched.status_code == 200, patched.text
    [warning] = patched.json()["warnings"]
    assert warning == {
        "field": "distribution[0].options",
        "policy": "ballot_cap",
        "categories": ["县领导", "基层代表"],
        "grade": "优秀",
        "indicator": "ALL",
        "group": "综合管理部门",
        "total": 3,
        "allowed": 0,
        "message": "ballot_cap allows 0 of the 3 subjects of 综合管理部门 to be rated 优秀 on 总体评价 (15%, rounding floor): "
        "no ballot may give any of them 优秀; raise max_ratio, round up, or set accept_zero if that is intended",
    }
    assert setup.api.get(url).json()["warnings"] == [warning]

    refused = setup.api.post(f"{url}/open", headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 409
    [error] = refused.json()["errors"]
    assert error["field"] == "distribution[0].options" and error["allowed"] == 0
    assert error["message"] == (
        "ballot_cap 规定综合管理部门的 3 个对象中只能有 0 个在“总体评价”上评为优秀（15%，取整方式 floor）："
        "任何测评表都不能把其中的对象评为优秀。请提高 max_ratio、改为向上取整，"
        "或在确属本意时设置 accept_zero"
    )
    assert setup.api.get(url).json()["status"] == "draft"

    # Rounding up allows 1: nothing to flag, and it opens.
    fixed = setup.api.patch(
        url, json={"distribution": [{"policy": "ballot_cap", "options": {"max_ratio": 0.15, "rounding": "ceil"}}]}
    )
    assert fixed.status_code == 200 and fixed.json()["warnings"] == []
    # Zero on purpose (no 优秀 for anyone) is the office's to say.
    meant = setup.api.patch(
        url, json={"distribution": [{"policy": "ballot_cap", "options": {"max_ratio": 0.15, "accept_zero": True}}]}
    )
    assert meant.status_code == 200 and meant.json()["warnings"] == []
    opened = setup.api.post(f"{url}/open")
    assert opened.status_code == 200, opened.text


def test_more_subjects_make_the_same_ratio_allow_some(world):
    """The warning follows the campaign's subjects: with 7 of them 15 % rounded down allows 1."""
    setup = make_campaign(world)
    assert _enable(setup.api).status_code == 200
    created = setup.api.post(
        "/api/localities/county-a/campaigns",
        json={
            "name": "小范围测评",
            "subject_ids": setup.subject_ids[:2],
            "categories": [{"name": "群众", "template_id": setup.template_id}],
            "distribution": [{"policy": "result_quota", "options": {"max_ratio": 0.15}}],
        },
    )
    assert created.status_code == 201, created.text
    [warning] = created.json()["warnings"]
    assert (warning["policy"], warning["group"], warning["total"], warning["allowed"]) == (
        "result_quota",
        "综合管理部门",
        2,
        0,
    )
    more = []
    for index in range(5):
        unit = setup.api.post("/api/localities/county-a/units", json={"code": f"M{index}", "name": f"单位M{index}"})
        more.append(
            setup.api.post(
                "/api/localities/county-a/subjects",
                json={
                    "name": unit.json()["name"],
                    "kind": "unit",
                    "ref_id": unit.json()["id"],
                    "category": "综合管理部门",
                },
            ).json()["id"]
        )
    grown = setup.api.patch(
        f"/api/campaigns/{created.json()['id']}", json={"subject_ids": setup.subject_ids[:2] + more}
    )
    assert grown.status_code == 200 and grown.json()["warnings"] == []
