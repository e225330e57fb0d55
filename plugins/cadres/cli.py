"""The cadre cloud's commands on the ``kaoping`` command line (hook ``kaoping_cli_commands``):

    kaoping cadres synth CODE N [--seed S]

writes N synthetic cadres with their teams and planted relations into the existing locality
CODE of the configured database (``plugins.cadres.synth``) and prints what was planted."""

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


def commands() -> list[click.Command]:
    return [cadres]
