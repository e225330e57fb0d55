"""The cadre cloud's pages and API over HTTP, on both databases: the search page with its
evidence, export, saved searches (CSRF), a profile, the team check, the view log; English;
404 for every other role, another locality and where the plugin is off."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from plugins.cadres import teams
from tests.core.web.test_downloads import saved_as
from tests.plugins.cadres.setup import enable

BASE = "/admin/localities/ca/cadres"


def test_search_export_save_and_profile(site):
    world, session, _api = site
    with session("org_dept") as dept:
        page = dept.get(f"{BASE}/search", params={"post_text": "乡镇党委书记", "age_below": "40", "on": "2026-12-01"})
        assert page.status_code == 200 and "干部查询" in page.text
        assert "找到 1 名干部" in page.text and "张书记" in page.text and "李镇长" not in page.text
        assert "羊场镇乡镇党委书记" in page.text  # the evidence
        bad = dept.get(f"{BASE}/search", params={"age_below": "forty"})
        assert bad.status_code == 200 and "请填写数字" in bad.text

        workbook = dept.get(f"{BASE}/search.xlsx", params={"gender": "女"})
        assert workbook.status_code == 200
        assert saved_as(workbook.headers["content-disposition"]) == ("干部查询结果.xlsx", "cadres-search.xlsx")
        rows = list(load_workbook(io.BytesIO(workbook.content)).active.iter_rows(values_only=True))
        assert rows[0][:2] == ("姓名", "性别") and rows[1][:2] == ("李镇长", "女") and len(rows) == 2

        form = {"gender": "女", "name": "女干部"}
        assert dept.post(f"{BASE}/queries", data=form).status_code == 403  # no CSRF token
        saved = dept.post(f"{BASE}/queries", data={**form, "_csrf": dept.csrf}, follow_redirects=True)
        assert saved.status_code == 200 and "女干部" in saved.text and "李镇长" in saved.text
        query_id = saved.text.split(f"{BASE}/queries/")[1].split('"')[0]
        opened = dept.get(f"{BASE}/queries/{query_id}", follow_redirects=False)
        assert opened.status_code == 303 and "gender=%E5%A5%B3" in opened.headers["location"]

        profile = dept.get(f"{BASE}/people/{world.people['李镇长']}")
        assert profile.status_code == 200 and "岩孔镇" in profile.text and "毕节市金沙县" in profile.text
        english = dept.get(f"{BASE}/people/{world.people['李镇长']}", params={"lang": "en"})
        assert "Posts held" in english.text and "Highest education" in english.text
        assert dept.get(f"{BASE}/people/{world.other_person}").status_code == 404
    with session("org_dept_head") as head:
        log = head.get(f"{BASE}/view-log")
        assert log.status_code == 200 and "查阅档案" in log.text and "李镇长" in log.text and "org_dept-ca" in log.text


def test_team_check_page(ctx, site):
    world, session, _api = site
    team_id = _team(ctx, world, ["王局长"])
    with session("org_dept") as dept:
        listed = dept.get(f"{BASE}/teams")
        assert listed.status_code == 200 and "县委组织部班子" in listed.text
        place = dept.get(
            f"{BASE}/place", params={"team_id": team_id, "person_id": world.people["张书记"]}, follow_redirects=True
        )
        assert place.status_code == 200 and "候选人的关系" in place.text and "班子结构" in place.text
        assert 'data-dimension="gender"' in place.text
        assert 'class="average-age">平均年龄: ' in place.text
        english = dept.get(f"{BASE}/teams/{team_id}", params={"add": world.people["张书记"], "lang": "en"})
        assert 'class="average-age">Average age: ' in english.text
        assert 'data-assumed="true"' in place.text and "该班子未填届满时间：按自今日起任期 5 年计算" in place.text
        assert "The team has no end of term: a term of 5 years from today is assumed" in english.text
        with ctx.db.write() as db:
            from core.models import Team

            db.get(Team, team_id).term_end = date(2029, 6, 30)
        dated = dept.get(f"{BASE}/teams/{team_id}")
        assert 'data-assumed="false"' in dated.text and "End of term: 2029-06-30." in dated.text  # lang=en kept
        assert dept.get(f"{BASE}/teams/scan").status_code == 200
        assert dept.get(f"{BASE}/teams/999999").status_code == 404


def _team(ctx, world, names) -> int:
    """A team of the organisation department's unit with the people ``names``."""
    from core.models import Person, Team, TeamMember

    with ctx.db.write() as session:
        first = session.get(Person, world.people[names[0]])
        team = Team(locality_id=first.locality_id, unit_id=first.unit_id, name="县委组织部班子", type="department")
        session.add(team)
        session.flush()
        for name in names:
            session.add(TeamMember(locality_id=team.locality_id, team_id=team.id, person_id=world.people[name]))
        return team.id


