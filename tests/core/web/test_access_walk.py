"""Every route of the app, tried by everyone who must not get at a locality's data.

The walk takes the routes from the app itself (the core's API and /admin pages, the plugins'
routes and pages: ballots, the example plugin, the worklog, goals, the cadre cloud), fills every
path parameter with a real id of county-a's objects (by the route's area where a name means
different things: a worklog entry's comment under /worklog/, a goal's under /goals/), and calls
each method as: an anonymous caller, users of county-b of every role (its organisation
department among them; every plugin enabled there too), and county-a's roles below the office
(unit admin, leader, cadre, assessment group, public). The rules are core/services/access.py's
and the plugins': a locality's data is for its own users (404 to others, never 403, so ids do
not leak), ``ADMIN_READ_ROLES`` may read, ``OFFICE_ROLES`` may change (a unit admin also its own
unit's people); a worklog entry is for its author, the office and its unit's leaders; a draft
goal for its unit and the office; the cadre cloud for the organisation department. So:

- an outsider (anonymous, county-b) never gets a 2xx from a route that is not public (county-b's
  users: from one that names county-a or one of its things), and no answer, whatever its status,
  ever holds county-a's data;
- a leader or cadre of county-a never gets county-a's data nor changes anything (a cadre, who
  is a person, reads its own pages /me/..., never another's record);
- a unit admin changes nothing but people, never reads the audit log or the user list, and
  never sees people of another unit, nor the plugins' objects (none is of its unit).

county-a's data is recognisable: every name of it holds ``MARK`` (and the person of another
unit than the unit admin's, and every plugin object, also ``OTHER``). A new route parameter
fails the walk until the walk is told which id to put there. After the walk, the owners of the
plugins' objects still read each of them: the ids were real and nothing was lost.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from core.models import Indicator, Role, User
from core.services import auth
from core.services.access import ADMIN_READ_ROLES, OFFICE_ROLES
from tests.campaign_setup import TEMPLATE
from tests.helpers import created, ok

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")

MARK = "MARKA"  # in every name of county-a's data
OTHER = "OTHERA"  # in the person of the unit the unit admin does not run
A = "/api/localities/county-a"
# Core routes anyone may call (plugin routes say so themselves: opt={"public": True}).
CORE_PUBLIC = {
    "/",
    "/health",
    "/admin/login",
    "/static/{file_path:path}",
    "/schema",
    "/schema/swagger",
    "/schema/{path:str}",
    "/schema/openapi.json",
    "/schema/oauth2-redirect.html",
    "/activate",
    "/api/activate",
}
# Signing in and out, and one's own password: about the caller, not a locality's data.
SELF_SERVICE = {
    ("POST", "/api/auth/token"),
    ("POST", "/admin/login"),
    ("POST", "/admin/logout"),
    ("POST", "/admin/account/password"),
    ("GET", "/admin/account/password"),
    # one's own notifications (tests/core/web/test_people_accounts_web.py: another's is 404)
    ("GET", "/admin/notifications"),
    ("POST", "/admin/notifications/{notification_id:int}/read"),
    ("POST", "/admin/notifications/read-all"),
    ("GET", "/api/me/notifications"),
    ("POST", "/api/me/notifications/{item_id:int}/read"),
    ("POST", "/api/me/notifications/read-all"),
}
SAFE = {"GET", "HEAD", "OPTIONS"}


@dataclass
class Caller:
    name: str
    role: str | None  # None: anonymous
    county_a: bool  # a user of the locality whose data is tried
    api: httpx.Client
    browser: httpx.Client
    csrf: str = ""


@dataclass
class Ids:
    values: dict[str, int | str] = field(default_factory=dict)


def _county_a(world) -> dict[str, int | str]:
    """county-a with one of everything, all named with MARK; returns the ids to try."""
    office = world.office("county-a")
    u1 = created(office.post(f"{A}/units", json={"code": "U1", "name": f"{MARK}单位一"}))["id"]
    u2 = created(office.post(f"{A}/units", json={"code": "U2", "name": f"{MARK}单位二"}))["id"]
    p1 = created(
        office.post(f"{A}/people", json={"name": f"{MARK}张三", "unit_id": u1, "id_card": "11010519491231002X"})
    )["id"]
    p2 = created(office.post(f"{A}/people", json={"name": f"{MARK}{OTHER}李四", "unit_id": u2}))["id"]
    team = created(
        office.post(
            f"{A}/teams",
            json={"unit_id": u1, "name": f"{MARK}班子", "members": [{"person_id": p1, "post": "主要领导"}]},
        )
    )["id"]
    s1 = created(
        office.post(f"{A}/subjects", json={"name": f"{MARK}单位一", "kind": "unit", "ref_id": u1, "category": "部门"})
    )["id"]
    s2 = created(
        office.post(f"{A}/subjects", json={"name": f"{MARK}张三", "kind": "person", "ref_id": p1, "category": "部门"})
    )["id"]
    template = created(office.post(f"{A}/templates", json=_marked(TEMPLATE)))["id"]
    campaign = created(
        office.post(
            f"{A}/campaigns",
            json={
                "name": f"{MARK}测评",
                "kind": "democratic",
                "subject_ids": [s1, s2],
                "categories": [{"name": f"{MARK}领导", "weight": 100, "template_id": template}],
            },
        )
    )["id"]
    codes = created(office.post(f"/api/campaigns/{campaign}/accounts", json={"category": f"{MARK}领导", "count": 2}))
    account = codes["accounts"][0]["id"]
    ok(office.post(f"/api/campaigns/{campaign}/open"))
    token = ok(office.post("/api/ballot/login", json={"code": codes["accounts"][1]["code"]}))["token"]
    items = [
        {"subject_id": s, "indicator": leaf, "grade": "称职"} for s in (s1, s2) for leaf in ("DE1", "DE2", "JI1", "ALL")
    ]
    with world.client(token) as voter:
        ok(voter.post("/api/ballot/submit", json={"items": items, "comment": f"{MARK}意见"}))
    ok(office.post(f"/api/campaigns/{campaign}/close"))
    ok(office.post(f"/api/campaigns/{campaign}/tally"))
    ok(
        office.put(
            f"{A}/indicator-values",
            json=[
                {
                    "subject_id": s1,
                    "indicator_code": "BONUS",
                    "template_id": template,
                    "period": "2026",
                    "value": 1,
                    "source": f"{MARK}手工",
                }
            ],
        )
    )
    for plugin in ("http_json", "example", "worklog", "goals"):
        ok(office.put(f"{A}/plugins/{plugin}", json={"enabled": True}))
    goal = created(  # a draft of the unit the unit admin does not run: only the office writes and reads it
        office.post(
            f"{A}/goals/",
            json={
                "unit_id": u2,
                "year": 2026,
                "start": "2026-01-01",
                "end": "2026-12-31",
                "name": f"{MARK}{OTHER}目标",
            },
        )
    )["id"]
    source = created(
        office.post(
            f"{A}/adapter-sources",
            json={
                "name": f"{MARK}源",
                "adapter": "http_json",
                "options": {"url": "https://platform.example/records"},
                "mapping": {
                    "subject": {"field": "code", "by": "code"},
                    "period": {"field": "month"},
                    "values": [{"field": "bonus", "template_id": template, "indicator_code": "BONUS"}],
                },
            },
        )
    )["id"]
    plugins = _plugin_data(world, office, goal=goal, person=p2, unit=u2, template=template)
    entry = ok(office.get(f"{A}/audit", params={"limit": 1}))["items"][0]["id"]
    office_user = auth.find_user(world.ctx, "office-county-a").id
    # activation codes of U2's people (the author's account): 张三 of U1 stays free for a-cadre's
    batch = created(office.post(f"{A}/people-accounts/issue", json={"unit_id": u2}))["batch_id"]
    office.close()
    return {
        **plugins,
        "code": "county-a",
        "unit": u2,
        "person": p2,
        "team": team,
        "subject": s1,
        "template": template,
        "campaign": campaign,
        "account": account,
        "source": source,
        "entry": entry,
        "user": office_user,
        "u1": u1,
        "p1": p1,
        "batch": batch,
        "goal": goal,
    }


def _marked(template: dict) -> dict:
    """``template`` with MARK in its name and in every indicator's."""

    def indicator(item: dict) -> dict:
        return {**item, "name": f"{MARK}{item['name']}", "children": [indicator(c) for c in item.get("children", [])]}

    return {**template, "name": f"{MARK}测评表", "indicators": [indicator(i) for i in template["indicators"]]}


