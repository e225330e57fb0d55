"""The organisation department's journey in a browser (SQLite and PostgreSQL): sign in, run a
condition search, place a candidate found into a leadership team, and read the candidate's
relations with their evidence and the team's structure before and after."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from core.context import Actor
from core.models import Person
from core.schemas.localities import LocalityIn
from core.services import localities
from plugins.cadres.models import CadreProfile
from plugins.cadres.synth import synthesize
from tests.e2e.console import DESKTOP, screenshot, sign_in
from tests.plugins.cadres.setup import account, enable


def test_search_place_a_candidate_and_read_relations_and_structure(ctx, live_server, phone, tmp_path):
    localities.create(ctx, Actor.system("test"), LocalityIn(code="sy", name="合成县"))
    enable(ctx, "sy")
    made = synthesize(ctx, "sy", 40, seed=3, today=date.today())
    account(ctx, "sy", "org-sy", "org_dept")
    pair = next(p for p in made.planted if p.candidate and p.kind == "fellow_townsman")
    with ctx.db.read() as session:
        native = session.exec(select(CadreProfile.native_code).where(CadreProfile.person_id == pair.b)).one()
        names = {p.id: p.name for p in session.exec(select(Person).where(col(Person.id).in_([pair.a, pair.b])))}

    page = phone(**DESKTOP)
    sign_in(page, live_server.url, "org-sy")
    page.get_by_role("link", name="干部查询").click()
    page.get_by_label("籍贯代码").fill(native)
    page.get_by_role("button", name="搜索").click()
    assert "名干部" in page.locator("#found-count").inner_text()
    row = page.locator(f"#results tr[data-person='{pair.b}']")
    assert native in row.inner_text()  # the evidence of the condition
    page.get_by_label("放入班子").select_option(str(pair.team_id))
    row.get_by_role("button", name="放入", exact=True).click()

    relations = page.locator("#candidate-relations")
    assert names[pair.b] in relations.locator("h2").inner_text()
    found = relations.locator(f"tr[data-kind='fellow_townsman'][data-a='{pair.b}'][data-b='{pair.a}']")
    assert found.count() == 1 and names[pair.a] in found.inner_text() and "强" in found.inner_text()
    assert "同乡" in found.inner_text()
    structure = page.locator("#structure-table")
    assert "变更前" in structure.inner_text() and "变更后" in structure.inner_text()
    gender = structure.locator("tr[data-dimension='gender']")
    before, after = gender.locator("td").nth(0).inner_text(), gender.locator("td").nth(1).inner_text()
    assert names[pair.b] not in before and names[pair.b] in after  # the drill-down names the candidate after
    screenshot(page, "cadres-team-check")