def test_every_other_role_gets_404_on_every_page_and_call(site):
    world, session, api = site
    person = world.people["张书记"]
    pages = [f"{BASE}/search?gender=女", f"{BASE}/people/{person}", f"{BASE}/teams", f"{BASE}/view-log"]
    for role in ("office", "leader", "cadre", "unit_admin", "assessment_group", "other_dept"):
        with session(role) as client:
            assert [client.get(url).status_code for url in pages] == [404] * 4, role
        with api(role) as client:
            assert client.get(f"/api/localities/ca/cadres/people/{person}").status_code == 404, role
            assert client.post("/api/localities/ca/cadres/search", json={"query": {}}).status_code == 404, role
    with session("org_dept") as dept:
        assert dept.get(f"{BASE}/view-log").status_code == 404  # the head's only


def test_api(site, ctx):
    world, _session, api = site
    with api("org_dept") as client:
        found = client.post(
            "/api/localities/ca/cadres/search",
            json={"query": {"op": "and", "items": [{"kind": "native", "code": "5205"}]}, "on": "2026-12-01"},
        )
        assert found.status_code == 200 and sorted(i["name"] for i in found.json()["items"]) == ["张书记", "李镇长"]
        bad = client.post(
            "/api/localities/ca/cadres/search",
            json={"query": {"op": "and", "items": [{"kind": "native", "code": "x"}]}},
            headers={"Accept-Language": "en"},
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.items.0.code"
        profile = client.get(f"/api/localities/ca/cadres/people/{world.people['王局长']}", params={"on": "2026-12-01"})
        assert profile.status_code == 200 and profile.json()["derived"]["age"] == 51
        write = client.put(f"/api/localities/ca/cadres/people/{world.people['王局长']}", json={"tags": ["信访"]})
        assert write.status_code == 204
        relations = client.post(
            "/api/localities/ca/cadres/relations", json={"person_ids": [world.people["张书记"], world.people["李镇长"]]}
        )
        assert relations.status_code == 200 and {r["kind"] for r in relations.json()} == {"fellow_townsman"}
    with api("org_dept_head") as client:
        log = client.get("/api/localities/ca/cadres/view-log").json()
        assert [i["action"] for i in log["items"]] == ["relations", "profile", "search"]
    enable(ctx, "ca", False)
    with api("org_dept") as client:
        assert client.post("/api/localities/ca/cadres/search", json={"query": {}}).status_code == 404
    assert teams.MAX_CANDIDATES == 20


def test_import_page(site):
    from tests.plugins.cadres.conftest import form

    _world, session, _api = site
    with session("org_dept") as dept:
        page = dept.get(f"{BASE}/import")
        assert page.status_code == 200
        # the section import replaces what each person named had: the browser asks first
        assert 'data-confirm="表中列出的每个人的这一部分信息将被替换，原有内容会被删除。确定导入吗？"' in page.text
        files = {"file": ("zhang.lrmx", form(), "application/xml")}
        assert dept.post(f"{BASE}/import", files=files).status_code == 403  # no CSRF token
        done = dept.post(f"{BASE}/import", data={"_csrf": dept.csrf}, files=files)
        assert done.status_code == 200 and "已导入" in done.text and "张三" in done.text
        hostile = b'<!DOCTYPE P [<!ENTITY a "x">]><Person><XingMing>&a;</XingMing></Person>'
        refused = dept.post(f"{BASE}/import", data={"_csrf": dept.csrf}, files={"file": ("x.lrmx", hostile)})
        assert refused.status_code == 422 and "被拒绝" in refused.text
    with session("office") as office:
        assert office.get(f"{BASE}/import").status_code == 404


def test_section_import_page_lists_bad_rows(site):
    from tests.plugins.cadres.test_sheets import workbook

    _world, session, _api = site
    bad = workbook([["姓名", "年度", "考核等次"], ["张书记", "2026", "优秀"], ["无此人", "2025", "称职"]])
    good = workbook([["姓名", "年度", "考核等次"], ["张书记", "2026", "优秀"], ["李镇长", "2026", "称职"]])
    url = f"{BASE}/import/sheet"
    with session("org_dept") as dept:
        refused = dept.post(url, data={"_csrf": dept.csrf, "section": "grades"}, files={"file": ("g.xlsx", bad)})
        assert refused.status_code == 422 and "本地区没有此姓名的人员" in refused.text and "<td>3</td>" in refused.text
        done = dept.post(url, data={"_csrf": dept.csrf, "section": "grades"}, files={"file": ("g.xlsx", good)})
        assert done.status_code == 200 and "已为 2 人导入 2 行" in done.text


def test_each_section_s_spreadsheet_downloads_filled_in_imports_back(site):
    from plugins.cadres.sheets import SECTIONS

    _world, session, _api = site
    with session("org_dept") as dept:
        page = dept.get(f"{BASE}/import")
        assert "下载填写模板" in page.text
        for section in SECTIONS:
            assert f"/import/sheet.xlsx?section={section}" in page.text
            blank = dept.get(f"{BASE}/import/sheet.xlsx", params={"section": section})
            assert blank.status_code == 200 and blank.headers["content-type"].startswith(
                "application/vnd.openxmlformats"
            )
            header = [c.value for c in load_workbook(io.BytesIO(blank.content)).active[1]]
            assert header[:2] == ["身份证号", "姓名"] and len(header) == 2 + len(SECTIONS[section][0])
        assert dept.get(f"{BASE}/import/sheet.xlsx", params={"section": "nope"}).status_code == 404
        # the posts' sheet, filled in as an office would, imports back
        book = load_workbook(io.BytesIO(dept.get(f"{BASE}/import/sheet.xlsx", params={"section": "posts"}).content))
        book.active.append(["", "张书记", "大方县羊场镇", "党委书记", "正科级", "2019.03", "2023年6月"])
        filled = io.BytesIO()
        book.save(filled)
        done = dept.post(
            f"{BASE}/import/sheet",
            data={"_csrf": dept.csrf, "section": "posts"},
            files={"file": ("posts.xlsx", filled.getvalue())},
        )
        assert done.status_code == 200 and "已为 1 人导入 1 行" in done.text
        assert "Spreadsheets to fill" in dept.get(f"{BASE}/import", params={"lang": "en"}).text
    with session("office") as office:
        assert office.get(f"{BASE}/import/sheet.xlsx", params={"section": "posts"}).status_code == 404


def test_the_view_log_page_reads_the_checks_in_the_reader_s_language(ctx, site):
    world, session, api = site
    team_id = _team(ctx, world, ["王局长"])
    with api("org_dept") as client:
        people = [world.people["张书记"], world.people["李镇长"]]
        assert client.post("/api/localities/ca/cadres/relations", json={"person_ids": people}).status_code == 200
        assert client.post(f"/api/localities/ca/cadres/teams/{team_id}/check", json={"add": people}).status_code == 200
        assert client.get("/api/localities/ca/cadres/teams/scan").status_code == 200
    with session("org_dept_head") as head:
        chinese = head.get(f"{BASE}/view-log").text
        assert "<code>指定人员之间</code>" in chinese and "<code>班子：县委组织部班子</code>" in chinese
        assert "<code>扫描全部班子（1 个）</code>" in chinese and "scan of" not in chinese and "team " not in chinese
        english = head.get(f"{BASE}/view-log", params={"lang": "en"}).text
        assert "<code>a set of people</code>" in english and "<code>team 县委组织部班子</code>" in english
        assert "<code>every team scanned (1)</code>" in english


def test_the_view_log_page_shows_a_search_as_its_conditions_not_as_json(site):
    world, session, api = site
    query = {
        "op": "and",
        "items": [
            {"kind": "post", "text": "乡镇党委书记", "min_years": 3},
            {"op": "or", "items": [{"kind": "gender", "value": "女"}, {"kind": "education", "at_least": "本科"}]},
        ],
    }
    with api("org_dept") as client:
        assert client.post("/api/localities/ca/cadres/search", json={"query": query}).status_code == 200
    with session("org_dept_head") as head:
        chinese = head.get(f"{BASE}/view-log").text
        assert "<code>任职经历: 乡镇党委书记, 满 3 年 且 (性别: 女 或 学历: 不低于 本科)</code>" in chinese
        assert '"op"' not in chinese and "&#34;op&#34;" not in chinese and "items" not in chinese
        english = head.get(f"{BASE}/view-log", params={"lang": "en"}).text
        assert (
            "<code>Post held: 乡镇党委书记, 3 years or more and (Gender: 女 or Education: at least 本科)</code>"
            in english
        )


def test_a_bad_search_value_is_named_by_its_condition_not_by_its_path(site):
    _world, session, api = site
    query = {"op": "and", "items": [{"kind": "gender", "value": "女"}, {"kind": "education", "at_least": "大学"}]}
    with api("org_dept") as client:
        chinese = client.post(
            "/api/localities/ca/cadres/search", json={"query": query}, headers={"Accept-Language": "zh-CN"}
        )
        english = client.post(
            "/api/localities/ca/cadres/search", json={"query": query}, headers={"Accept-Language": "en"}
        )
    assert chinese.status_code == english.status_code == 422
    assert chinese.json()["detail"].startswith("学历：应为 ") and "query." not in chinese.json()["detail"]
    assert english.json()["detail"].startswith("Education: one of ") and "query." not in english.json()["detail"]
    assert english.json()["errors"][0]["field"] == "query.items.1.at_least"  # for API clients, as before
    nested = {"op": "or", "items": [{"kind": "gender", "value": "女"}, {"op": "and", "items": []}]}
    with api("org_dept") as client:
        group = client.post(
            "/api/localities/ca/cadres/search", json={"query": nested}, headers={"Accept-Language": "zh-CN"}
        )
    assert group.json()["detail"].startswith("条件组：")
    with session("org_dept") as browser:
        page = browser.get(f"{BASE}/search", params={"advanced": '{"op": "and", "items": [{"kind": "age"}]}'}).text
    assert "年龄：请填写年龄上限、下限或两者" in page and "query.items" not in page