def _plugin_data(world, office: httpx.Client, *, goal: int, person: int, unit: int, template: int) -> dict[str, int]:
    """The plugins' objects of county-a, each real and named with MARK, written as their users
    would: a worklog entry of ``person`` (of the unit the unit admin does not run, so ``OTHER``
    is on its pages) with a file and a comment; a progress report of ``goal`` with a file and a
    comment of its own, and a comment on the goal; the cadre cloud's profile of ``person``, a saved search and a dossier
    file; an indicator of ``template`` (一人一表 splits a unit's indicators to its people). No caller
    of the walk may read any of them, the unit admin neither: their text holds ``OTHER`` too."""
    from core.periods import Period
    from plugins.worklog.service import today
    from tests.plugins.worklog.setup import account, token

    ctx = world.ctx
    ok(office.put(f"{A}/plugins/cadres", json={"enabled": True}))
    author = account(ctx, "county-a", "a-author", "cadre", person_id=person, unit_id=unit)
    week = str(Period.from_date("week", today(ctx)))
    with world.client(token(ctx, author)) as writer:
        worklog_entry = ok(
            writer.put(
                f"{A}/worklog/me/entries/weekly_record/{week}", json={"body": f"{MARK}{OTHER}本周工作", "submit": True}
            )
        )["id"]
        worklog = f"{A}/worklog/entries/{worklog_entry}"
        worklog_file = created(
            writer.post(f"{worklog}/attachments", files={"file": (f"{MARK}{OTHER}周报.txt", f"{MARK}{OTHER}".encode())})
        )
    worklog_comment = created(office.post(f"{worklog}/comments", json={"body": f"{MARK}{OTHER}点评"}))["id"]
    report = ok(
        office.put(
            f"{A}/goals/{goal}/progress", json={"period": "2026-03", "percent": 40, "work_done": f"{MARK}{OTHER}进展"}
        )
    )["id"]
    report_file = created(
        office.post(
            f"{A}/goals/{goal}/progress/{report}/attachments",
            files={"file": (f"{MARK}{OTHER}佐证.txt", f"{MARK}{OTHER}".encode())},
        )
    )
    report_comment = created(
        office.post(f"{A}/goals/{goal}/progress/{report}/comments", json={"body": f"{MARK}{OTHER}点评进展"})
    )["id"]
    goal_comment = created(office.post(f"{A}/goals/{goal}/comments", json={"body": f"{MARK}{OTHER}建议"}))["id"]
    with world.client(world.user("a-org", "org_dept", "county-a")) as department:
        cadres = f"{A}/cadres"
        profile = department.put(f"{cadres}/people/{person}", json={"tags": [f"{MARK}{OTHER}标签"]})
        assert profile.status_code == 204, profile.text
        query = created(department.post(f"{cadres}/queries", json={"name": f"{MARK}{OTHER}查询", "query": {}}))["id"]
        dossier_file = created(
            department.post(
                f"{cadres}/people/{person}/dossier",
                files={"file": (f"{MARK}{OTHER}谈话记录.txt", f"{MARK}{OTHER}".encode())},
            )
        )
    with world.ctx.db.read() as session:
        indicator = session.exec(
            select(Indicator.id).where(Indicator.template_id == template, Indicator.code == "DE1")
        ).one()
    return {
        "worklog_entry": worklog_entry,
        "worklog_file": _file_id(worklog_file),
        "worklog_comment": worklog_comment,
        "report": report,
        "report_file": _file_id(report_file),
        "report_comment": report_comment,
        "goal_comment": goal_comment,
        "query": query,
        "dossier_file": _file_id(dossier_file),
        "indicator": indicator,
    }


