"""What the console pages added after the organisation pages need to show something at scale, in
the locality ``bench.console_pages`` filled: a leadership team per unit, the 3-level bureau
template imported from its spreadsheet, a template with value indicators and a period of values,
person subjects of two categories and unit subjects, a tallied campaign of a few hundred subjects
(real ballots through the ballot API), a draft campaign for the setup steps, activation codes for
every person, and a sign-in log.

Everything goes through the services or the API (as ``tests/results_setup.py`` does), except the
sign-in log's rows, which are written in one insert (the log only ever receives rows one by one
from sign-ins, which would take hours at this size).
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from tests.campaign_setup import TEMPLATE

BUREAU_SHEET = Path("/work/shared/data/bureau-indicator-table.xlsx")
# the tests' small template (tests/campaign_setup.py) with a deduction and a figure added
VALUES_TEMPLATE = {
    **TEMPLATE,
    "name": "民主测评表（含加减分）",
    "indicators": [
        *TEMPLATE["indicators"],
        {"code": "MINUS", "name": "减分项", "kind": "deduction", "max_score": 5},
        {"code": "OUTPUT", "name": "年度产值", "kind": "numeric"},
    ],
}
LEAVES = ("DE1", "DE2", "JI1", "ALL")
GRADES = ("优秀", "称职", "基本称职", "不称职")
THRESHOLDS = [
    {"grade": "优秀", "min_score": 90},
    {"grade": "称职", "min_score": 75},
    {"grade": "基本称职", "min_score": 60},
    {"grade": "不称职", "min_score": 0},
]
CATEGORIES = ("班子成员", "中层干部")
SIGN_INS = 50_000


def _ok(answer, *codes: int) -> dict:
    assert answer.status_code in (codes or (200, 201)), (answer.request.url, answer.status_code, answer.text[:400])
    return answer.json() if answer.content else {}


def build(ctx, client, code: str, unit_ids: list[int], *, subjects: int = 300, ballots: int = 20) -> dict[str, str]:
    """Fill locality ``code`` as the module says (``client``: a Litestar test client of the app;
    ``subjects`` of the tallied campaign, each given a grade by ``ballots`` evaluators). Returns
    the new pages to time, label -> path."""
    from core.context import Actor
    from core.models import Locality, Person, SignInAttempt, Team
    from core.models.base import utcnow
    from core.schemas.org import SubjectIn
    from core.services import auth, people_accounts, template_sheet
    from core.services import subjects as subject_service

    system = Actor.system("bench")
    user = auth.create_user(
        ctx, system, username=f"office-api-{code}", password="a long bench password", role="office", locality_code=code
    )
    actor = auth.actor_of(user)
    bearer = {"Authorization": "Bearer " + auth.issue_token(ctx, user, kind="api", ttl=timedelta(hours=2)).token}
    api = f"/api/localities/{code}"
    rng = random.Random(11)

    with ctx.db.engine.connect() as connection:
        locality_id = connection.execute(select(Locality.id).where(Locality.code == code)).scalar_one()
        first_people = {}
        for unit_id in unit_ids:  # the first five people of each unit
            first_people[unit_id] = list(
                connection.execute(
                    select(Person.id).where(Person.unit_id == unit_id).order_by(Person.id).limit(5)
                ).scalars()
            )
    # a leadership team per unit, five members each
    for unit_id in unit_ids:
        _ok(
            client.post(
                f"{api}/teams",
                headers=bearer,
                json={
                    "unit_id": unit_id,
                    "name": f"领导班子{unit_id}",
                    "members": [{"person_id": p} for p in first_people[unit_id]],
                },
            )
        )
    with ctx.db.engine.connect() as connection:
        team_id = connection.execute(
            select(Team.id).where(Team.locality_id == locality_id).order_by(Team.id.desc()).limit(1)
        ).scalar_one()

    bureau = template_sheet.import_template(
        ctx, actor, code, BUREAU_SHEET.name, BUREAU_SHEET.read_bytes(), name="县直单位绩效考核指标"
    )
    template_id = _ok(client.post(f"{api}/templates", headers=bearer, json=VALUES_TEMPLATE))["id"]

    # subjects: the first person of each unit in each category, then the units themselves
    person_subjects: list[int] = []
    for index, unit_id in enumerate(unit_ids):
        for category, person_id in zip(CATEGORIES, first_people[unit_id][:2], strict=False):
            made = subject_service.create_subject(
                ctx, actor, code, SubjectIn(name=f"对象{person_id}", kind="person", ref_id=person_id, category=category)
            )
            person_subjects.append(made.id)
        subject_service.create_subject(
            ctx, actor, code, SubjectIn(name=f"单位{index}", kind="unit", ref_id=unit_id, category="县直单位")
        )
    chosen = person_subjects[:subjects]
    rows = [
        {"subject_id": s, "template_id": template_id, "indicator_code": c, "period": "2026", "value": rng.randint(0, 5)}
        for s in person_subjects
        for c in ("BONUS", "MINUS")
    ]
    for start in range(0, len(rows), 500):
        _ok(client.put(f"{api}/indicator-values", headers=bearer, json=rows[start : start + 500]))

    def campaign(name: str) -> int:
        return _ok(
            client.post(
                f"{api}/campaigns",
                headers=bearer,
                json={
                    "name": name,
                    "kind": "annual",
                    "period": "2026",
                    "subject_ids": chosen,
                    "categories": [
                        {"name": "县领导", "weight": 40, "template_id": template_id},
                        {"name": "基层代表", "weight": 60, "template_id": template_id},
                    ],
                    "scoring": {"rule": "weighted_mean", "options": {"thresholds": THRESHOLDS}},
                },
            )
        )["id"]

    tallied = campaign("2026年度民主测评")
    codes = []
    for category in ("县领导", "基层代表"):
        body = _ok(
            client.post(
                f"/api/campaigns/{tallied}/accounts", headers=bearer, json={"category": category, "count": ballots // 2}
            )
        )
        codes += [a["code"] for a in body["accounts"]]
    _ok(client.post(f"/api/campaigns/{tallied}/open", headers=bearer))
    cookies = dict(client.cookies)
    client.cookies.clear()
    try:
        for account in codes:
            token = _ok(client.post("/api/ballot/login", json={"code": account}))["token"]
            items = [
                {"subject_id": s, "indicator": leaf, "grade": rng.choice(GRADES)} for s in chosen for leaf in LEAVES
            ]
            _ok(
                client.post(
                    "/api/ballot/submit",
                    headers={"Authorization": f"Bearer {token}"},
                    json={"items": items, "comment": "工作扎实"},
                )
            )
    finally:
        for name, value in cookies.items():
            client.cookies.set(name, value)
    _ok(client.post(f"/api/campaigns/{tallied}/close", headers=bearer))
    _ok(client.post(f"/api/campaigns/{tallied}/tally", headers=bearer))
    draft = campaign("2027年度民主测评（草稿）")

    people_accounts.issue(ctx, actor, code)  # an account and a code for every person
    now = utcnow()
    with ctx.db.engine.begin() as connection:
        connection.execute(
            insert(SignInAttempt),
            [
                {
                    "at": now - timedelta(minutes=i),
                    "username": f"office-{i % 40}",
                    "user_id": None,
                    "locality_id": locality_id,
                    "ok": i % 7 != 0,
                    "reason": "" if i % 7 else "wrong_password",
                    "channel": "console",
                    "client": "192.0.2.1",
                    "user_agent": "bench",
                }
                for i in range(SIGN_INS)
            ],
        )

    from core.models import AuditEntry

    with ctx.db.engine.connect() as connection:
        last_entry, last_action = connection.execute(
            select(AuditEntry.id, AuditEntry.action)
            .where(AuditEntry.locality_id == locality_id)
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).one()
        person_id = connection.execute(
            select(Person.id).where(Person.locality_id == locality_id).order_by(Person.id.desc()).limit(1)
        ).scalar_one()

    base = f"/admin/localities/{code}"
    done = f"{base}/campaigns/{tallied}"
    return {
        "teams": f"{base}/teams",
        "a team": f"{base}/teams/{team_id}",
        "templates": f"{base}/templates",
        "bureau template tree": f"{base}/templates/{bureau.id}",
        "values grid, 50 a page": f"{base}/values?template={template_id}&period=2026&page=2",
        "subjects, one category": f"{base}/subjects?category={CATEGORIES[1]}&page=2",
        "people, rank and post": f"{base}/people?rank=一级科员&post=科员",
        "people, name anywhere": f"{base}/people?q=伟&anywhere=1",
        "people's accounts": f"{base}/people-accounts",
        "sign-in log": "/admin/sign-ins",
        "audit log": f"{base}/audit",
        "audit log, page 5": f"{base}/audit?page=5",
        "audit log, an action and a date": f"{base}/audit?action={last_action}&date_from=2000-01-01",
        "an audit entry": f"{base}/audit/{last_entry}",
        "a person": f"{base}/people/{person_id}",
        "a unit": f"{base}/units/{unit_ids[-1]}",
        "change my password": "/admin/account/password",
        "campaigns": f"{base}/campaigns",
        "campaign overview": done,
        "setup: basics": f"{base}/campaigns/{draft}/setup/basics",
        "setup: subjects": f"{base}/campaigns/{draft}/setup/subjects",
        "setup: categories": f"{base}/campaigns/{draft}/setup/categories",
        "setup: rules": f"{base}/campaigns/{draft}/setup/rules",
        "results ranking": f"{done}/results",
        "results, a subject": f"{done}/results/subjects/{chosen[len(chosen) // 2]}",
    }
