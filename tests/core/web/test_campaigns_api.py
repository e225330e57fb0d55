"""Ballot campaigns over HTTP (office side): lifecycle, the completeness check before opening,
what may change when, the voting window, one-time accounts and the audit trail."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import httpx
from sqlalchemy import text

from core.security import Keyring
from tests.conftest import TEST_SECRET_KEY
from tests.helpers import created, office, ok

A = "/api/localities/county-a"
CODE_SHAPE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
BEIJING = timezone(timedelta(hours=8))

GRADES = [
    {"label": "优秀", "score": 95},
    {"label": "称职", "score": 80},
    {"label": "基本称职", "score": 65},
    {"label": "不称职", "score": 50},
]
TEMPLATE = {
    "name": "民主测评表",
    "grade_scale": GRADES,
    "indicators": [
        {"code": "DE", "name": "德", "weight": 40, "children": [{"code": "DE1", "name": "政治品德"}]},
        {"code": "JI", "name": "绩", "weight": 60},
    ],
}
# A valid template with nothing to vote on: its only graded indicator is a parent of a numeric one.
NOTHING_TO_GRADE = {
    "name": "数据表",
    "grade_scale": GRADES,
    "indicators": [
        {"code": "P", "name": "数据", "children": [{"code": "P1", "name": "件数", "kind": "numeric"}]},
        {"code": "B", "name": "加分", "kind": "bonus", "max_score": 3},
    ],
}


def refused(response, status: int, *words: str, field: str | None = None) -> dict:
    """An error answer in the one error shape, whose text names ``words`` (and ``field`` when given)."""
    assert response.status_code == status, (response.request.method, response.request.url, response.text)
    body = response.json()
    assert body["status_code"] == status and body["detail"]
    text_ = body["detail"] + " " + " ".join(f"{e['field']} {e['message']}" for e in body["errors"])
    for word in words:
        assert word in text_, (word, body)
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


def subject(api, code: str, category: str, base: str = A) -> int:
    unit = created(api.post(f"{base}/units", json={"code": code, "name": f"单位{code}"}))
    return created(
        api.post(
            f"{base}/subjects", json={"name": unit["name"], "kind": "unit", "ref_id": unit["id"], "category": category}
        )
    )["id"]


def template(api, data: dict = TEMPLATE, base: str = A) -> int:
    return created(api.post(f"{base}/templates", json=data))["id"]


def login(world, code: str) -> httpx.Response:
    with world.client() as client:
        return client.post("/api/ballot/login", json={"code": code})


def submit(world, token: str, subject_ids: list[int]) -> httpx.Response:
    items = [{"subject_id": s, "indicator": code, "grade": "称职"} for s in subject_ids for code in ("DE1", "JI")]
    with world.client(token) as voter:
        return voter.post("/api/ballot/submit", json={"items": items})


@dataclass
class Ready:
    """A campaign in county-a that can open: 2 subjects, categories 领导 and 群众, one template."""

    api: httpx.Client
    id: int
    subject_ids: list[int]
    template_id: int
    accounts: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"/api/campaigns/{self.id}"

    def issue(self, category: str, count: int) -> list[dict]:
        body = created(self.api.post(f"{self.url}/accounts", json={"category": category, "count": count}))
        self.accounts.setdefault(category, []).extend(body["accounts"])
        return body["accounts"]

    def get(self) -> dict:
        return ok(self.api.get(self.url))


def ready(api, *, issue: bool = True) -> Ready:
    subjects = [subject(api, "U1", "部门"), subject(api, "U2", "部门")]
    template_id = template(api)
    campaign = created(
        api.post(
            f"{A}/campaigns",
            json={
                "name": "2026年度民主测评",
                "kind": "democratic",
                "subject_ids": subjects,
                "categories": [
                    {"name": "领导", "weight": 40, "template_id": template_id},
                    {"name": "群众", "weight": 60, "template_id": template_id, "subject_categories": ["部门"]},
                ],
            },
        )
    )
    setup = Ready(api=api, id=campaign["id"], subject_ids=subjects, template_id=template_id)
    if issue:
        setup.issue("领导", 3)
        setup.issue("群众", 2)
    return setup


def canonical(code: str) -> str:
    return code.replace("-", "")


# --- lifecycle -------------------------------------------------------------------------------


def test_lifecycle_draft_open_closed_and_the_wrong_transitions(world):
    c = ready(office(world))
    assert c.get()["status"] == "draft"
    refused(c.api.post(f"{c.url}/close"), 409, "draft")
    assert c.get()["status"] == "draft"
    code = c.accounts["领导"][0]["code"]
    refused(login(world, code), 409)  # not open yet

    opened = ok(c.api.post(f"{c.url}/open"))
    assert opened["status"] == "open" and c.get()["status"] == "open"
    assert ok(c.api.get(f"/api/templates/{c.template_id}"))["status"] == "frozen"
    refused(c.api.post(f"{c.url}/open"), 409, "open")
    assert ok(login(world, code))["token"]

    assert ok(c.api.post(f"{c.url}/close"))["status"] == "closed"
    refused(login(world, c.accounts["领导"][1]["code"]), 409)
    assert c.get()["status"] == "closed"
    refused(c.api.post(f"{c.url}/close"), 409, "closed")
    refused(c.api.post(f"{c.url}/open"), 409, "closed")
    refused(c.api.patch(c.url, json={"name": "改名"}), 409)
    assert c.get()["name"] == "2026年度民主测评" and c.get()["status"] == "closed"
    listed = ok(c.api.get(f"{A}/campaigns"))
    assert [(x["id"], x["status"]) for x in listed["items"]] == [(c.id, "closed")]


def test_open_refuses_and_lists_everything_that_is_missing(world):
    api = office(world)
    empty = created(api.post(f"{A}/campaigns", json={"name": "空"}))
    body = refused(api.post(f"/api/campaigns/{empty['id']}/open"), 409, "no subjects", "no evaluator categories")
    assert len(body["errors"]) == 2
    assert ok(api.get(f"/api/campaigns/{empty['id']}"))["status"] == "draft"

    s1, s2 = subject(api, "U1", "部门"), subject(api, "U2", "乡镇")
    good, nothing = template(api), template(api, NOTHING_TO_GRADE)
    campaign = created(
        api.post(
            f"{A}/campaigns",
            json={
                "name": "测评",
                "subject_ids": [s1, s2],
                "categories": [
                    {"name": "无模板"},
                    {"name": "无评分项", "template_id": nothing},
                    {"name": "无账号", "template_id": good},
                    {"name": "不匹配", "template_id": good, "subject_categories": ["不存在的类别"]},
                    {"name": "正常", "template_id": good, "subject_categories": ["部门", "别的"]},
                ],
            },
        )
    )
    url = f"/api/campaigns/{campaign['id']}"
    for name in ("无模板", "无评分项", "不匹配", "正常"):
        created(api.post(f"{url}/accounts", json={"category": name, "count": 1}))
    [revoked] = created(api.post(f"{url}/accounts", json={"category": "无账号", "count": 1}))["accounts"]
    ok(api.post(f"{url}/accounts/{revoked['id']}/revoke"))  # a revoked account is no account

    body = refused(api.post(f"{url}/open"), 409)
    problems = [e["message"] for e in body["errors"]]
    assert len(problems) == 4, problems
    by_category = {
        name: [p for p in problems if name in p] for name in ("无模板", "无评分项", "无账号", "不匹配", "正常")
    }
    assert by_category["正常"] == [], problems
    assert "template" in " ".join(by_category["无模板"]), problems
    assert "graded" in " ".join(by_category["无评分项"]), problems
    assert "accounts" in " ".join(by_category["无账号"]), problems
    assert "不存在的类别" in " ".join(by_category["不匹配"]), problems
    for problem in problems:
        assert problem in body["detail"]
    assert ok(api.get(url))["status"] == "draft"
    assert ok(api.get(f"/api/templates/{good}"))["status"] == "draft"  # nothing frozen by a refused open

    # mend each problem; then it opens
    ok(
        api.patch(
            url,
            json={
                "categories": [
                    {"name": "无模板", "template_id": good},
                    {"name": "无评分项", "template_id": good},
                    {"name": "无账号", "template_id": good},
                    {"name": "不匹配", "template_id": good, "subject_categories": ["乡镇"]},
                    {"name": "正常", "template_id": good, "subject_categories": ["部门", "别的"]},
                ]
            },
        )
    )
    body = refused(api.post(f"{url}/open"), 409, "无账号")
    assert len(body["errors"]) == 1
    created(api.post(f"{url}/accounts", json={"category": "无账号", "count": 1}))
    assert ok(api.post(f"{url}/open"))["status"] == "open"


def test_patch_in_draft_changes_subjects_and_categories(world):
    c = ready(office(world), issue=False)
    s3 = subject(c.api, "U3", "乡镇")
    other_template = template(c.api)
    changed = ok(
        c.api.patch(
            c.url,
            json={
                "name": "改名",
                "kind": "annual",
                "subject_ids": [c.subject_ids[1], s3],
                "scoring": {"rule": "weighted_mean", "options": {"thresholds": [{"grade": "优秀", "min_score": 90}]}},
                "categories": [
                    {"name": "群众", "weight": 2.5, "template_id": other_template, "subject_categories": ["乡镇"]},
                    {"name": "干部", "weight": 1, "template_id": c.template_id},
                ],
            },
        )
    )
    assert changed == c.get()
    assert changed["name"] == "改名" and changed["kind"] == "annual" and changed["status"] == "draft"
    assert sorted(changed["subject_ids"]) == sorted([c.subject_ids[1], s3])
    assert changed["scoring"] == {
        "rule": "weighted_mean",
        "options": {"thresholds": [{"grade": "优秀", "min_score": 90.0}]},
    }
    assert [(x["name"], x["weight"], x["template_id"], x["subject_categories"]) for x in changed["categories"]] == [
        ("群众", 2.5, other_template, ["乡镇"]),
        ("干部", 1.0, c.template_id, []),
    ]

    # a category that already has accounts cannot be dropped; the refused change leaves everything as it was
    c.issue("干部", 1)
    before = c.get()
    refused(
        c.api.patch(c.url, json={"subject_ids": [s3], "categories": [{"name": "群众", "template_id": other_template}]}),
        409,
        "干部",
    )
    assert c.get() == before
    # a subject or a category listed twice is refused, as at creation
    refused(c.api.patch(c.url, json={"subject_ids": [s3, s3]}), 400, "subject_ids")
    refused(
        c.api.patch(c.url, json={"categories": [{"name": "群众"}, {"name": "干部"}, {"name": "群众"}]}),
        400,
        "categories",
    )
    refused(c.api.post(f"{A}/campaigns", json={"name": "x", "subject_ids": [s3, s3]}), 400, "subject_ids")
    assert c.get() == before
    # an empty subject list is a change too
    assert ok(c.api.patch(c.url, json={"subject_ids": []}))["subject_ids"] == []


def test_while_open_only_the_name_and_window_may_change(world):
    c = ready(office(world))
    ok(c.api.post(f"{c.url}/open"))
    opens = datetime(2026, 1, 1, 8, 0, tzinfo=BEIJING)
    closes = datetime(2099, 1, 10, 18, 0, tzinfo=BEIJING)
    changed = ok(
        c.api.patch(c.url, json={"name": "新名称", "opens_at": opens.isoformat(), "closes_at": closes.isoformat()})
    )
    assert changed["name"] == "新名称" and changed["status"] == "open"
    assert datetime.fromisoformat(changed["opens_at"]) == opens  # the same instant, whatever the offset
    assert datetime.fromisoformat(changed["closes_at"]) == closes
    assert c.get() == changed

    s3 = subject(c.api, "U3", "部门")
    for patch in (
        {"subject_ids": [s3]},
        {"categories": [{"name": "领导", "template_id": c.template_id}]},
        {"kind": "annual"},
        {"scoring": {"x": 1}},
        {"distribution": [{"a": 1}]},
        {"name": "又改名", "subject_ids": c.subject_ids},
    ):
        body = refused(c.api.patch(c.url, json=patch), 409)
        for key in patch:
            if key != "name":
                assert key in body["detail"], (patch, body)
    assert c.get() == changed


def test_closes_at_must_be_after_opens_at(world):
    api = office(world)
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for closes in (start - timedelta(minutes=1), start):
        refused(
            api.post(
                f"{A}/campaigns", json={"name": "x", "opens_at": start.isoformat(), "closes_at": closes.isoformat()}
            ),
            400,
            "closes_at",
        )
    assert ok(api.get(f"{A}/campaigns"))["items"] == []

    # a window given in Beijing time is kept as the same instants
    opens, closes = datetime(2026, 3, 2, 8, 0, tzinfo=BEIJING), datetime(2026, 3, 2, 17, 30, tzinfo=BEIJING)
    windowed = created(
        api.post(
            f"{A}/campaigns", json={"name": "有时间", "opens_at": opens.isoformat(), "closes_at": closes.isoformat()}
        )
    )
    got = ok(api.get(f"/api/campaigns/{windowed['id']}"))
    assert (datetime.fromisoformat(got["opens_at"]), datetime.fromisoformat(got["closes_at"])) == (opens, closes)

    c = ready(api)
    ok(c.api.patch(c.url, json={"opens_at": start.isoformat()}))
    refused(
        c.api.patch(c.url, json={"closes_at": (start - timedelta(hours=1)).isoformat()}),
        422,
        "closes_at",
        field="closes_at",
    )
    ok(c.api.patch(c.url, json={"closes_at": (start + timedelta(hours=1)).isoformat()}))
    # moving only the start past the end is the same mistake (+08:00: 18:00 here is 10:00 UTC, after 09:00+1h)
    refused(
        c.api.patch(c.url, json={"opens_at": datetime(2026, 3, 1, 18, 0, tzinfo=BEIJING).isoformat()}), 422, "closes_at"
    )
    ok(c.api.post(f"{c.url}/open"))
    refused(c.api.patch(c.url, json={"closes_at": (start - timedelta(days=1)).isoformat()}), 422, "closes_at")
    got = c.get()
    assert datetime.fromisoformat(got["opens_at"]) == start
    assert datetime.fromisoformat(got["closes_at"]) == start + timedelta(hours=1)


def test_unknown_or_foreign_subjects_and_templates_are_refused_naming_the_field(world):
    api = office(world)
    other = office(world, "county-b")
    mine = subject(api, "U1", "部门")
    foreign_subject = subject(other, "U1", "部门", base="/api/localities/county-b")
    foreign_template = template(other, base="/api/localities/county-b")

    cases = [
        ({"subject_ids": [mine, 999999]}, "subject_ids"),
        ({"subject_ids": [foreign_subject]}, "subject_ids"),
        ({"categories": [{"name": "甲", "template_id": foreign_template}]}, "categories[0].template_id"),
        ({"categories": [{"name": "甲"}, {"name": "乙", "template_id": 999999}]}, "categories[1].template_id"),
    ]
    for extra, name in cases:
        refused(api.post(f"{A}/campaigns", json={"name": "x", **extra}), 422, field=name)
    assert ok(api.get(f"{A}/campaigns"))["items"] == []  # nothing half-created

    campaign = created(api.post(f"{A}/campaigns", json={"name": "x", "subject_ids": [mine]}))
    for extra, name in cases:
        refused(api.patch(f"/api/campaigns/{campaign['id']}", json=extra), 422, field=name)
    assert ok(api.get(f"/api/campaigns/{campaign['id']}")) == campaign


def test_the_voting_window_is_enforced_at_login_and_submit(world):
    c = ready(office(world))
    ok(c.api.post(f"{c.url}/open"))
    now = datetime.now(UTC)
    codes = [a["code"] for a in c.accounts["领导"]]

    ok(c.api.patch(c.url, json={"opens_at": (now + timedelta(hours=1)).astimezone(BEIJING).isoformat()}))
    refused(login(world, codes[0]), 409)
    ok(
        c.api.patch(
            c.url,
            json={
                "opens_at": (now - timedelta(hours=1)).astimezone(BEIJING).isoformat(),
                "closes_at": (now + timedelta(hours=1)).astimezone(BEIJING).isoformat(),
            },
        )
    )
    token = ok(login(world, codes[0]))["token"]
    early_voter = ok(login(world, codes[1]))["token"]
    assert ok(submit(world, early_voter, c.subject_ids))["status"] == "submitted"

    ok(c.api.patch(c.url, json={"closes_at": (datetime.now(UTC) - timedelta(seconds=1)).isoformat()}))
    assert c.get()["status"] == "open"  # still open by status, but the window has passed
    refused(login(world, codes[2]), 409)
    refused(submit(world, token, c.subject_ids), 409)
    progress = ok(c.api.get(f"{c.url}/progress"))
    assert progress["total"]["submitted"] == 1


# --- accounts --------------------------------------------------------------------------------


def test_issued_codes_are_well_formed_unique_and_stored_only_as_hmacs(world):
    c = ready(office(world), issue=False)
    first = created(c.api.post(f"{c.url}/accounts", json={"category": "领导", "count": 150}))
    second = created(c.api.post(f"{c.url}/accounts", json={"category": "群众", "count": 20}))
    assert set(first) == {"batch", "accounts"} and first["batch"] != second["batch"]
    issued = first["accounts"] + second["accounts"]
    for body, category, count in ((first, "领导", 150), (second, "群众", 20)):
        assert len(body["accounts"]) == count
        for account in body["accounts"]:
            assert set(account) == {"id", "code", "category", "status", "batch"}, account
            assert account["category"] == category and account["status"] == "issued"
            assert account["batch"] == body["batch"]
            assert CODE_SHAPE.match(account["code"]), account["code"]
    codes = [a["code"] for a in issued]
    assert len(set(codes)) == len(codes)
    assert len({a["id"] for a in issued}) == len(issued)

    listing = c.api.get(f"{c.url}/accounts", params={"limit": 1000})
    listed = ok(listing)["items"]
    assert ok(listing)["total"] == len(issued)
    assert sorted(a["id"] for a in listed) == sorted(a["id"] for a in issued)
    assert all(a.get("code") is None for a in listed)
    for code in codes:
        assert code not in listing.text and canonical(code) not in listing.text
    assert [a["id"] for a in ok(c.api.get(f"{c.url}/accounts", params={"category": "群众"}))["items"]] == [
        a["id"] for a in second["accounts"]
    ]

    keys = Keyring(TEST_SECRET_KEY)
    with world.ctx.db.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM ballot_accounts")).mappings().all()
    assert {row["code_hash"] for row in rows} == {keys.token_hash(canonical(code)) for code in codes}
    dump = "\n".join(str(dict(row)) for row in rows)
    for code in codes:
        assert code not in dump and canonical(code) not in dump

    # each issued code signs in, once the campaign is open
    ok(c.api.post(f"{c.url}/open"))
    assert ok(login(world, codes[0]))["token"]
    assert ok(login(world, codes[-1]))["token"]


def test_spare_revoke_replace_and_close(world):
    c = ready(office(world))
    ok(c.api.post(f"{c.url}/open"))
    [spare] = c.issue("群众", 1)  # spare accounts while open
    assert spare["category"] == "群众"
    assert ok(login(world, spare["code"]))["token"]

    voter, lost, kept = c.accounts["领导"]
    assert ok(submit(world, ok(login(world, voter["code"]))["token"], c.subject_ids))["status"] == "submitted"
    refused(c.api.post(f"{c.url}/accounts/{voter['id']}/revoke"), 409, "submitted")
    refused(c.api.post(f"{c.url}/accounts/{voter['id']}/replace"), 409, "submitted")

    response = c.api.post(f"{c.url}/accounts/{lost['id']}/replace")
    assert response.status_code in (200, 201), response.text
    new = response.json()
    assert new["id"] != lost["id"] and new["category"] == "领导" and new["status"] == "issued"
    assert CODE_SHAPE.match(new["code"]) and new["code"] != lost["code"]
    assert new["code"] not in [a["code"] for accounts in c.accounts.values() for a in accounts]
    refused(login(world, lost["code"]), 403)
    token = ok(login(world, new["code"]))["token"]
    with world.client(token) as client:
        assert ok(client.get("/api/ballot"))["category"] == "领导"
    statuses = {a["id"]: a["status"] for a in ok(c.api.get(f"{c.url}/accounts"))["items"]}
    assert statuses[lost["id"]] == "revoked" and statuses[new["id"]] == "logged_in"
    assert statuses[voter["id"]] == "submitted"
    refused(c.api.post(f"{c.url}/accounts/{lost['id']}/revoke"), 409)  # already revoked

    ok(c.api.post(f"{c.url}/close"))
    refused(c.api.post(f"{c.url}/accounts", json={"category": "领导", "count": 1}), 409)
    refused(c.api.post(f"{c.url}/accounts/{kept['id']}/revoke"), 409)
    refused(c.api.post(f"{c.url}/accounts/{kept['id']}/replace"), 409)
    assert ok(c.api.get(f"{c.url}/accounts"))["total"] == 7  # 5 + the spare + the replacement


def test_bad_account_requests(world):
    c = ready(office(world), issue=False)
    for count in (0, -1, 100_001, 10**9):  # one call issues at most MAX_ACCOUNTS_PER_CALL (100,000)
        refused(c.api.post(f"{c.url}/accounts", json={"category": "领导", "count": count}), 400, "count")
    refused(c.api.post(f"{c.url}/accounts", json={"category": "领导"}), 400, "count")
    refused(
        c.api.post(f"{c.url}/accounts", json={"category": "无此类别", "count": 1}), 422, "无此类别", field="category"
    )
    assert ok(c.api.get(f"{c.url}/accounts"))["items"] == []

    other = created(
        c.api.post(
            f"{A}/campaigns", json={"name": "另一个", "categories": [{"name": "领导", "template_id": c.template_id}]}
        )
    )
    [theirs] = created(c.api.post(f"/api/campaigns/{other['id']}/accounts", json={"category": "领导", "count": 1}))[
        "accounts"
    ]
    for action in ("revoke", "replace"):
        refused(c.api.post(f"{c.url}/accounts/{theirs['id']}/{action}"), 404)  # an account of another campaign
        refused(c.api.post(f"{c.url}/accounts/999999/{action}"), 404)
    assert [a["status"] for a in ok(c.api.get(f"/api/campaigns/{other['id']}/accounts"))["items"]] == ["issued"]


def test_another_locality_gets_404_for_the_campaign_and_its_accounts(world):
    c = ready(office(world))
    other = office(world, "county-b")
    [account, *_] = c.accounts["领导"]
    before = c.get()
    requests = [
        ("GET", c.url, None),
        ("PATCH", c.url, {"name": "偷改"}),
        ("POST", f"{c.url}/open", None),
        ("POST", f"{c.url}/close", None),
        ("GET", f"{c.url}/accounts", None),
        ("POST", f"{c.url}/accounts", {"category": "领导", "count": 1}),
        ("POST", f"{c.url}/accounts/{account['id']}/revoke", None),
        ("POST", f"{c.url}/accounts/{account['id']}/replace", None),
        ("GET", f"{c.url}/progress", None),
        ("GET", f"{A}/campaigns", None),
    ]
    for method, url, body in requests:
        response = other.request(method, url, json=body)
        assert response.status_code == 404, (method, url, response.status_code, response.text)
        assert "2026年度民主测评" not in response.text
    assert ok(other.get("/api/localities/county-b/campaigns"))["items"] == []
    assert c.get() == before
    assert [a["status"] for a in ok(c.api.get(f"{c.url}/accounts"))["items"]] == ["issued"] * 5


def test_every_write_is_audited_without_any_code(world):
    c = ready(office(world))
    ok(c.api.patch(c.url, json={"name": "已改名"}))
    ok(c.api.post(f"{c.url}/open"))
    extra = c.issue("群众", 2)
    first, second, *_ = c.accounts["领导"]
    ok(c.api.post(f"{c.url}/accounts/{first['id']}/revoke"))
    new = c.api.post(f"{c.url}/accounts/{second['id']}/replace").json()
    ok(c.api.post(f"{c.url}/close"))

    response = c.api.get(f"{A}/audit")
    entries = ok(response)["items"]
    actions = [(e["action"], e["target_type"], e["target_id"]) for e in reversed(entries)]
    campaign = str(c.id)
    expected = [
        ("template.create", "template", str(c.template_id)),
        ("campaign.create", "campaign", campaign),
        ("accounts.issue", "campaign", campaign),
        ("accounts.issue", "campaign", campaign),
        ("campaign.update", "campaign", campaign),
        ("campaign.open", "campaign", campaign),
        ("accounts.issue", "campaign", campaign),
        ("account.revoke", "account", str(first["id"])),
        ("account.replace", "account", str(second["id"])),
        ("campaign.close", "campaign", campaign),
    ]
    campaign_actions = [a for a in actions if a[0].split(".")[0] in ("template", "campaign", "accounts", "account")]
    assert campaign_actions == expected, actions
    assert all(e["actor"] == "office-county-a" for e in entries if e["action"] in {a[0] for a in expected})
    update = next(e for e in entries if e["action"] == "campaign.update")
    assert "已改名" in json.dumps(update["summary"], ensure_ascii=False)

    every_code = [a["code"] for accounts in c.accounts.values() for a in accounts] + [new["code"]]
    assert len(every_code) == 8 and extra[0]["code"] in every_code
    for code in every_code:
        assert code not in response.text and canonical(code) not in response.text
    with world.ctx.db.engine.connect() as connection:
        stored = "\n".join(str(row) for row in connection.execute(text("SELECT * FROM audit_log")))
    for code in every_code:
        assert code not in stored and canonical(code) not in stored


# --- periods ---------------------------------------------------------------------------------


def test_a_campaigns_period_is_read_as_typed_and_answered_canonically(world):
    api = office(world)
    campaign = created(api.post(f"{A}/campaigns", json={"name": "季度考核", "period": "2026年第四季度"}))
    assert campaign["period"] == "2026-Q4"
    url = f"/api/campaigns/{campaign['id']}"
    assert ok(api.patch(url, json={"period": "２０２６年１１月"}))["period"] == "2026-11"
    assert ok(api.patch(url, json={"name": "月度考核"}))["period"] == "2026-11"  # left alone
    assert ok(api.patch(url, json={"period": ""}))["period"] == ""
    assert ok(api.patch(url, json={"period": "2026"}))["period"] == "2026"
    assert ok(api.patch(url, json={"period": None}))["period"] == ""
    assert created(api.post(f"{A}/campaigns", json={"name": "无期间"}))["period"] == ""
    for bad in ("2026-13", "今年", "2026.1"):
        body = refused(api.post(f"{A}/campaigns", json={"name": "错", "period": bad}), 422, repr(bad), field="period")
        assert "is not a period" in body["detail"] or "ambiguous" in body["detail"]
        refused(api.patch(url, json={"period": bad}), 422, repr(bad), field="period")
    assert ok(api.get(url))["period"] == ""
    zh = api.post(f"{A}/campaigns", json={"name": "错", "period": "2026-13"}, headers={"Accept-Language": "zh-CN"})
    assert zh.json()["errors"] == [
        {"field": "period", "message": "'2026-13' 不是有效的期间：没有这样的日、周、月、季度或半年"}
    ]
    # with another fault beside it, the body is malformed: 400
    refused(api.post(f"{A}/campaigns", json={"name": "错", "period": "2026-13", "kind": "weekly"}), 400, "period")


def test_a_campaigns_period_must_be_of_the_kind_its_templates_take(world):
    api = office(world)
    s1 = subject(api, "U1", "部门")
    monthly = template(api, {**TEMPLATE, "name": "月度考核表", "period_kind": "month"})
    loose = template(api)
    categories = [{"name": "领导", "template_id": monthly}]
    body = refused(
        api.post(
            f"{A}/campaigns",
            json={"name": "考核", "period": "2026年第四季度", "subject_ids": [s1], "categories": categories},
        ),
        422,
        field="period",
    )
    assert body["errors"] == [
        {
            "field": "period",
            "message": f"period 2026-Q4 is not of the kind template {monthly} "
            f"of category 领导 takes: its values are for periods like "
            f"2026-10",
        }
    ]
    assert ok(api.get(f"{A}/campaigns"))["total"] == 0  # nothing saved

    campaign = created(
        api.post(
            f"{A}/campaigns", json={"name": "考核", "period": "2026/11", "subject_ids": [s1], "categories": categories}
        )
    )
    url = f"/api/campaigns/{campaign['id']}"
    refused(api.patch(url, json={"period": "2026"}), 422, "2026", f"template {monthly}", field="period")
    # changing the categories is checked against the period too
    ok(api.patch(url, json={"categories": [{"name": "领导", "template_id": loose}]}))
    ok(api.patch(url, json={"period": "2026"}))
    refused(api.patch(url, json={"categories": categories}), 422, "like 2026-01", field="period")
    assert ok(api.get(url))["period"] == "2026"

    # No period at all: it can be saved (a draft in progress) but not opened.
    ok(api.patch(url, json={"period": "", "categories": categories}))
    created(api.post(f"{url}/accounts", json={"category": "领导", "count": 1}))
    body = refused(api.post(f"{url}/open"), 409, "no period", field="")
    assert [e["message"] for e in body["errors"]] == [
        f"category 领导: the campaign has no period, but its template {monthly} takes values for periods like 2026-11"
    ]
    zh = api.post(f"{url}/open", headers={"Accept-Language": "zh-CN"})
    assert zh.json()["errors"][0]["message"] == (
        f"类别“领导”：测评未设期间，但其指标模板 {monthly} 的指标值按 2026-11 这样的期间填报"
    )
    # A template whose kind changed after the campaign was saved is caught when it opens.
    ok(api.patch(url, json={"period": "2026-11"}))
    ok(api.put(f"/api/templates/{monthly}", json={**TEMPLATE, "period_kind": "year"}))
    body = refused(api.post(f"{url}/open"), 409, "period 2026-11 is not of the kind", "like 2026")
    assert len(body["errors"]) == 1
    ok(api.patch(url, json={"period": "2026年度"}))
    assert ok(api.post(f"{url}/open"))["status"] == "open"