def _file_id(answer) -> int:
    return (answer[0] if isinstance(answer, list) else answer)["id"]


def _callers(world, ids: dict[str, int | str]) -> list[Caller]:
    world.locality("county-b")
    b_office = world.client(world.user("b-setup", "office", "county-b"))
    b_unit = created(b_office.post("/api/localities/county-b/units", json={"code": "B1", "name": "乙单位"}))
    for plugin in ("example", "worklog", "goals", "cadres"):  # so a refusal is not "not enabled here"
        ok(b_office.put(f"/api/localities/county-b/plugins/{plugin}", json={"enabled": True}))
    b_person = created(b_office.post("/api/localities/county-b/people", json={"name": "乙某", "unit_id": b_unit["id"]}))
    b_office.close()
    # the cadres are people with an account, so the pages of one's own (/me/...) go past "no person"
    persons = {"b-cadre": b_person["id"], "a-cadre": ids["p1"]}  # a-cadre: of U1, not the entry's author
    people = [
        ("b-office", "office", "county-b", None),
        ("b-unit", "unit_admin", "county-b", "B1"),
        ("b-leader", "leader", "county-b", None),
        ("b-cadre", "cadre", "county-b", None),
        ("b-org", "org_dept", "county-b", None),  # the cadre cloud's reader, of another locality
        ("a-unit", "unit_admin", "county-a", "U1"),
        ("a-leader", "leader", "county-a", None),
        ("a-cadre", "cadre", "county-a", None),
        ("a-group", "assessment_group", "county-a", None),
        ("a-public", "public", "county-a", None),  # 社会公众: follows published goals only
    ]
    callers = [Caller("anonymous", None, False, world.client(), httpx.Client(base_url=world.url, timeout=30))]
    for username, role, locality, unit in people:
        api_token = world.user(username, role, locality, unit)
        user = auth.find_user(world.ctx, username)
        if username in persons:
            with world.ctx.db.write() as db:
                db.get(User, user.id).person_id = persons[username]
        session = auth.issue_token(world.ctx, user, kind="session", ttl=timedelta(hours=1))
        browser = httpx.Client(
            base_url=world.url,
            timeout=30,
            cookies={"kaoping_session": session.token},
            headers={"X-CSRF-Token": session.csrf_token},
        )
        callers.append(
            Caller(username, role, locality == "county-a", world.client(api_token), browser, session.csrf_token)
        )
    return callers


