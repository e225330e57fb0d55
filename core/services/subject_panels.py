"""Panels about the subjects of a ballot, contributed by feature plugins (hook
``kaoping_subject_panels``): a subject's duties, goals, recent work records, shown to the
evaluator under each subject where the campaign allows it (``campaigns.subject_panels``).

Read only; nothing here writes. A plugin that fails is logged and left out, so the ballot is
always shown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlmodel import col, select

from core.context import AppContext
from core.models import Campaign, Subject

log = logging.getLogger("kaoping.subject_panels")

MAX_ITEMS = 10  # items of one panel shown
MAX_TEXT = 2000  # characters of one item's text shown


@dataclass(frozen=True)
class SubjectRef:
    """A subject as plugins see it: ``kind`` ``person``, ``unit`` or ``team``; ``ref_id`` the
    person's, unit's or team's id."""

    id: int
    kind: str
    ref_id: int | None
    name: str


@dataclass(frozen=True)
class PanelItem:
    """``heading`` in Chinese (and ``heading_en`` in English, if it differs); ``text`` as written."""

    heading: str
    text: str
    heading_en: str = ""

    def heading_for(self, locale: str) -> str:
        return self.heading if locale.startswith("zh") or not self.heading_en else self.heading_en


@dataclass(frozen=True)
class SubjectPanel:
    """A panel about one subject: its title in both languages and its items, newest first."""

    subject_id: int
    key: str  # e.g. "worklog.records": stable, for the page's ids
    title_zh: str
    title_en: str
    items: tuple[PanelItem, ...] = field(default_factory=tuple)

    def title(self, locale: str) -> str:
        return self.title_zh if locale.startswith("zh") else self.title_en


def for_campaign(ctx: AppContext, campaign_id: int, subject_ids: list[int]) -> dict[int, list[SubjectPanel]]:
    """The panels of each of ``subject_ids`` (subjects of the campaign's locality) by subject
    id, each panel's items capped; empty when the campaign does not allow panels."""
    from core.services.plugins import hooks_for

    with ctx.db.read() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or not campaign.subject_panels or not subject_ids:
            return {}
        refs = [
            SubjectRef(id=s.id, kind=s.kind, ref_id=s.ref_id, name=s.name)
            for s in session.exec(
                select(Subject).where(Subject.locality_id == campaign.locality_id, col(Subject.id).in_(subject_ids))
            )
        ]
        caller = hooks_for(session, campaign.locality_id).kaoping_subject_panels
        locality_id = campaign.locality_id
    found: dict[int, list[SubjectPanel]] = {}
    wanted = {r.id for r in refs}
    for impl in caller.get_hookimpls():
        try:
            answer = impl.function(ctx=ctx, locality_id=locality_id, subjects=refs) or []
        except Exception:  # noqa: BLE001 - a plugin's failure must not stop the ballot
            log.exception("kaoping_subject_panels of %s failed", impl.plugin_name)
            continue
        for panel in answer:
            if isinstance(panel, SubjectPanel) and panel.subject_id in wanted:
                items = tuple(PanelItem(i.heading, i.text[:MAX_TEXT], i.heading_en) for i in panel.items[:MAX_ITEMS])
                found.setdefault(panel.subject_id, []).append(
                    SubjectPanel(panel.subject_id, panel.key, panel.title_zh, panel.title_en, items)
                )
    return found
