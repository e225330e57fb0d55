"""Indicator templates over HTTP: the tree round-trips, bad trees are refused with a reason,
copies make new draft versions, a template in use is frozen, and localities stay apart."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.helpers import created, office, ok

SAMPLE = Path(__file__).resolve().parents[3] / "core" / "demo_data" / "template-annual-civil-servant.json"
A = "/api/localities/county-a"

GRADES = [
    {"label": "优秀", "score": 95.0},
    {"label": "称职", "score": 80.0},
    {"label": "基本称职", "score": 65.0},
    {"label": "不称职", "score": 50.0},
]

ATTRIBUTES = (
    "code",
    "name",
    "kind",
    "weight",
    "max_score",
    "overall",
    "standard",
    "basis",
    "data_source",
    "responsible",
    "unit_of_measure",
)
DEFAULTS = {
    "kind": "graded",
    "weight": 1.0,
    "max_score": None,
    "overall": False,
    "standard": "",
    "basis": "",
    "data_source": "",
    "responsible": "",
    "unit_of_measure": "",
}


def leaf(code: str, **fields) -> dict:
    return {"code": code, "name": f"指标{code}", **fields}


# Four levels; siblings deliberately not in code order (Z before A) so order is checked, not sorted;
# every attribute set somewhere with a distinct value.
DEEP = {
    "name": "年度绩效考核指标",
    "grade_scale": GRADES,
    "indicators": [
        {
            "code": "Z1",
            "name": "党的建设",
            "weight": 30,
            "standard": "全面从严治党",
            "basis": "党章",
            "data_source": "组织部",
            "responsible": "县委组织部",
            "unit_of_measure": "分",
            "children": [
                {
                    "code": "Z1.9",
                    "name": "组织建设",
                    "weight": 60.5,
                    "children": [
                        {
                            "code": "Z1.9.b",
                            "name": "支部标准化",
                            "weight": 2,
                            "children": [
                                leaf(
                                    "Z1.9.b.2",
                                    weight=1.25,
                                    standard="达标率100%",
                                    basis="《支部工作条例》",
                                    data_source="党建系统",
                                    responsible="机关党委",
                                    unit_of_measure="%",
                                ),
                                leaf("Z1.9.b.1", weight=3),
                            ],
                        },
                        leaf("Z1.9.a", weight=1),
                    ],
                },
                leaf("Z1.1", kind="numeric", weight=39.5, unit_of_measure="件", data_source="统计局"),
            ],
        },
        {
            "code": "A2",
            "name": "重点工作",
            "weight": 70,
            "children": [
                leaf("A2-3", weight=5),
                leaf("A2-1", weight=5, standard="按期完成"),
            ],
        },
        leaf("ALL", weight=0, overall=True, standard="综合评价"),
        leaf("B_1", kind="bonus", max_score=5, weight=0, basis="表彰文件"),
        leaf("D_1", kind="deduction", max_score=10.5, weight=0),
        leaf("V_1", kind="veto", weight=0, standard="一票否决"),
    ],
}


def expected_tree(items: list[dict]) -> list[dict]:
    """The input tree as the API should answer it: every attribute, defaults filled in, order kept."""
    out = []
    for item in items:
        node = {**DEFAULTS, **{k: v for k, v in item.items() if k != "children"}}
        node["weight"] = float(node["weight"])
        if node["max_score"] is not None:
            node["max_score"] = float(node["max_score"])
        node["children"] = expected_tree(item.get("children", []))
        out.append(node)
    return out


def answered_tree(items: list[dict]) -> list[dict]:
    """The answered tree without ids (ids are the server's), checking each node has exactly the attributes."""
    out = []
    for item in items:
        assert set(item) == {*ATTRIBUTES, "id", "children"}, item
        assert isinstance(item["id"], int)
        out.append({**{k: item[k] for k in ATTRIBUTES}, "children": answered_tree(item["children"])})
    return out


def depth(items: list[dict]) -> int:
    return 1 + max((depth(i["children"]) for i in items if i["children"]), default=0)


def all_ids(items: list[dict]) -> list[int]:
    return [i["id"] for i in items] + [x for i in items for x in all_ids(i["children"])]


def test_a_deep_tree_round_trips_with_every_attribute_and_sibling_order(world):
    api = office(world)
    body = created(api.post(f"{A}/templates", json=DEEP))
    assert body["name"] == DEEP["name"] and body["version"] == 1 and body["status"] == "draft"
    assert body["copied_from_id"] is None
    assert body["grade_scale"] == GRADES
    assert depth(body["indicators"]) == 4
    assert answered_tree(body["indicators"]) == expected_tree(DEEP["indicators"])

    fetched = ok(api.get(f"/api/templates/{body['id']}"))
    assert fetched == body  # what was answered at creation is what is stored
    listed = ok(api.get(f"{A}/templates"))
    assert [t["id"] for t in listed["items"]] == [body["id"]]

    # replace while draft: a different tree (deeper, reordered) takes the place of the old one entirely
    changed = copy.deepcopy(DEEP)
    changed["name"] = "年度绩效考核指标（修订）"
    changed["grade_scale"] = GRADES[:2]
    changed["indicators"][0]["children"][0]["children"][0]["children"][0]["children"] = [
        leaf("Z1.9.b.2.x", weight=7, responsible="办公室"),
        leaf("Z1.9.b.2.a", weight=1),
    ]
    changed["indicators"].reverse()
    replaced = ok(api.put(f"/api/templates/{body['id']}", json=changed))
    assert replaced["id"] == body["id"] and replaced["version"] == 1
    assert replaced["name"] == changed["name"] and replaced["grade_scale"] == GRADES[:2]
    assert depth(replaced["indicators"]) == 5
    assert answered_tree(replaced["indicators"]) == expected_tree(changed["indicators"])
    assert ok(api.get(f"/api/templates/{body['id']}")) == replaced


def test_the_sample_annual_template_is_accepted_as_is(world):
    api = office(world)
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    body = created(api.post(f"{A}/templates", json=sample))
    assert body["name"] == sample["name"]
    assert body["grade_scale"] == [{"label": g["label"], "score": float(g["score"])} for g in sample["grade_scale"]]
    assert answered_tree(body["indicators"]) == expected_tree(sample["indicators"])


def _replace_at(tree: dict, path: list[int], **changes) -> dict:
    data = copy.deepcopy(tree)
    node = {"children": data["indicators"]}
    for index in path:
        node = node["children"][index]
    node.update(changes)
    return data


# (case, template, words the answer must contain)
INVALID = [
    ("duplicate code deep in the tree", _replace_at(DEEP, [0, 0, 0, 1], code="A2-1"), ["A2-1", "unique"]),
    (
        "duplicate sibling codes",
        {"name": "t", "grade_scale": GRADES, "indicators": [leaf("X"), leaf("X")]},
        ["X", "unique"],
    ),
    ("two overall indicators", _replace_at(DEEP, [1, 0], overall=True), ["overall", "ALL", "A2-3"]),
    ("overall on a bonus indicator", _replace_at(DEEP, [3], overall=True), ["B_1", "overall"]),
    ("overall on a numeric indicator", _replace_at(DEEP, [0, 1], overall=True), ["Z1.1", "overall"]),
    (
        "overall on a parent",
        {
            "name": "t",
            "grade_scale": GRADES,
            "indicators": [{"code": "P", "name": "p", "overall": True, "children": [leaf("C")]}],
        },
        ["P", "overall"],
    ),
    (
        "bonus without max_score",
        {"name": "t", "grade_scale": GRADES, "indicators": [leaf("G"), leaf("B", kind="bonus")]},
        ["B", "max_score"],
    ),
    ("deduction without max_score", _replace_at(DEEP, [4], max_score=None), ["D_1", "max_score"]),
    ("children under a numeric indicator", _replace_at(DEEP, [0, 1], children=[leaf("N1")]), ["Z1.1", "children"]),
    (
        "children under a veto indicator",
        {
            "name": "t",
            "grade_scale": GRADES,
            "indicators": [{"code": "V", "name": "v", "kind": "veto", "children": [leaf("V1")]}],
        },
        ["V", "children"],
    ),
    ("negative weight", _replace_at(DEEP, [0, 0, 1], weight=-1), ["weight"]),
    ("a single grade", {"name": "t", "grade_scale": GRADES[:1], "indicators": [leaf("G")]}, ["grade_scale"]),
    ("no grades", {"name": "t", "grade_scale": [], "indicators": [leaf("G")]}, ["grade_scale"]),
    (
        "duplicate grade labels",
        {"name": "t", "grade_scale": [GRADES[0], GRADES[1], {"label": "优秀", "score": 10}], "indicators": [leaf("G")]},
        ["grade_scale", "unique"],
    ),
    ("empty indicators", {"name": "t", "grade_scale": GRADES, "indicators": []}, ["indicators"]),
    ("unknown kind", {"name": "t", "grade_scale": GRADES, "indicators": [leaf("G", kind="essay")]}, ["kind"]),
]


def test_invalid_templates_answer_400_naming_the_problem(world):
    api = office(world)
    draft = created(api.post(f"{A}/templates", json=DEEP))
    for case, data, words in INVALID:
        for response in (api.post(f"{A}/templates", json=data), api.put(f"/api/templates/{draft['id']}", json=data)):
            assert response.status_code == 400, (case, response.status_code, response.text)
            body = response.json()
            message = body["detail"] + " " + " ".join(f"{e['field']} {e['message']}" for e in body["errors"])
            for word in words:
                assert word in message, (case, word, body)
    # nothing was created and the draft was left as it was
    assert [t["id"] for t in ok(api.get(f"{A}/templates"))["items"]] == [draft["id"]]
    assert ok(api.get(f"/api/templates/{draft['id']}")) == draft


def test_zero_weight_is_allowed_for_indicators_that_are_not_weighted(world):
    """The sample template gives its overall, bonus, deduction and veto indicators weight 0."""
    api = office(world)
    body = created(
        api.post(
            f"{A}/templates",
            json={
                "name": "t",
                "grade_scale": GRADES,
                "indicators": [leaf("G", weight=1), leaf("ALL", weight=0, overall=True)],
            },
        )
    )
    assert [i["weight"] for i in body["indicators"]] == [1.0, 0.0]


def test_copy_makes_a_new_draft_version_with_the_same_content(world):
    api = office(world)
    original = created(api.post(f"{A}/templates", json=DEEP))
    first = created(api.post(f"/api/templates/{original['id']}/copy"))
    assert first["id"] != original["id"]
    assert first["version"] == 2 and first["status"] == "draft"
    assert first["copied_from_id"] == original["id"]
    assert first["name"] == original["name"] and first["grade_scale"] == original["grade_scale"]
    assert answered_tree(first["indicators"]) == answered_tree(original["indicators"])
    assert not set(all_ids(first["indicators"])) & set(all_ids(original["indicators"]))  # new rows, not shared

    # the copy is independent: changing it leaves the original alone
    edited = _replace_at(DEEP, [0], name="党建（新）")
    ok(api.put(f"/api/templates/{first['id']}", json=edited))
    assert ok(api.get(f"/api/templates/{original['id']}")) == original

    # the next copy takes the next version number, whichever version it is copied from
    second = created(api.post(f"/api/templates/{original['id']}/copy"))
    assert second["version"] == 3
    third = created(api.post(f"/api/templates/{first['id']}/copy"))
    assert third["version"] == 4
    assert answered_tree(third["indicators"]) == expected_tree(edited["indicators"])
    assert third["copied_from_id"] in (first["id"], original["id"])


def _campaign_with(api, template_id: int) -> int:
    unit = created(api.post(f"{A}/units", json={"code": "U1", "name": "单位"}))
    subject = created(
        api.post(f"{A}/subjects", json={"name": "单位", "kind": "unit", "ref_id": unit["id"], "category": "部门"})
    )
    campaign = created(
        api.post(
            f"{A}/campaigns",
            json={
                "name": "测评",
                "subject_ids": [subject["id"]],
                "categories": [{"name": "代表", "template_id": template_id}],
            },
        )
    )
    created(api.post(f"/api/campaigns/{campaign['id']}/accounts", json={"category": "代表", "count": 1}))
    return campaign["id"]


def test_a_template_used_by_an_opened_campaign_is_frozen_but_can_be_copied(world):
    api = office(world)
    template = created(api.post(f"{A}/templates", json=DEEP))
    campaign_id = _campaign_with(api, template["id"])
    # still a draft while the campaign is a draft
    assert ok(api.put(f"/api/templates/{template['id']}", json=DEEP))["status"] == "draft"
    ok(api.post(f"/api/campaigns/{campaign_id}/open"))

    frozen = ok(api.get(f"/api/templates/{template['id']}"))
    assert frozen["status"] == "frozen"
    refused = api.put(f"/api/templates/{template['id']}", json=_replace_at(DEEP, [0], name="改"))
    assert refused.status_code == 409, refused.text
    assert "frozen" in refused.json()["detail"]
    assert ok(api.get(f"/api/templates/{template['id']}")) == frozen

    copied = created(api.post(f"/api/templates/{template['id']}/copy"))
    assert copied["status"] == "draft" and copied["version"] == 2 and copied["copied_from_id"] == template["id"]
    assert answered_tree(copied["indicators"]) == answered_tree(frozen["indicators"])
    edited = ok(api.put(f"/api/templates/{copied['id']}", json=_replace_at(DEEP, [0], name="改")))
    assert edited["indicators"][0]["name"] == "改"
    assert ok(api.get(f"/api/templates/{template['id']}")) == frozen


def test_another_locality_cannot_see_or_change_a_template(world):
    api = office(world, "county-a")
    other = office(world, "county-b")
    template = created(api.post(f"{A}/templates", json=DEEP))
    url = f"/api/templates/{template['id']}"
    for response in (other.get(url), other.put(url, json=DEEP), other.post(f"{url}/copy")):
        assert response.status_code == 404, (response.request.method, response.request.url, response.text)
        assert str(template["name"]) not in response.text
    assert other.get("/api/localities/county-a/templates").status_code == 404
    assert ok(other.get("/api/localities/county-b/templates"))["items"] == []
    # nothing changed, nothing copied
    assert ok(api.get(url)) == template
    assert [t["id"] for t in ok(api.get(f"{A}/templates"))["items"]] == [template["id"]]
    # and an id that exists nowhere answers the same
    assert api.get("/api/templates/999999").status_code == 404
