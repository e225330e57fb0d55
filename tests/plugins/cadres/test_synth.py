"""The synthetic locality as a command (``python -m plugins.cadres.synth CODE N``), on both
databases: the cadres, their profiles and teams are written and what was planted is printed."""

from __future__ import annotations

from sqlmodel import func, select

from core.context import Actor
from core.models import Person, TeamMember
from core.schemas.localities import LocalityIn
from core.services import localities
from plugins.cadres.models import CadreProfile, PostRecord
from plugins.cadres.synth import PLANTED_KINDS, id_card_number, main


def test_the_command_writes_a_locality_of_cadres_and_prints_the_planted_pairs(ctx, monkeypatch, capsys):
    localities.create(ctx, Actor.system("test"), LocalityIn(code="syn", name="合成县"))
    monkeypatch.setenv("KAOPING_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("KAOPING_SECRET_KEY", ctx.settings.secret_key)
    monkeypatch.setenv("KAOPING_VAR_DIR", str(ctx.settings.var_dir))
    assert main(["syn", "45", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("45 cadres and ") and all(f"  {kind}: people" in out for kind in PLANTED_KINDS)
    with ctx.db.read() as session:
        assert session.exec(select(func.count()).select_from(Person)).one() == 45
        assert session.exec(select(func.count()).select_from(CadreProfile)).one() == 45
        assert session.exec(select(func.count(func.distinct(PostRecord.person_id)))).one() == 45
        assert session.exec(select(func.count()).select_from(TeamMember)).one() > 0


def test_synthetic_id_numbers_carry_a_valid_check_digit_and_gender():
    from datetime import date

    from plugins.cadres.dates import check_id_number

    number = id_card_number("520521", date(1980, 5, 17), 12, male=False)
    assert len(number) == 18 and int(number[16]) % 2 == 0
    assert check_id_number(number, birth_date=date(1980, 5, 17), gender="女") == []


def test_synthetic_units_carry_the_type_in_the_office_s_words_and_towns_still_give_township_experience(ctx):
    from core.models import Unit
    from plugins.cadres.loader import load_facts
    from plugins.cadres.synth import synthesize
    from plugins.cadres.synth_data import DEPARTMENT_POSTS, TOWNSHIP_POSTS

    localities.create(ctx, Actor.system("test"), LocalityIn(code="syn", name="合成县"))
    made = synthesize(ctx, "syn", 45, seed=5)
    with ctx.db.read() as session:
        types = {name: kind for name, kind in session.exec(select(Unit.name, Unit.type))}
        facts = load_facts(session, None, made_locality(session), made.person_ids[:10])
    # the units page prints units.type as stored: the Chinese words the demo's units use
    assert set(types.values()) == {"乡镇", "业务部门"}
    assert all((kind == "乡镇") == name.endswith("镇") for name, kind in types.items())
    levels = {span.unit_level for person in facts.values() for span in person.posts if span.unit_id}
    assert "township" in levels
    # a town's posts are held at towns (乡镇党委书记, 镇长...), a bureau's at bureaus: the
    # benchmark's and the demo's "former township party secretary" searches find people
    with ctx.db.read() as session:
        facts = load_facts(session, None, made_locality(session), made.person_ids)
        unit_ids = set(session.exec(select(Unit.id)).all())
    spans = [span for person in facts.values() for span in person.posts if span.unit_id in unit_ids]
    assert any(span.post in TOWNSHIP_POSTS for span in spans)
    wrong = [
        (span.post, span.unit_name, span.unit_level)
        for span in spans
        if (span.post in TOWNSHIP_POSTS and span.unit_level != "township")
        or (span.post in DEPARTMENT_POSTS and span.unit_level == "township")
    ]
    assert not wrong, wrong[:5]


def made_locality(session) -> int:
    from core.models import Locality

    return session.exec(select(Locality.id).where(Locality.code == "syn")).one()
