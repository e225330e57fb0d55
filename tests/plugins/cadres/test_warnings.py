"""Warnings, on both databases: negative-information records pulled in by a real adapter source
(a CSV in a tabular_file folder) whose mapping targets ``cadres.negative``; a published score that
dropped; goals behind schedule told by the goals plugin's hook. Each is raised once, with its
source, to the cadre's supervising leader and the department (core notifications); a bad record
fails the run with nothing written; the warnings page and API are the department's alone."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from core.models import Campaign, CampaignResult, Locality, Notification, Subject, Team, TeamMember
from core.schemas.adapters import AdapterSourceIn
from core.schemas.org import PersonIn
from core.services import adapters, org
from core.services.errors import Invalid, NotFound
from core.services.plugins import PluginSettingIn, set_plugin
from plugins.cadres.models import CadreWarning, NegativeRecord
from plugins.cadres.warnings import list_warnings, negative_records
from plugins.cadres.watch import run_watch, watch_locality
from tests.plugins.cadres.setup import ROLES, SYSTEM, account, make_world

CSV_HEADER = "身份证号,编号,类别,事项,详情,日期\n"


def _locality_id(ctx, code: str = "ca") -> int:
    with ctx.db.read() as session:
        return session.exec(select(Locality.id).where(Locality.code == code)).one()


def _supervisor(ctx, world) -> int:
    """A leader of the county's team who supervises the unit of the test's people; their user id."""
    leader = org.create_person(ctx, SYSTEM, "ca", PersonIn(name="赵分管")).id
    with ctx.db.write() as session:
        unit_id = session.exec(select(Subject.id)).first()  # noqa: F841 - any row: the session is open
        from core.models import Person

        unit = session.get(Person, world.people["李镇长"]).unit_id
        team = Team(locality_id=_locality_id(ctx), unit_id=unit, name="县领导班子")
        session.add(team)
        session.flush()
        session.add(
            TeamMember(locality_id=team.locality_id, team_id=team.id, person_id=leader, supervised_unit_ids=[unit])
        )
    return account(ctx, "ca", "leader-zhao", "leader", person_id=leader).user_id


def _notices(ctx, kind: str = "cadres.warning") -> list[tuple[int, str, dict, str]]:
    with ctx.db.read() as session:
        rows = session.exec(select(Notification).where(Notification.kind == kind).order_by(Notification.id)).all()
        return [(n.user_id, n.message_id, n.params, n.link) for n in rows]


def _source(ctx, office, mapping_options: dict) -> int:
    set_plugin(ctx, SYSTEM, "ca", "tabular_file", PluginSettingIn(enabled=True))
    source = adapters.create_source(
        ctx,
        office,
        "ca",
        AdapterSourceIn.model_validate(
            {
                "name": "县纪委监委",
                "adapter": "tabular_file",
                "options": {"folder": "inbox"},
                "mapping": {"target": "cadres.negative", "options": mapping_options},
            }
        ),
    )
    return source.id


OPTIONS = {
    "person_field": "身份证号",
    "id_field": "编号",
    "kind_field": "类别",
    "title_field": "事项",
    "detail_field": "详情",
    "date_field": "日期",
}


def _drop(ctx, source_id: int, text: str) -> None:
    from core.models import AdapterSource

    with ctx.db.read() as session:
        context = adapters.adapter_context(ctx, session.get(AdapterSource, source_id), "ca")
    inbox = context.work_dir / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / f"negative-{len(list(inbox.iterdir()))}.csv"
    path.write_text(text, encoding="utf-8")
    old = path.stat().st_mtime - 60  # files younger than a moment may still be being written
    os.utime(path, (old, old))


def _id_card(ctx, person_id: int) -> str:
    with ctx.db.write() as session:
        from core.models import Person

        person = session.get(Person, person_id)
        number = f"52052119830201{person_id:03d}X"[:18]
        person.id_card_cipher, person.id_card_digest = ctx.keys.encrypt(number), ctx.keys.digest(number)
        session.add(person)
    return number


def test_negative_records_come_in_through_an_adapter_and_warn_the_supervisor_and_the_department(ctx):
    world = make_world(ctx)
    leader = _supervisor(ctx, world)
    li = world.people["李镇长"]
    number = _id_card(ctx, li)
    office = world.actors["office"]
    source_id = _source(ctx, office, OPTIONS)
    _drop(ctx, source_id, CSV_HEADER + f"{number},JW-2026-001,违纪,违规收受礼金,给予党内警告处分,2026.03\n")
    run = adapters.run_now(ctx, office, source_id)
    assert (run.status, run.rows_read, run.rows_written) == ("succeeded", 1, 1)

    [record] = negative_records(ctx, world.actors["org_dept"], "ca", li)
    assert (record.kind, record.source, record.title, record.on) == (
        "discipline",
        "县纪委监委",
        "违规收受礼金",
        date(2026, 3, 1),
    )
    [warning] = list_warnings(ctx, world.actors["org_dept"], "ca").items
    assert (warning.person_id, warning.kind, warning.source) == (li, "negative", "县纪委监委")
    told = _notices(ctx)
    dept = {world.actors["org_dept"].user_id, world.actors["org_dept_head"].user_id}
    assert {u for u, *_ in told} == dept | {leader} and warning.notified == 3
    assert all(params["source"] == "县纪委监委" and params["name"] == "李镇长" for _u, _m, params, _l in told)
    assert {link for u, _m, _p, link in told if u == leader} == {""}  # the cadre cloud is not the leader's
    assert {link for u, _m, _p, link in told if u in dept} == {
        f"/admin/localities/ca/cadres/warnings?person={li}#warning-{warning.id}"  # the person's warnings
    }

    # the same record read again updates it and warns nobody again
    _drop(ctx, source_id, CSV_HEADER + f"{number},JW-2026-001,违纪,违规收受礼金,给予党内严重警告处分,2026.03\n")
    assert adapters.run_now(ctx, office, source_id).status == "succeeded"
    assert negative_records(ctx, world.actors["org_dept"], "ca", li)[0].detail == "给予党内严重警告处分"
    assert len(_notices(ctx)) == 3
    assert watch_locality(ctx, _locality_id(ctx), {}) == 0  # the periodic pass finds it raised


def test_one_bad_record_fails_the_run_and_writes_nothing(ctx):
    world = make_world(ctx)
    li = world.people["李镇长"]
    number = _id_card(ctx, li)
    office = world.actors["office"]
    source_id = _source(ctx, office, OPTIONS)
    _drop(
        ctx,
        source_id,
        CSV_HEADER
        + f"{number},SJ-1,审计,专项资金审计发现问题,,2026.05\n"
        + "520521199001010000,SJ-2,审计,查无此人,,2026.05\n"
        + f"{number},SJ-3,表扬,不是负面信息,,2026.13\n",
    )
    preview = adapters.preview_source(ctx, office, source_id)  # the target's dry run
    assert (preview.rows_read, preview.rows_rejected, preview.rows) == (3, 2, [])
    run = adapters.run_now(ctx, office, source_id)
    assert run.status == "failed" and run.rows_written == 0 and run.rows_rejected == 2
    problems = {r.field: r.message for r in run.rejected}
    assert problems["身份证号"].startswith("no person with this ID-card number in the locality (5205…)")
    assert "is not a kind of negative record" in problems["类别"] and "month 13" in problems["日期"]
    assert "520521199001010000" not in str(run.rejected)  # an ID number is never written out whole
    with ctx.db.read() as session:
        assert session.exec(select(NegativeRecord)).all() == [] and session.exec(select(CadreWarning)).all() == []


def test_a_target_mapping_is_checked_when_the_source_is_saved(ctx):
    world = make_world(ctx)
    office = world.actors["office"]
    with pytest.raises(Invalid) as bad:
        _source(ctx, office, {**OPTIONS, "kind": "audit"})  # both kind and kind_field
    assert bad.value.errors[0]["field"].startswith("mapping.options")
    set_plugin(ctx, SYSTEM, "ca", "cadres", PluginSettingIn(enabled=False))
    with pytest.raises(Invalid) as off:
        _source(ctx, office, OPTIONS)
    assert off.value.errors[0]["field"] == "mapping.target"


def _published(ctx, name: str, period: str, scores: dict[int, float], kind: str = "annual") -> int:
    with ctx.db.write() as session:
        locality_id = session.exec(select(Locality.id).where(Locality.code == "ca")).one()
        campaign = Campaign(locality_id=locality_id, name=name, kind=kind, status="published", period=period)
        session.add(campaign)
        session.flush()
        for person_id, score in scores.items():
            subject = session.exec(select(Subject).where(Subject.kind == "person", Subject.ref_id == person_id)).first()
            if subject is None:
                subject = Subject(locality_id=locality_id, name=str(person_id), kind="person", ref_id=person_id)
                subject.category = "干部"
                session.add(subject)
                session.flush()
            session.add(
                CampaignResult(campaign_id=campaign.id, subject_id=subject.id, locality_id=locality_id, score=score)
            )
        return campaign.id


def test_a_score_drop_warns_once_with_the_campaign_as_source(ctx):
    world = make_world(ctx)
    leader = _supervisor(ctx, world)
    li, wang = world.people["李镇长"], world.people["王局长"]
    _published(ctx, "2025年度考核", "2025", {li: 92.0, wang: 88.0})
    latest = _published(ctx, "2026年度考核", "2026", {li: 84.5, wang: 85.0})  # -7.5 and -3
    _published(ctx, "2026年第一季度", "2026-Q1", {wang: 60.0}, kind="quarterly")  # another kind: no comparison
    assert run_watch(ctx) == 1
    [warning] = list_warnings(ctx, world.actors["org_dept_head"], "ca", kind="scores").items
    assert (warning.person_id, warning.source) == (li, "2026年度考核")
    assert warning.params == {
        "campaign": "2026年度考核",
        "score": 84.5,
        "drop": 7.5,
        "previous": 92.0,
        "before": "2025年度考核",
        "name": "李镇长",
    }
    with ctx.db.read() as session:
        assert session.exec(select(CadreWarning.key)).all() == [f"scores:{latest}"]
    assert leader in {u for u, *_ in _notices(ctx)}
    assert run_watch(ctx) == 0  # once
    assert watch_locality(ctx, _locality_id(ctx), {"warn_score_drop": 3}) == 1  # a locality's own threshold


def test_goals_behind_schedule_come_from_the_goals_plugin_s_hook(ctx):
    from plugins.goals.models import Goal, GoalAssignment

    world = make_world(ctx)
    li = world.people["李镇长"]
    set_plugin(ctx, SYSTEM, "ca", "goals", PluginSettingIn(enabled=True))
    with ctx.db.write() as session:
        from core.models import Person

        unit = session.get(Person, li).unit_id
        locality_id = _locality_id(ctx)
        published = datetime(2026, 1, 5, tzinfo=UTC)
        behind = Goal(
            locality_id=locality_id,
            unit_id=unit,
            year=2026,
            name="新建高标准农田 2 万亩",
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
            published_at=published,
        )
        draft = Goal(
            locality_id=locality_id,
            unit_id=unit,
            year=2026,
            name="草稿目标",
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
        )
        session.add_all([behind, draft])
        session.flush()
        for goal in (behind, draft):
            session.add(GoalAssignment(locality_id=locality_id, goal_id=goal.id, person_id=li, role="主办", share=100))
    assert watch_locality(ctx, locality_id, {}, on=date(2026, 7, 1)) == 1
    [warning] = list_warnings(ctx, world.actors["org_dept"], "ca", kind="goals").items
    assert (warning.person_id, warning.source, warning.params["goal"]) == (li, "goals", "新建高标准农田 2 万亩")
    assert warning.message_id.endswith("is behind schedule ({percent}% done)")
    # its message is the goals plugin's: read with goals' catalogue on the cadres page and in the
    # notices (whichever page lists them), though neither the core's nor the cadres' has it
    from core.i18n import catalogues, translator
    from core.services.notifications import list_notifications

    assert warning.catalogue == "goals" and "_catalogue" not in warning.params
    shown = f"李镇长：2026年目标“新建高标准农田 2 万亩”进度滞后（完成 {warning.params['percent']}%）"
    cadres_page = translator("zh_CN", catalogues("cadres"))
    assert cadres_page.gettext(warning.message_id, **warning.params) == warning.message_id.format(**warning.params)
    assert cadres_page.of(warning.catalogue).gettext(warning.message_id, **warning.params) == shown
    [notice] = list_notifications(ctx, world.actors["org_dept"], translator("zh_CN")).items
    assert notice.text == shown and "_catalogue" not in notice.params
    set_plugin(ctx, SYSTEM, "ca", "goals", PluginSettingIn(enabled=False))
    assert watch_locality(ctx, locality_id, {}, on=date(2027, 1, 5)) == 0  # goals off: its hook is not called


def test_only_the_department_reads_warnings_and_negative_records(ctx):
    world = make_world(ctx)
    li = world.people["李镇长"]
    for role in ROLES:
        actor = world.actors[role]
        if role in ("org_dept", "org_dept_head"):
            assert list_warnings(ctx, actor, "ca").total == 0 and negative_records(ctx, actor, "ca", li) == []
        else:
            with pytest.raises(NotFound):
                list_warnings(ctx, actor, "ca")
            with pytest.raises(NotFound):
                negative_records(ctx, actor, "ca", li)
    with pytest.raises(NotFound):
        negative_records(ctx, world.actors["org_dept"], "ca", world.other_person)
    with pytest.raises(NotFound):
        list_warnings(ctx, world.actors["other_dept"], "ca")


def test_the_warnings_page_and_api_over_http(site, ctx):
    world, session, api = site
    li = world.people["李镇长"]
    _published(ctx, "2025年度考核", "2025", {li: 92.0})
    _published(ctx, "2026年度考核", "2026", {li: 80.0})
    with ctx.db.write() as db:
        db.add(
            NegativeRecord(
                locality_id=_locality_id(ctx), person_id=li, kind="complaint", source="12345热线", external_id="X1",
                title="群众反映办事推诿",
            )
        )  # fmt: skip
    assert run_watch(ctx) == 2
    with session("org_dept") as dept:
        page = dept.get("/admin/localities/ca/cadres/warnings")
        assert page.status_code == 200 and "干部预警" in page.text
        assert "李镇长：在“2026年度考核”中得分 80.0，比“2025年度考核”的 92.0 下降 12.0 分" in page.text
        assert "李镇长：来自“12345热线”的信访举报：群众反映办事推诿" in page.text
        only = dept.get("/admin/localities/ca/cadres/warnings", params={"kind": "negative"})
        assert "群众反映办事推诿" in only.text and "下降 12.0 分" not in only.text
        profile = dept.get(f"/admin/localities/ca/cadres/people/{li}")
        assert "负面信息" in profile.text and "群众反映办事推诿" in profile.text
        english = dept.get("/admin/localities/ca/cadres/warnings", params={"lang": "en"})
        assert "a complaint from 12345热线" in english.text
    with api("org_dept_head") as head:
        found = head.get("/api/localities/ca/cadres/warnings", params={"kind": "scores"}).json()
        assert found["total"] == 1 and found["items"][0]["source"] == "2026年度考核"
        [record] = head.get(f"/api/localities/ca/cadres/people/{li}/negative").json()
        assert (record["kind"], record["source"]) == ("complaint", "12345热线")
        assert head.get("/api/localities/ca/cadres/warnings", params={"kind": "bogus"}).status_code == 400
    for role in ("office", "leader", "cadre"):
        with session(role) as other:
            assert other.get("/admin/localities/ca/cadres/warnings").status_code == 404
        with api(role) as other:
            assert other.get("/api/localities/ca/cadres/warnings").status_code == 404
            assert other.get(f"/api/localities/ca/cadres/people/{li}/negative").status_code == 404
