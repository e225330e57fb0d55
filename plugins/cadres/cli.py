"""The cadre cloud's commands on the ``kaoping`` command line (hook ``kaoping_cli_commands``):

    kaoping cadres synth CODE N [--seed S]
    kaoping cadres reindex [CODE]

``synth`` writes N synthetic cadres with their teams and planted relations into the existing
locality CODE of the configured database (``plugins.cadres.synth``) and prints what was planted.
``reindex`` rebuilds the condition search's table (``plugins.cadres.search_table``) of locality
CODE, or of every locality, from the people and their profiles: for data written around the
application (by hand in the database, or restored from elsewhere)."""

from __future__ import annotations

import click


@click.group("cadres")
def cadres() -> None:
    """The cadre cloud (干部云)."""


@cadres.command("synth")
@click.argument("code")
@click.argument("n", type=click.IntRange(min=1, max=1_000_000))
@click.option("--seed", default=2026, show_default=True, help="The same seed writes the same locality.")
def synth(code: str, n: int, seed: int) -> None:
    """Write N synthetic cadres (at least 40), with teams and planted relations, into locality CODE."""
    from core.context import AppContext
    from core.migrate import check_current
    from core.settings import load_settings
    from plugins.cadres.synth import synthesize

    ctx = AppContext.from_settings(load_settings())
    check_current(ctx.db.engine, ctx.db.url)  # the cadre tables must exist
    made = synthesize(ctx, code, n, seed=seed)
    click.echo(f"{len(made.person_ids)} cadres and {len(made.team_ids)} teams written into {code}")
    for p in [*made.planted, *made.near_misses]:
        click.echo(f"  {p.kind}: people {p.a} and {p.b}, team {p.team_id}{' (candidate)' if p.candidate else ''}")


@cadres.command("reindex")
@click.argument("code", required=False)
def reindex(code: str | None) -> None:
    """Rebuild the search table of locality CODE (every locality without one) from people and profiles."""
    from sqlmodel import func, select

    from core.context import AppContext
    from core.migrate import check_current
    from core.models import Locality
    from core.settings import load_settings
    from plugins.cadres.search_table import CadreSearch, refresh

    ctx = AppContext.from_settings(load_settings())
    check_current(ctx.db.engine, ctx.db.url)
    with ctx.db.write() as session:
        locality_id = None
        if code:
            locality_id = session.exec(select(Locality.id).where(Locality.code == code)).first()
            if locality_id is None:
                raise click.ClickException(f"no locality {code}")
        refresh(session, locality_id=locality_id)
        counted = select(func.count()).select_from(CadreSearch)
        if locality_id is not None:
            counted = counted.where(CadreSearch.locality_id == locality_id)
        click.echo(f"{session.exec(counted).one()} people in the search table of {code or 'every locality'}")


def commands() -> list[click.Command]:
    return [cadres]
