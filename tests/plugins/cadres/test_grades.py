"""Annual grades from Kaoping's own results, on both databases: a published campaign of a whole
year gives its person subjects that year's grade (the final grade, else the proposed one), marked
as Kaoping's beside the entered grades; campaigns of a quarter, unpublished ones and another
locality's give nothing; writing the profile's grades keeps Kaoping's; unpublishing takes them away."""

from __future__ import annotations

from sqlmodel import select

from core.models import Campaign, CampaignResult, Locality, Subject
from plugins.cadres import service
from plugins.cadres.grades import sync_kaoping_grades
from plugins.cadres.models import AnnualGrade
from plugins.cadres.schemas import ProfileIn
from tests.plugins.cadres.setup import make_world


def _campaign(ctx, code: str, name: str, period: str, status: str, results: list[tuple[int, str | None, str | None]]):
    """A campaign with results for people ``(person id, final grade, proposed grade)``."""
    with ctx.db.write() as session:
        locality = session.exec(select(Locality).where(Locality.code == code)).one()
        campaign = Campaign(locality_id=locality.id, name=name, kind="annual", status=status, period=period)
        session.add(campaign)
        session.flush()
        for person_id, grade, proposed in results:
            subject = session.exec(select(Subject).where(Subject.kind == "person", Subject.ref_id == person_id)).first()
            if subject is None:
                subject = Subject(locality_id=locality.id, name=str(person_id), kind="person", ref_id=person_id)
                subject.category = "干部"
                session.add(subject)
                session.flush()
            session.add(
                CampaignResult(
                    campaign_id=campaign.id,
                    subject_id=subject.id,
                    locality_id=locality.id,
                    grade=grade,
                    proposed_grade=proposed,
                )
            )
        return campaign.id


def _grades(profile) -> list[tuple[int, str, str, str]]:
    return [(g.year, g.grade, g.source, g.campaign_name) for g in profile.grades]


def test_a_published_annual_campaign_gives_the_profile_its_grade_marked_as_kaoping_s(ctx):
    world = make_world(ctx)
    dept = world.actors["org_dept"]
    li, wang = world.people["李镇长"], world.people["王局长"]
    annual = _campaign(ctx, "ca", "2026年度考核", "2026", "published", [(li, "优秀", "称职"), (wang, None, "称职")])
    _campaign(ctx, "ca", "2026年第四季度", "2026-Q4", "published", [(li, "不称职", None)])  # not annual
    _campaign(ctx, "ca", "2027年度考核", "2027", "tallied", [(li, "优秀", None)])  # not published yet
    profile = service.read_profile(ctx, dept, "ca", li)
    assert _grades(profile) == [(2025, "优秀", "", ""), (2026, "优秀", "kaoping", "2026年度考核")]
    assert profile.grades[1].campaign_id == annual
    assert _grades(service.read_profile(ctx, dept, "ca", wang))[-1] == (2026, "称职", "kaoping", "2026年度考核")

    # the profile's own grades are replaced; Kaoping's stay
    service.write_profile(ctx, dept, "ca", li, ProfileIn.model_validate({"grades": [{"year": 2026, "grade": "称职"}]}))
    assert _grades(service.read_profile(ctx, dept, "ca", li)) == [
        (2026, "称职", "", ""),
        (2026, "优秀", "kaoping", "2026年度考核"),
    ]


def test_the_locality_wide_sync_adds_changes_and_removes_kaoping_s_grades(ctx):
    world = make_world(ctx)
    li = world.people["李镇长"]
    campaign = _campaign(ctx, "ca", "2026年度考核", "2026", "published", [(li, "优秀", None)])
    _campaign(ctx, "cb", "2026年度考核", "2026", "published", [(world.other_person, "优秀", None)])
    with ctx.db.write() as session:
        locality = session.exec(select(Locality).where(Locality.code == "ca")).one()
        assert sync_kaoping_grades(session, locality.id) == 1
        assert sync_kaoping_grades(session, locality.id) == 0  # nothing left to do
    with ctx.db.write() as session:
        row = session.exec(select(CampaignResult).where(CampaignResult.campaign_id == campaign)).one()
        row.grade = "基本称职"  # the office changed the final grade
        session.add(row)
    with ctx.db.write() as session:
        assert sync_kaoping_grades(session, locality.id) == 1
        rows = session.exec(select(AnnualGrade).where(AnnualGrade.source == "kaoping")).all()
        assert [(r.person_id, r.year, r.grade) for r in rows] == [(li, 2026, "基本称职")]  # none of cb's
        session.get(Campaign, campaign).status = "tallied"  # taken back from publication
    with ctx.db.write() as session:
        assert sync_kaoping_grades(session, locality.id) == 1
        assert session.exec(select(AnnualGrade).where(AnnualGrade.source == "kaoping")).all() == []
