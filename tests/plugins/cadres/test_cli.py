"""``kaoping cadres synth CODE N``: the cadre cloud's command on the ``kaoping`` command line
(hook ``kaoping_cli_commands``), run for real in a subprocess against the test database, on
both databases."""

from __future__ import annotations

import os
import subprocess

from sqlmodel import func, select

from core.context import Actor
from core.models import Person
from core.schemas.localities import LocalityIn
from core.services import localities
from plugins.cadres.models import CadreProfile
from plugins.cadres.synth import PLANTED_KINDS
from tests.core.test_cli import COMMAND


def _kaoping(ctx, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAOPING_")}
    env.update(
        KAOPING_DATABASE_URL=ctx.settings.database_url,
        KAOPING_SECRET_KEY=ctx.settings.secret_key,
        KAOPING_VAR_DIR=str(ctx.settings.var_dir),
    )
    return subprocess.run([*COMMAND, *args], env=env, capture_output=True, text=True, timeout=300)


def test_kaoping_cadres_synth_writes_a_locality(ctx):
    localities.create(ctx, Actor.system("test"), LocalityIn(code="syn", name="合成县"))
    done = _kaoping(ctx, "cadres", "synth", "syn", "45", "--seed", "5")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("45 cadres and ")
    assert all(f"  {kind}: people" in done.stdout for kind in PLANTED_KINDS)
    with ctx.db.read() as session:
        assert session.exec(select(func.count()).select_from(Person)).one() == 45
        assert session.exec(select(func.count()).select_from(CadreProfile)).one() == 45
    listed = _kaoping(ctx, "--help")
    assert "cadres" in listed.stdout


def test_an_unknown_locality_is_one_line(ctx):
    done = _kaoping(ctx, "cadres", "synth", "nowhere", "45")
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: no locality with code nowhere" and "Traceback" not in done.stderr


def test_kaoping_cadres_reindex_rebuilds_the_search_table(ctx):
    from sqlalchemy import text

    from plugins.cadres.search_table import CadreSearch

    localities.create(ctx, Actor.system("test"), LocalityIn(code="syn", name="合成县"))
    assert _kaoping(ctx, "cadres", "synth", "syn", "45", "--seed", "5").returncode == 0
    with ctx.db.write() as session:
        session.execute(text("DELETE FROM cadre_search"))  # as if written around the application
    done = _kaoping(ctx, "cadres", "reindex", "syn")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "45 people in the search table of syn"
    with ctx.db.read() as session:
        assert session.exec(select(func.count()).select_from(CadreSearch)).one() == 45
    assert "45 people" in _kaoping(ctx, "cadres", "reindex").stdout
    missing = _kaoping(ctx, "cadres", "reindex", "nowhere")
    assert missing.returncode != 0 and "no locality nowhere" in missing.stderr