# Which of county-a's ids goes into a path parameter; ``item_id`` by the collection it follows.
BY_NAME = {
    "batch_id": "batch",
    "goal_id": "goal",
    "code": "code",
    "campaign_id": "campaign",
    "account_id": "account",
    "source_id": "source",
    "unit_id": "unit",
    "person_id": "person",
    "entry_id": "entry",  # an audit entry (a worklog entry under /worklog/: BY_AREA)
    "user_id": "user",
    "subject_id": "subject",
    "team_id": "team",
    "template_id": "template",
}
# The same name means another thing in another area: the first prefix in the path that names
# it decides (a comment under a progress report is the report's, not the goal's).
REPORT_COMMENTS = "/progress/{report_id:int}/comments/"
BY_AREA = {
    REPORT_COMMENTS: {"comment_id": "report_comment"},
    "/worklog/": {"entry_id": "worklog_entry", "attachment_id": "worklog_file", "comment_id": "worklog_comment"},
    "/goals/": {
        "report_id": "report",
        "attachment_id": "report_file",
        "comment_id": "goal_comment",
        "indicator_id": "indicator",  # an indicator of the template, split to the unit's people
    },
    "/cadres/": {"query_id": "query", "attachment_id": "dossier_file"},  # the person's dossier
}
ITEM_BY_COLLECTION = {
    "units": "unit",
    "teams": "team",
    "people": "person",
    "subjects": "subject",
    "templates": "template",
    "campaigns": "campaign",
    "batches": "batch",
    "users": "user",
}
FIXED = {
    "kind": "people",
    "name": "example",
    "fmt": "csv",
    "period": "2026-W48",
    "indicator": "DE1",
    "section": "posts",  # a cadre profile section (plugins/cadres/sheets.py SECTIONS)
}
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def fill(path: str, ids: dict[str, int | str]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name in FIXED:
            return FIXED[name]
        if name == "item_id":
            collection = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            return str(ids[ITEM_BY_COLLECTION[collection]])
        for prefix, names in BY_AREA.items():
            if prefix in path and name in names:
                return str(ids[names[name]])
        assert name in BY_NAME, f"{path}: the walk does not know which id to put in {{{name}}}"
        return str(ids[BY_NAME[name]])

    return PARAM.sub(value, path)


def _routes(world) -> list[tuple[str, str, bool]]:
    """(method, path template, public) for every route of the app."""
    from core.web.app import create_app

    app = create_app(world.ctx, check_migrations=False, audit_monitor=False)
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(getattr(handler, "http_methods", ()) - {"HEAD", "OPTIONS"}):
                # a plugin's console page (/admin/..., /me/...) is "public" to the sign-in guard
                # only: the page checks the session itself, so the walk holds it to every rule
                public = route.path in CORE_PUBLIC or (
                    bool(handler.opt.get("public")) and not route.path.startswith(("/admin/", "/me"))
                )
                found.append((method, route.path, public))
    return found


# Bodies that would do something if a check were missing (a body that does not validate only
# proves the validator): keyed by (method, path template).
WORKLOG = "/api/localities/{code:str}/worklog/entries/{entry_id:int}"
FILE = object()  # the body of an upload route: a file
PERSON_TABLE = "/api/localities/{code:str}/goals/person-tables/unit/{unit_id:int}/indicators/{indicator_id:int}"


def _bodies(ids: dict[str, int | str]) -> dict[tuple[str, str], object]:
    template = {**TEMPLATE, "name": "taken over"}
    return {
        ("POST", "/api/localities"): {"code": "taken", "name": "taken"},
        ("POST", "/api/localities/{code:str}/units"): {"code": "X9", "name": "taken"},
        ("PATCH", "/api/localities/{code:str}/units/{item_id:int}"): {"name": "taken"},
        ("POST", "/api/localities/{code:str}/teams"): {"unit_id": ids["u1"], "name": "taken"},
        ("PATCH", "/api/localities/{code:str}/teams/{item_id:int}"): {"name": "taken"},
        ("POST", "/api/localities/{code:str}/people"): {"name": "taken", "unit_id": ids["u1"]},
        ("PATCH", "/api/localities/{code:str}/people/{item_id:int}"): {"name": "taken"},
        ("POST", "/api/localities/{code:str}/subjects"): {
            "name": "taken",
            "kind": "unit",
            "ref_id": ids["u1"],
            "category": "c",
        },
        ("PATCH", "/api/localities/{code:str}/subjects/{item_id:int}"): {"name": "taken"},
        ("POST", "/api/localities/{code:str}/templates"): template,
        ("PUT", "/api/templates/{item_id:int}"): template,
        ("POST", "/api/localities/{code:str}/campaigns"): {"name": "taken"},
        ("PATCH", "/api/campaigns/{item_id:int}"): {"name": "taken"},
        ("PUT", "/api/localities/{code:str}/plugins/{name:str}"): {"enabled": False},
        ("POST", "/api/campaigns/{item_id:int}/adjustments"): {
            "subject_id": ids["subject"],
            "grade": "优秀",
            "reason": "taken",
        },
        ("PUT", "/api/localities/{code:str}/indicator-values"): [
            {
                "subject_id": ids["subject"],
                "indicator_code": "BONUS",
                "template_id": ids["template"],
                "period": "2026",
                "value": 5,
                "source": "taken",
            }
        ],
        ("PATCH", "/api/adapter-sources/{source_id:int}"): {"enabled": False},
        ("POST", "/api/campaigns/{campaign_id:int}/accounts"): {"category": f"{MARK}领导", "count": 1},
        # the plugins' writes of the objects the walk fills in (FILE: an upload)
        ("POST", f"{WORKLOG}/comments"): {"body": "taken"},
        ("POST", f"{WORKLOG}/attachments"): FILE,
        ("POST", f"{WORKLOG}/likes"): {},
        ("PUT", "/api/localities/{code:str}/goals/{goal_id:int}/progress"): {"period": "2026-04", "percent": 90},
        ("POST", "/api/localities/{code:str}/goals/{goal_id:int}/comments"): {"body": "taken"},
        ("PUT", "/api/localities/{code:str}/goals/{goal_id:int}/comments/{comment_id:int}/answer"): {"body": "taken"},
        ("PUT", "/api/localities/{code:str}/goals/{goal_id:int}" + REPORT_COMMENTS + "{comment_id:int}/answer"): {
            "body": "taken"
        },
        ("POST", "/api/localities/{code:str}/goals/{goal_id:int}/progress/{report_id:int}/attachments"): FILE,
        ("PATCH", "/api/localities/{code:str}/goals/{goal_id:int}"): {"name": "taken"},
        ("PUT", PERSON_TABLE): {"people": [{"person_id": ids["person"], "role": "主办", "share": 100}]},
        ("PUT", "/api/localities/{code:str}/cadres/people/{person_id:int}"): {"tags": ["taken"]},
        ("POST", "/api/localities/{code:str}/cadres/queries"): {"name": "taken", "query": {}},
        ("POST", "/api/localities/{code:str}/cadres/people/{person_id:int}/dossier"): FILE,
    }


def _call(caller: Caller, method: str, template: str, url: str, body: object) -> httpx.Response:
    if template.startswith(("/admin", "/me")):  # pages: the session and its CSRF token
        client = caller.browser
        data = {"_csrf": caller.csrf, "name": "taken", "body": "taken"} if method not in SAFE else None
        files = {"file": ("taken.txt", b"taken")} if method == "POST" and url.endswith(UPLOADS) else None
        return client.request(method, url, data=data, files=files)
    client = caller.api
    if body is FILE:
        return client.request(method, url, files={"file": ("taken.txt", b"taken")})
    return client.request(method, url, json=body if method not in SAFE else None)


UPLOADS = ("/attachments", "/dossier")  # console pages that take a file


def _owners_read_what_the_walk_tries(world, routes: list[tuple[str, str, bool]], ids: dict[str, int | str]) -> int:
    """The plugins' ids the walk fills in are real: their owners read each GET route of them
    (the office a worklog entry and a goal, the author their own entry's page, the organisation
    department the cadre cloud), after the walk too; so a refusal in the walk is a refusal, not a
    missing row."""
    owners = {}
    for username in ("office-county-a", "a-author", "a-org"):
        user = auth.find_user(world.ctx, username)
        session = auth.issue_token(world.ctx, user, kind="session", ttl=timedelta(hours=1))
        owners[username] = Caller(
            username,
            user.role,
            True,
            world.client(auth.issue_token(world.ctx, user, kind="api", ttl=timedelta(hours=1)).token),
            httpx.Client(base_url=world.url, timeout=30, cookies={"kaoping_session": session.token}),
        )
    read = 0
    for method, template, _public in routes:
        area = next((prefix for prefix, names in BY_AREA.items() if prefix in template), None)
        if method != "GET" or area is None or not set(PARAM.findall(template)) & set(BY_AREA[area]):
            continue
        owner = "a-org" if area == "/cadres/" else "a-author" if template.startswith("/me/") else "office-county-a"
        response = _call(owners[owner], method, template, fill(template, ids), None)
        answered = response.status_code == 200 or (  # a saved search opens as the search it saved
            response.status_code == 303 and "/cadres/search?" in response.headers["location"]
        )
        assert answered, f"{owner}: {template} -> {response.status_code} {response.text[:300]}"
        read += 1
    split = {
        "people": [{"person_id": ids["person"], "role": "主办", "share": 100}]
    }  # and the office splits the indicator
    assert owners["office-county-a"].api.put(fill(PERSON_TABLE, ids), json=split).status_code == 200
    # the report's comment is still there, unanswered: no one of the walk answered or deleted it
    report = owners["office-county-a"].api.get(f"{A}/goals/{ids['goal']}/progress/{ids['report']}/comments")
    comments = {c["id"]: c for c in ok(report)["comments"]}
    assert ids["report_comment"] in comments and not comments[ids["report_comment"]]["answered"]
    for owner in owners.values():
        owner.api.close()
        owner.browser.close()
    return read


def _is_2xx(response: httpx.Response) -> bool:
    return 200 <= response.status_code < 300


def _textual(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "")
    return kind.startswith(("application/json", "text/", "application/problem+json")) or not response.content


def test_every_route_refuses_whoever_may_not_see_or_change_the_data(world):
    ids = _county_a(world)
    callers = _callers(world, ids)
    routes = _routes(world)
    assert len(routes) > 100
    assert any(t == "/api/localities/{code:str}/example" for _m, t, _p in routes)  # plugin routes are walked
    assert any(t.startswith("/admin/") for _m, t, _p in routes)
    # a progress report's comment routes (API and page) get the report's own comment
    walked = [fill(t, ids) for _m, t, _p in routes if REPORT_COMMENTS + "{comment_id" in t]
    assert len(walked) >= 4 and all(f"/comments/{ids['report_comment']}" in url for url in walked), walked
    bodies = _bodies(ids)

    def walk(caller: Caller) -> tuple[int, list[str]]:
        breaches: list[str] = []
        tried = 0
        for method, template, public in routes:
            if (method, template) in SELF_SERVICE or template.startswith(("/static", "/schema")):
                continue
            url = fill(template, ids)
            response = _call(caller, method, template, url, bodies.get((method, template), {}))
            tried += 1
            text = response.text if _textual(response) else ""
            where = f"{caller.name}: {method} {url} -> {response.status_code}"
            if response.status_code >= 500:
                breaches.append(f"{where}: {response.text[:300]}")
            if not caller.county_a:  # anonymous, and every role of county-b
                if MARK in text:
                    breaches.append(f"{where}: county-a's data in the answer")
                # a route naming one of county-a's things answers no outsider; one naming none
                # (the locality list, the overview) answers county-b's users about county-b only
                if _is_2xx(response) and not public and (caller.role is None or PARAM.search(template)):
                    breaches.append(f"{where}: answered a route that is not public")
                continue
            if public or not _is_2xx(response):
                continue
            role = caller.role
            # one's own pages and records (/me/..., .../worklog/me/...): a person reads and writes
            # their own (a-cadre is 张三 of MARK), never another's: OTHER is on every page of the
            # worklog entry the walk tries, and one naming an entry is never answered
            mine = "/me" in template and "{entry_id" not in template
            if mine:
                if OTHER in text:
                    breaches.append(f"{where}: a {role} saw another's record on a page of its own")
                continue
            if method not in SAFE:
                # a unit admin writes its own unit's people and imports (the walk's goal is not its unit's)
                own = role == Role.unit_admin and any(part in template for part in ("/people", "/import"))
                if role not in OFFICE_ROLES and not own:
                    breaches.append(f"{where}: a {role} changed something")
            elif role not in ADMIN_READ_ROLES:
                if MARK in text or not _textual(response):
                    breaches.append(f"{where}: a {role} read county-a's data")
            else:  # a unit admin: reads, but not the audit log nor users, nor other units' people
                if "/audit" in template or template.startswith(
                    ("/admin/users", "/api/users", "/admin/sign-ins", "/api/sign-ins")
                ):
                    breaches.append(f"{where}: a {role} read what only the office may")
                if OTHER in text:
                    breaches.append(f"{where}: a {role} saw a person of another unit")
        return tried, breaches

    with ThreadPoolExecutor(max_workers=4) as pool:  # callers at once, each its routes in order
        results = list(pool.map(walk, callers))
    tried = sum(n for n, _ in results)
    breaches = [b for _, found in results for b in found]
    for caller in callers:
        caller.api.close()
        caller.browser.close()
    assert not breaches, "\n".join(breaches)
    assert tried > 8 * 90
    assert _owners_read_what_the_walk_tries(world, routes, ids) >= 14  # after the walk: nothing was lost


def test_the_overview_shows_each_role_what_its_api_would(world):
    """/admin/: a cadre or leader may not list units, people or subjects through the API, so
    the overview shows it no counts either; an office sees them; a unit admin its unit's people."""
    ids = _county_a(world)
    pages = {}
    for username, role, unit in (
        ("a-office2", "office", None),
        ("a-unit", "unit_admin", "U1"),
        ("a-leader", "leader", None),
        ("a-cadre", "cadre", None),
    ):
        world.user(username, role, "county-a", unit)
        session = auth.issue_token(
            world.ctx, auth.find_user(world.ctx, username), kind="session", ttl=timedelta(hours=1)
        )
        with httpx.Client(base_url=world.url, cookies={"kaoping_session": session.token}) as browser:
            page = browser.get("/admin/", params={"lang": "zh-CN"})
        assert page.status_code == 200, page.text
        pages[role] = re.sub(r"\s+", " ", page.text)
    row = re.compile(r"<tr><td>county-a</td><td>[^<]*</td>((?:<td>[^<]*</td>)*)</tr>")
    cells = {role: re.findall(r"<td>([^<]*)</td>", row.search(text).group(1)) for role, text in pages.items()}
    assert cells["office"] == ["2", "2", "2"]  # units, people, subjects
    assert cells["unit_admin"] == ["2", "1", "2"]  # the people of its own unit only, as GET .../people
    assert cells["leader"] == cells["cadre"] == []
    for role in ("leader", "cadre"):
        assert "<th>单位</th>" not in pages[role] and "<th>人员</th>" not in pages[role]
    assert ids["code"] == "county-a"
