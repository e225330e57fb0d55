"""A locality's rules for the relationship check and the team structure: the cadre cloud's
options (``CadresOptions.relations`` and ``.structure``, edited on the locality's plugins
page), and the relation kinds of the plugins the locality enabled (hook
``kaoping_cadre_relation_kinds``)."""

from __future__ import annotations

import functools
import logging
from datetime import date

from pydantic import ValidationError
from sqlmodel import Session

from core.models import LocalityPlugin
from core.services.errors import Invalid
from core.services.plugins import hooks_for
from plugins.cadres.divisions import name_of
from plugins.cadres.relations import KINDS, RelationChecker, RelationKind

log = logging.getLogger(__name__)
PLUGIN = "cadres"


def cadre_options(session: Session, locality_id: int):
    """The locality's options of the cadre cloud (``CadresOptions``; the defaults where it saved
    none, or saved them before an option existed)."""
    from plugins.cadres import CadresOptions

    row = session.get(LocalityPlugin, (locality_id, PLUGIN))
    try:
        return CadresOptions.model_validate((row.options if row else None) or {})
    except ValidationError:  # saved by an older version: its rules no longer validate
        log.warning("the cadre cloud's options of locality %s do not validate: defaults used", locality_id)
        return CadresOptions()


def extra_kinds(session: Session, locality_id: int) -> list[RelationKind]:
    """The relation kinds the locality's enabled plugins add (none may take a built-in name)."""
    builtin = {kind.name for kind in KINDS}
    found: list[RelationKind] = []
    for kinds in hooks_for(session, locality_id).kaoping_cadre_relation_kinds():
        for kind in kinds or ():
            if kind.name in builtin or any(k.name == kind.name for k in found):
                log.warning("relation kind %r left out: the name is taken", kind.name)
                continue
            found.append(kind)
    return found


def relation_checker(session: Session, locality_id: int, today: date, options=None) -> RelationChecker:
    """The relationship check as the locality set it up: its rules and kinds (``options``: the
    locality's ``cadre_options`` when the caller has read them already). A kind its rules name
    that no enabled plugin adds (the plugin was disabled since) is a 422 naming it."""
    options = (options or cadre_options(session, locality_id)).relations
    kinds = extra_kinds(session, locality_id)
    available = {kind.name for kind in (*KINDS, *kinds)}
    missing = [name for name in options.kinds if name not in available]
    if missing:
        raise Invalid(
            "relations.kinds: no relation kind {kind}; enable the plugin that adds it or take it out of the cadre "
            "cloud's options",
            params={"kind": missing[0]},
        )
    return RelationChecker(options, today=today, extra_kinds=kinds, place_name=place_name)


@functools.lru_cache(maxsize=4096)
def place_name(code: str) -> str:
    """A native place or birthplace in a relation's evidence: its name and code as the search's
    evidence shows them (``贵州省毕节市大方县 520521``), the code alone when the table lacks it."""
    name = name_of(code)
    return f"{name} {code}" if name else code


def structure_options(session: Session, locality_id: int):
    """The locality's team structure rules (``StructureOptions``)."""
    return cadre_options(session, locality_id).structure
