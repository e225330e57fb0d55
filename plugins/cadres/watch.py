"""The cadre cloud's periodic pass (``cadres-watch``), over every locality that enabled it:

1. copy Kaoping's own annual grades into the profiles (``grades.sync_kaoping_grades``), so the
   condition search reads them too;
2. remove the dossier files of people deleted since (``dossier.prune_orphans``);
3. raise the warnings of dropped scores (``warnings.score_warnings``), of other plugins'
   ``kaoping_person_warnings`` (goals behind schedule), and of any negative record that has none
   yet, each once, to the supervisors and the department (``warnings.raise_warnings``).

Safe to run by several instances at once: a warning is unique per person and key (a second
INSERT of one fails its transaction, which the next pass finds done)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import String, cast, exists, literal
from sqlmodel import select

from core.context import AppContext
from core.models import LocalityPlugin
from core.services.plugins import hooks_for
from plugins.cadres.access import PLUGIN
from plugins.cadres.dossier import prune_orphans
from plugins.cadres.grades import sync_kaoping_grades
from plugins.cadres.models import CadreWarning, NegativeRecord, WarningKind
from plugins.cadres.negative import warning_for
from plugins.cadres.warnings import CATALOGUE_KEY, DEFAULT_SCORE_DROP, WarningIn, raise_warnings, score_warnings

log = logging.getLogger("kaoping.cadres")
EVERY_SECONDS = 900


def hook_warnings(ctx: AppContext, locality_id: int, on: date) -> list[WarningIn]:
    """What the enabled plugins' ``kaoping_person_warnings`` say, each plugin on its own (one
    that fails is logged and left out)."""
    with ctx.db.read() as session:
        caller = hooks_for(session, locality_id).kaoping_person_warnings
    found: list[WarningIn] = []
    for impl in caller.get_hookimpls():
        try:
            answer = impl.function(ctx=ctx, locality_id=locality_id, on=on) or []
            for item in answer:
                found.append(
                    WarningIn(
                        person_id=int(item["person_id"]),
                        kind=WarningKind.goals.value,
                        key=str(item["key"])[:150],
                        source=str(item.get("source") or impl.plugin_name)[:200],
                        message_id=str(item["message_id"])[:500],
                        # its message is in the answering plugin's catalogue, read with it
                        params={**dict(item.get("params") or {}), CATALOGUE_KEY: impl.plugin_name},
                        link=str(item.get("link") or "")[:500],  # the supervisors' (a path of this site)
                    )
                )
        except Exception:
            log.exception("kaoping_person_warnings of %s failed for locality %s", impl.plugin_name, locality_id)
    return found


def watch_locality(ctx: AppContext, locality_id: int, options: dict[str, Any], on: date | None = None) -> int:
    """One locality's pass; how many warnings it raised."""
    on = on or date.today()
    from_hooks = hook_warnings(ctx, locality_id, on)
    with ctx.db.write() as session:
        sync_kaoping_grades(session, locality_id)
        drop = float(options.get("warn_score_drop", DEFAULT_SCORE_DROP) or DEFAULT_SCORE_DROP)
        items = score_warnings(session, locality_id, drop) + from_hooks
        warned = exists().where(
            CadreWarning.locality_id == locality_id,
            CadreWarning.key == literal("negative:") + cast(NegativeRecord.id, String),
        )
        negative = session.exec(
            select(NegativeRecord).where(NegativeRecord.locality_id == locality_id, ~warned)
        ).all()  # records whose warning was not raised (at their run it always is): normally none
        items += [warning_for(row) for row in negative]
        return len(raise_warnings(session, locality_id, items))


def run_watch(ctx: AppContext, on: date | None = None) -> int:
    """The pass over every locality that enabled the cadre cloud; warnings raised in all."""
    with ctx.db.read() as session:
        rows = session.exec(
            select(LocalityPlugin.locality_id, LocalityPlugin.options).where(
                LocalityPlugin.plugin == PLUGIN,
                LocalityPlugin.enabled == True,  # noqa: E712 - SQL expression
            )
        ).all()
    try:
        prune_orphans(ctx)
    except Exception:
        log.exception("removing the dossier files of deleted people failed")
    raised = 0
    for locality_id, options in rows:
        try:
            raised += watch_locality(ctx, locality_id, options or {}, on)
        except Exception:
            log.exception("the cadre watch failed for locality %s", locality_id)
    return raised
